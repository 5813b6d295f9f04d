"""`cxm sla-deadline`: the instant N business minutes after a start, on a JSON calendar."""

import math
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.core.business_time import CalendarError, add_business_minutes
from cxm.core.text import to_latin_digits
from cxm.sla.management.commands._sla_io import fail, parse_instant, read_calendar


class Command(BaseCommand):
    help = (
        "Print the deadline N business minutes after --start on the working calendar in "
        "--calendar (JSON: timezone, week, holidays), as ISO 8601 in the calendar's time "
        "zone. A start without an offset is calendar local time; a start outside working "
        "hours counts from the next opening. Errors go to stderr with exit status 2."
    )
    requires_system_checks: list[str] = []  # no database, no apps needed: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, metavar="ISO8601")
        parser.add_argument(
            "--minutes", required=True, metavar="N", help="business minutes, 0 or more"
        )
        parser.add_argument("--calendar", required=True, metavar="FILE.json")

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = parse_minutes(str(options["minutes"]))
        cal = read_calendar(options["calendar"])
        start = parse_instant(options["start"], "--start", cal)
        try:
            deadline = add_business_minutes(start, minutes, cal)
        except CalendarError as exc:
            raise fail(str(exc)) from None
        except OverflowError:
            raise fail("the deadline is beyond the supported dates") from None
        self.stdout.write(deadline.isoformat())


def parse_minutes(text: str) -> float:
    try:
        value = float(to_latin_digits(text.strip()))
    except ValueError:
        raise fail(f"--minutes {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise fail(f"--minutes must be a finite number of at least 0, not {text!r}")
    return value
