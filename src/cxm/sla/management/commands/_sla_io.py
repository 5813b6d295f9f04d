"""Shared input handling of the `sla-deadline` and `sla-elapsed` commands (no database)."""

import datetime as dt
import json
from pathlib import Path

from cxm.common.commands import usage_error as fail
from cxm.core.business_time import Calendar, CalendarError, localize
from cxm.core.text import to_latin_digits


def read_calendar(name: str) -> Calendar:
    """The calendar in JSON file `name`; a one-line `CommandError` for anything wrong."""
    path = Path(name)
    if not path.is_file():
        raise fail(f"no such calendar file: {path}" if not path.exists() else f"not a file: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise fail(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise fail(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    try:
        return Calendar.from_dict(data)
    except CalendarError as exc:
        raise fail(f"invalid calendar {path}: {exc}") from None


def parse_instant(text: str, option: str, cal: Calendar) -> dt.datetime:
    """ISO 8601 with Z, an offset, or none (calendar local time); a date alone is midnight."""
    value = to_latin_digits(text.strip())
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"{option} {text!r} is not an ISO 8601 date-time such as 2026-03-25T08:00:00+03:30"
        ) from None
    return localize(parsed, cal)
