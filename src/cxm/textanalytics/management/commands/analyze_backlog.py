"""`cxm analyze_backlog`: store and analyse every text that has not been (survey comments
and inbound case messages with no TextItem yet, then every waiting TextItem), in batches.

Resumable: each batch commits on its own and the next run starts from what still waits, so
stopping it (Ctrl-C, a deploy) loses at most one batch of work. `--reanalyse` runs the
current model over texts analysed by another model version (after activating a new one).
Progress goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cxm.textanalytics import engine, services, tasks
from cxm.textanalytics.models import TextItem


class Command(BaseCommand):
    help = "Store and analyse the texts that have not been analysed yet (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=services.BATCH_SIZE)
        parser.add_argument(
            "--days", type=int, default=None, help="Only sources of the last N days (all: omit)."
        )
        parser.add_argument(
            "--reanalyse",
            action="store_true",
            help="Also texts analysed by another model version than the active one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, int(options["batch_size"]))
        since = timezone.now() - dt.timedelta(days=options["days"]) if options["days"] else None
        response_ids, message_ids = tasks.missing_sources(since=since)
        stored = 0
        for start in range(0, len(response_ids), batch):
            stored += len(
                services.text_items_from_responses(response_ids=response_ids[start : start + batch])
            )
        for start in range(0, len(message_ids), batch):
            stored += len(
                services.text_items_from_case_messages(
                    message_ids=message_ids[start : start + batch]
                )
            )
        self.stderr.write(f"Stored {stored} new texts.")
        total = TextItem.objects.filter(analysed_at__isnull=True).count()
        started = time.monotonic()
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            done += n
            rate = done / max(time.monotonic() - started, 1e-6)
            end = "\r" if sys.stderr.isatty() else "\n"
            self.stderr.write(f"Analysed {done}/{total} ({rate:.0f}/s)", ending=end)

        services.text_items_analyse(batch_size=batch, progress=progress)
        if options["reanalyse"]:
            current = self._current_version()
            stale = (
                TextItem.objects.filter(analysed_at__isnull=False)
                .exclude(model_version=current)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            ids = list(stale)
            total += len(ids)
            services.text_items_analyse(
                item_ids=ids, reanalyse=True, batch_size=batch, progress=progress
            )
        self.stderr.write("")
        self.stdout.write(f"{done} texts analysed.")

    @staticmethod
    def _current_version() -> str:
        """The version the pipeline writes now (one analysis of a short text)."""
        analyses = engine.analyse_texts(["ok"])
        return analyses[0].model_version if analyses else ""
