"""Phrase frequencies for the text explorer: the commonest words and word pairs of a set of
texts, after the search normalisation and without each language's function words.

Pure Python (no Django). The stop-word lists are short, hand-written lists of function
words (pronouns, prepositions, conjunctions, auxiliaries); they are kept in their search
form (normalize_search), so Arabic and Persian letter variants match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from cxm.core.text import normalize_search

_STOP_WORDS_RAW = {
    "en": """a an the and or but if of to in on at for from by with about as into than then
        is are was were be been being am do does did have has had will would can could should
        may might must shall i me my we our you your he him his she her it its they them their
        this that these those there here what which who whom when where why how not no so too
        very just also all any some more most such only own same other s t don't it's i'm
        out up down over again once""",
    "fa": """و در به از که این آن با را برای تا است بود شد شده می هم یا اما اگر نه نیز هر
        من ما تو شما او ایشان آنها خود یک دیگر چه چرا کجا کی همه بر پس وقتی چون ولی هست
        نیست کرد کرده کنم کند کنید داشت دارد دارم باشد ای های ها هستند بودند خیلی""",
    "ar": """و في من إلى الى على عن مع هذا هذه ذلك تلك التي الذي الذين أن ان إن لا لم لن ما
        هو هي هم أنا انا نحن أنت انت كان كانت يكون قد كل بعض أو او ثم لقد عند حتى إذا اذا
        لكن بل غير جدا كما به بها له لها""",
    "hu": """a az és vagy de ha hogy nem is egy ez az azt ezt van volt lesz mint már még
        csak meg el ki be fel le én te ő mi ti ők nekem neki nagyon sem se mert pedig
        ami aki amely itt ott is vagyok vagyunk lett""",
}
STOP_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(normalize_search(w) for w in words.split())
    for language, words in _STOP_WORDS_RAW.items()
}
_ALL_STOP_WORDS = frozenset().union(*STOP_WORDS.values())
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)  # letters only: no numbers, no masks' digits
_MASK = re.compile(r"\[[^\]]*\]")  # redaction placeholders such as [PHONE]


@dataclass(frozen=True)
class Phrase:
    text: str
    count: int


def words_of(text: str, language: str) -> list[str]:
    """The content words of a text in search form, in order."""
    stop = STOP_WORDS.get(language, _ALL_STOP_WORDS)
    return [w for w in _WORD.findall(normalize_search(_MASK.sub(" ", text))) if w not in stop]


def top_phrases(
    texts: Iterable[tuple[str, str]], *, limit: int = 20
) -> tuple[list[Phrase], list[Phrase]]:
    """The `limit` commonest words and word pairs of (text, language) pairs. A pair counts
    words next to each other after stop-word removal; each counts once per text, so one
    long rant does not outweigh many short comments."""
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text, language in texts:
        tokens = words_of(text, language)
        words.update(set(tokens))
        pairs.update({f"{a} {b}" for a, b in pairwise(tokens)})
    return (
        [Phrase(w, n) for w, n in words.most_common(limit)],
        [Phrase(p, n) for p, n in pairs.most_common(limit) if n > 1],
    )
