"""The user's language, calendar and digits, and the one place dates and numbers are formatted.

Every date shown to a person goes through `format_date`; every number through
`format_number`. Persian users see Jalali dates; digits follow the user's choice.
"""

import datetime as dt
from contextvars import ContextVar
from decimal import Decimal

from django.utils import formats, timezone, translation

from cxm.core.jalali import format_jalali
from cxm.core.text import localize_digits

RTL_LANGUAGES = {"fa", "ar"}
DIGIT_STYLES = ("latin", "persian", "arabic")
_digits: ContextVar[str] = ContextVar("cxm_digits", default="")


def activate_digits(style: str) -> None:
    """Set the digit style for the current request ("" means: the language's default)."""
    _digits.set(style if style in DIGIT_STYLES else "")


def current_digits() -> str:
    style = _digits.get()
    if style:
        return style
    return "persian" if translation.get_language() == "fa" else "latin"


def uses_jalali(language: str | None = None) -> bool:
    return (language or translation.get_language() or "").startswith("fa")


def is_rtl(language: str | None = None) -> bool:
    return (language or translation.get_language() or "")[:2] in RTL_LANGUAGES


def format_date(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    """Format a date or datetime for the active language, calendar and digits."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if uses_jalali():
        text = format_jalali(value, with_time=with_time and isinstance(value, dt.datetime))
    elif isinstance(value, dt.datetime) and with_time:
        text = formats.date_format(value, "SHORT_DATETIME_FORMAT")
    else:
        text = formats.date_format(value, "SHORT_DATE_FORMAT")
    return localize_digits(text, current_digits())


def format_number(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """Group thousands and show digits in the user's style."""
    if value is None:
        return ""
    text = formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return localize_digits(text, current_digits())
