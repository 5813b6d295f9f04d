"""`cxm kpi_rollup --since YYYY-MM-DD`: rebuild the KPI rollups from that day to today
(or everything with `--all`), e.g. after an upgrade, a restore or segment changes."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cxm.analytics.services import kpi_rollup_refresh


class Command(BaseCommand):
    help = "Rebuild the dashboard's daily KPI rollups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="first day to rebuild, YYYY-MM-DD")
        parser.add_argument("--all", action="store_true", help="rebuild every day")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            written = kpi_rollup_refresh(days=None)
        else:
            if not options["since"]:
                raise CommandError("give --since YYYY-MM-DD or --all")
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError(f"not a date: {options['since']}") from exc
            today = timezone.localdate()
            days = [since + dt.timedelta(days=i) for i in range((today - since).days + 1)]
            written = kpi_rollup_refresh(days=days)
        self.stdout.write(f"{written} rollup rows written")
