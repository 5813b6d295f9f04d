"""`cxm sla-elapsed`: business minutes between two instants on a JSON calendar."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.core.business_time import business_minutes_between
from cxm.sla.management.commands._sla_io import fail, parse_instant, read_calendar


class Command(BaseCommand):
    help = (
        "Print the business minutes between --start and --end on the working calendar in "
        "--calendar (JSON: timezone, week, holidays): a whole number when whole, else a "
        "decimal. Instants without an offset are calendar local time. An end before the "
        "start and any invalid input are errors on stderr with exit status 2."
    )
    requires_system_checks: list[str] = []  # no database, no apps needed: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, metavar="ISO8601")
        parser.add_argument("--end", required=True, metavar="ISO8601")
        parser.add_argument("--calendar", required=True, metavar="FILE.json")

    def handle(self, *args: Any, **options: Any) -> None:
        cal = read_calendar(options["calendar"])
        start = parse_instant(options["start"], "--start", cal)
        end = parse_instant(options["end"], "--end", cal)
        if end < start:
            raise fail(f"--end {options['end']} is before --start {options['start']}")
        self.stdout.write(format_minutes(business_minutes_between(start, end, cal)))


def format_minutes(value: float) -> str:
    """`480`, or a decimal without trailing zeros (`90.5`, `0.333333`)."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
