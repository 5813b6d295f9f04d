"""Phone numbers in E.164, with Iran as the default region (09xx… and +98 are one number)."""

import phonenumbers

from cxm.core.text import to_latin_digits


class InvalidPhoneNumber(ValueError):
    """The text is not a valid phone number."""


def normalize_phone(raw: str | None, default_region: str = "IR") -> str:
    """Return the number in E.164 (`+989121234567`), or "" for an empty value.

    Accepts Persian/Arabic digits, spaces, dashes, brackets, a leading 00 and numbers
    without country code (taken in `default_region`). Raises InvalidPhoneNumber otherwise.
    """
    if raw is None:
        return ""
    text = to_latin_digits(str(raw)).strip()
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(raw)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(str(raw))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
