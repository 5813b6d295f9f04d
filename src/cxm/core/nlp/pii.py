"""PII redaction: e-mails, payment cards, national ids and phone numbers masked in text.

- e-mail addresses → "[email]";
- card numbers: 16 digits (spaces or dashes between groups allowed) passing the Luhn check
  → "[card]" (Iranian Shetab cards are 16 digits and Luhn-valid too);
- Iranian national ids (کد ملی: 10 digits, the last a mod-11 check digit), Hungarian tax ids
  (adóazonosító jel: 10 digits starting with 8, mod-11 check), Hungarian personal ids
  (személyi szám: 11 digits, mod-11 check) and TAJ numbers (9 digits, 3-7 weighted
  mod-10 check) → "[id]";
- phone numbers (Iranian, Hungarian and international with a + or 00 prefix) found by the
  `phonenumbers` library's matcher → "[phone]".
Digits may be Persian or Arabic-Indic; they are mapped one-to-one to ASCII for matching so
positions in the original text stay valid. Numbers that fail their checksum are left alone
(an order number is not a card).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

from cxm.core.text import to_latin_digits

EMAIL_MASK, PHONE_MASK, CARD_MASK, ID_MASK = "[email]", "[phone]", "[card]", "[id]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}", re.UNICODE)
# A run of digits possibly grouped by single spaces or dashes, not touching other digits.
_DIGIT_RUN = re.compile(r"(?<![\d])\+?\d(?:[ \-.]?\d){7,18}(?![\d])")
_PHONE_REGIONS = ("IR", "HU")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment cards."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iranian_national_id_valid(digits: str) -> bool:
    """کد ملی: 10 digits; the 10th is the check digit over the first nine (weights 10…2)."""
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    check = int(digits[9])
    remainder = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    return check == remainder if remainder < 2 else check == 11 - remainder


def hungarian_tax_id_valid(digits: str) -> bool:
    """Adóazonosító jel: 10 digits starting with 8; sum of digit × position (1…9) mod 11."""
    if len(digits) != 10 or digits[0] != "8":
        return False
    remainder = sum(int(digits[i]) * (i + 1) for i in range(9)) % 11
    return remainder != 10 and remainder == int(digits[9])


def hungarian_personal_id_valid(digits: str) -> bool:
    """Személyi szám: 11 digits, sex/century digit 1–8; check digit over the first ten with
    weights 1…10 (born before 1997) or 10…1 (from 1997), mod 11."""
    if len(digits) != 11 or digits[0] not in "12345678":
        return False
    first = [int(d) for d in digits[:10]]
    check = int(digits[10])
    ascending = sum(d * (i + 1) for i, d in enumerate(first)) % 11
    descending = sum(d * (10 - i) for i, d in enumerate(first)) % 11
    return check in (ascending, descending) and check != 10


def hungarian_taj_valid(digits: str) -> bool:
    """TAJ szám: 9 digits; first eight weighted 3, 7, 3, 7 … summed mod 10 is the ninth."""
    if len(digits) != 9 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * (3 if i % 2 == 0 else 7) for i, d in enumerate(digits[:8]))
    return total % 10 == int(digits[8])


_ID_CHECKS: dict[int, tuple[Callable[[str], bool], ...]] = {
    9: (hungarian_taj_valid,),
    10: (iranian_national_id_valid, hungarian_tax_id_valid),
    11: (hungarian_personal_id_valid,),
}


def _classify_digits(raw: str) -> str | None:
    if raw.startswith("+"):
        return None  # an international phone number
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 16 and luhn_valid(digits):
        return CARD_MASK
    if digits.startswith("0") and len(digits) == 11 and digits[1] == "9":
        return None  # an Iranian mobile number (09…), not an id
    if len(digits) == 9 and digits[0] in "2357":
        return None  # Hungarian "20 123 4567" style mobile without trunk prefix: a phone
    for check in _ID_CHECKS.get(len(digits), ()):
        if check(digits):
            return ID_MASK
    return None


def redact(text: str) -> str:
    """`text` with e-mails, cards, national ids and phone numbers masked."""
    if not text:
        return text
    latin = to_latin_digits(text)  # one-to-one: positions stay the same
    spans: list[tuple[int, int, str]] = []
    if "@" in latin:
        spans += [(m.start(), m.end(), EMAIL_MASK) for m in _EMAIL.finditer(latin)]
    if sum(ch.isdigit() for ch in latin) >= 7:
        for match in _DIGIT_RUN.finditer(latin):
            if _overlaps(spans, match.start(), match.end()):
                continue
            mask = _classify_digits(match.group())
            if mask:
                spans.append((match.start(), match.end(), mask))
        for region in _PHONE_REGIONS:
            for found in phonenumbers.PhoneNumberMatcher(
                latin, region, leniency=phonenumbers.Leniency.VALID
            ):
                if not _overlaps(spans, found.start, found.end):
                    spans.append((found.start, found.end, PHONE_MASK))
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end, mask in sorted(spans):
        pieces += [text[last:start], mask]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _overlaps(spans: list[tuple[int, int, str]], start: int, end: int) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end, _ in spans)
