"""Jalali (Solar Hijri) dates: formatting and parsing with jdatetime."""

import datetime as dt
import re

import jdatetime

from cxm.core.text import to_latin_digits

_DATE = re.compile(r"^\s*(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})\s*$")


def to_jalali(value: dt.date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=value)


def format_jalali(value: dt.date | dt.datetime, with_time: bool = False) -> str:
    """`1403/05/12` (or `1403/05/12 14:30` for datetimes with `with_time`), ASCII digits."""
    if isinstance(value, dt.datetime):
        jd = jdatetime.datetime.fromgregorian(datetime=value)
        return jd.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")
    return to_jalali(value).strftime("%Y/%m/%d")


def parse_date(text: str, prefer_jalali: bool) -> dt.date:
    """Parse `YYYY/MM/DD` (any digits, / - or . separators) as Jalali or Gregorian.

    A year below 1700 is always Jalali; one above is always Gregorian, so a Persian user
    who types a Gregorian date still gets it right. Raises ValueError when invalid.
    """
    match = _DATE.match(to_latin_digits(text))
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    jalali = year < 1700 if year < 1700 or year > 1900 else prefer_jalali
    if jalali:
        return jdatetime.date(year, month, day).togregorian()
    return dt.date(year, month, day)
