"""Text normalisation for search and matching across Persian, Arabic, Hungarian and English.

Persian and Arabic keyboards produce different code points for the same letters (ی/ي/ى,
ک/ك, ه/ة …); writers add or omit diacritics (harakat), the zero-width non-joiner and tatweel.
Search must treat all of those as equal, so names are stored with a normalised twin.
"""

import re
import unicodedata

# Arabic-script letters folded to one canonical (Persian) form.
_LETTER_FOLD = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh
        "ى": "ی",  # alef maksura
        "ئ": "ی",
        "ك": "ک",  # Arabic kaf
        "ة": "ه",  # teh marbuta
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
    }
)
_DIGITS_TO_LATIN = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬",  # Persian, Arabic-Indic, Arabic decimal and thousands separators
    "01234567890123456789.,",
)
_LATIN_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_LATIN_TO_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# ZWNJ, ZWJ, LRM/RLM and bidi embedding controls, tatweel.
_INVISIBLE = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\u0640\ufeff]")
_SPACES = re.compile(r"\s+")


def fold_arabic_letters(value: str) -> str:
    """Fold Arabic-script letter variants to one (Persian) form: ي ى ئ → ی, ك → ک, ة ۀ → ه,
    أ إ آ ٱ → ا, ؤ → و. Used by search and by the text pipeline (cxm.core.nlp.normalize)."""
    return value.translate(_LETTER_FOLD)


def to_latin_digits(value: str) -> str:
    """Replace Persian and Arabic-Indic digits (and Arabic separators) by ASCII ones."""
    return value.translate(_DIGITS_TO_LATIN)


def localize_digits(value: str, style: str) -> str:
    """Show ASCII digits in `style`: "latin" (unchanged), "persian" or "arabic"."""
    if style == "persian":
        return value.translate(_LATIN_TO_PERSIAN)
    if style == "arabic":
        return value.translate(_LATIN_TO_ARABIC)
    return value


# Combining marks after NFD: Latin accents, Arabic harakat, Quranic marks, superscript alef.
_MARKS = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]"
)


def strip_marks(value: str) -> str:
    """Remove combining marks: Latin accents (á → a) and Arabic diacritics (harakat)."""
    return _MARKS.sub("", unicodedata.normalize("NFD", value))


def normalize_search(value: str | None) -> str:
    """Fold text to the form used for search: same letters, digits, no marks, one space.

    Hungarian and other Latin accents are folded too (á→a), so a search typed on a
    keyboard without them still finds the name.
    """
    if not value:
        return ""
    if value.isascii():  # the common case: nothing to fold but case and spaces
        return _SPACES.sub(" ", value.lower()).strip()
    text = unicodedata.normalize("NFKC", value)
    text = _INVISIBLE.sub("", text)
    text = text.translate(_LETTER_FOLD).translate(_DIGITS_TO_LATIN)
    text = strip_marks(text)
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACES.sub(" ", text).strip()


def clean_text(value: str | None) -> str:
    """Trim and collapse whitespace in a free-text value; NFC-normalise it."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()
