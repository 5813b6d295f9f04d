"""Normalisation and tokens for analysis (fa, ar, hu, en).

Builds on `cxm.core.text` (the same letter folding and digit mapping as search), with what
analysis needs on top: HTML stripped, long texts cut, Arabic diacritics and tatweel removed
but Hungarian accents kept, elongations collapsed ("خیلیییی" → "خیلی", "sooooo" → "soo"),
emoji kept as tokens (they carry sentiment), and affix-tolerant word variants for lexicon and
topic matching ("کیفیتش" → "کیفیت", "الخدمة" → "خدمه", "rosszul" → "rossz").

The steps are driven by script, not by the language tag, so mixed-script text (a Persian
comment with an English product name) is normalised correctly in both parts.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import nh3

from cxm.core.text import fold_arabic_letters, to_latin_digits

MAX_CHARS = 20_000  # longer texts are cut (at a space) before analysis: comments, not books

_TAG_HINT = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")
_BLOCK_TAGS = re.compile(r"<(?:br|/?p|/?div|/?li|/?tr|/?td|/?h[1-6])\b[^>]*>", re.IGNORECASE)
# ZWNJ/ZWJ (Persian half-space: joined, as search does), bidi marks, tatweel, BOM,
# emoji variation selector and skin-tone modifiers (👍🏻 counts as 👍).
_INVISIBLE = re.compile(
    "[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\u0640\ufeff\ufe0f\U0001f3fb-\U0001f3ff]"
)
# Arabic harakat, Quranic marks and superscript alef (Latin accents are NOT in this set).
_ARABIC_MARKS = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]"
)
_ARABIC_LETTER = "\u0620-\u064a\u0671-\u06d3\u06d5\u06fa-\u06ff"
_ARABIC_ELONGATION = re.compile(f"([{_ARABIC_LETTER}])\\1{{2,}}")  # 3+ same → 1
_LATIN_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")  # 3+ same letter → 2 (Hungarian has doubles)
_PUNCT_RUN = re.compile(r"([!?؟.])\1+")
_SPACES = re.compile(r"\s+")

EMOJI_CLASS = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff\u3030\u303d"
)
_EMOTICON = r"(?:[:;=]-?[()dp|]|[:;]'\(|\(-?[:;]|<3)"
_TOKEN = re.compile(
    f"({_EMOTICON})|([{EMOJI_CLASS}])|([^\\W\\d_]+(?:'[^\\W\\d_]+)*)|(\\d+)|([!?؟])"
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def strip_html(text: str) -> str:
    """Text content of HTML (tags, scripts and styles removed; entities decoded)."""
    if not _TAG_HINT.search(text):
        return text
    text = _BLOCK_TAGS.sub(" ", text)
    return html.unescape(nh3.clean(text, tags=set()))


def truncate(text: str, limit: int = MAX_CHARS) -> str:
    """`text` cut to at most `limit` characters, at the last space when there is one nearby."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit - 200)
    return cut[:space] if space > 0 else cut


def normalize(text: str | None) -> str:
    """The analysis form of `text` (any of fa/ar/hu/en, or mixed).

    NFKC (Arabic presentation forms → letters), HTML stripped, one canonical form of
    Arabic-script letters (ي/ی, ك/ک, ة/ه, أإآ/ا), Arabic diacritics, tatweel and ZWNJ removed,
    Persian/Arabic digits as ASCII, case folded with Hungarian accents kept, elongations
    collapsed, whitespace collapsed.
    """
    if not text:
        return ""
    text = truncate(text)
    text = strip_html(text)
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = _ARABIC_MARKS.sub("", text)
        text = to_latin_digits(fold_arabic_letters(text))
        text = _ARABIC_ELONGATION.sub(r"\1", text)
        text = text.casefold().translate(_APOSTROPHES)
    text = _LATIN_ELONGATION.sub(r"\1\1", text)
    text = _PUNCT_RUN.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def tokenize(normalized: str) -> list[str]:
    """Tokens of normalised text: words, numbers, emoji, emoticons and ! ? marks."""
    return [match.group() for match in _TOKEN.finditer(normalized)]


def has_letters(text: str) -> bool:
    """Whether `text` has at least one letter (emoji, digits and punctuation are not)."""
    return any(ch.isalpha() for ch in text)


def is_emoji(token: str) -> bool:
    """Whether a token is an emoji or emoticon."""
    return bool(token) and not token[0].isalnum() and token not in "!?؟"


# ------------------------------------------------------------------- affix tolerance
# Endings and clitics stripped to find a lexicon or topic entry, longest first, never below
# three letters ("بدید" is "give", not "بد" "bad"). In the normalised form (ی, ک, ه; no ZWNJ).
_FA_SUFFIXES = (
    "هایشان", "هایمان", "هایتان", "هایش", "هایم", "هایت", "ترین", "های", "شان", "مان",
    "تان", "یشان", "تون", "مون", "شون", "ها", "تر", "یش", "اش", "ام", "ای", "یم", "ید",
    "ند", "ست", "یه", "ه", "ی", "ش", "م", "ت", "و",
)  # fmt: skip
_FA_PREFIXES = ("می", "ب")
_AR_PREFIXES = ("وال", "بال", "فال", "کال", "لل", "ال", "و", "ف", "ب", "ل")
_AR_SUFFIXES = ("هما", "کما", "ها", "هم", "هن", "کم", "نا", "ات", "ین", "ون", "ان", "ه", "ی", "ک")
_EN_SUFFIXES = ("'s", "ness", "ing", "ies", "ied", "es", "ed", "ly", "er", "est", "s", "d")
_HU_MIN_STEM = 4
_HU_MAX_ENDING = 8
_HU_LENGTHENED = str.maketrans("áé", "ae")  # alma → almát: a stem's final vowel lengthens


def _strip_suffixes(token: str, suffixes: tuple[str, ...], min_stem: int) -> list[str]:
    return [
        token[: -len(s)] for s in suffixes if token.endswith(s) and len(token) - len(s) >= min_stem
    ]


@lru_cache(maxsize=200_000)
def variants(token: str, language: str) -> tuple[str, ...]:
    """`token` and the stems it may come from, most specific first (for exact-match lookups).

    Persian: possessive/plural/comparative endings and the verb prefixes می/ب; Arabic: the
    article and conjunctions (ال، و، ف، ب، ل) and pronoun/plural endings; Hungarian: every
    prefix of at least four letters (agglutinative endings), with a lengthened final vowel
    shortened; English: regular endings.
    """
    found: list[str] = [token]
    if language == "fa":
        found += _strip_suffixes(token, _FA_SUFFIXES, 3)
        for prefix in _FA_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 2:
                rest = token[len(prefix) :]
                found += [rest, *_strip_suffixes(rest, _FA_SUFFIXES, 3)]
    elif language == "ar":
        bases = [token] + [
            token[len(p) :]
            for p in _AR_PREFIXES
            if token.startswith(p) and len(token) - len(p) >= 2
        ]
        for base in bases:
            found.append(base)
            found += _strip_suffixes(base, _AR_SUFFIXES, 3)
    elif language == "hu":
        for end in range(len(token) - 1, max(_HU_MIN_STEM, len(token) - _HU_MAX_ENDING) - 1, -1):
            stem = token[:end]
            found.append(stem)
            if stem[-1] in "áé":
                found.append(stem[:-1] + stem[-1].translate(_HU_LENGTHENED))
    elif language == "en" or language == "other":
        found += _strip_suffixes(token, _EN_SUFFIXES, 3)
        if token.endswith(("ies", "ied")) and len(token) > 4:
            found.append(token[:-3] + "y")
        if len(token) > 5 and token.endswith(("ed", "ing")):  # stopped → stop
            stem = token[:-2] if token.endswith("ed") else token[:-3]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                found.append(stem[:-1])
    seen: dict[str, None] = dict.fromkeys(found)
    return tuple(seen)
