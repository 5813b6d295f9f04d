"""`cxm import_queue_log FILE`: upsert the completed calls of an Asterisk queue_log as
interactions (idempotent: importing the same file again creates nothing new).

Reading is `cxm.core.queue_log.read_calls` (the parser of `cxm queue-stats`); writing is
`cxm.contactcenter.services.interactions_import_queue_log`. The file (plain or gzip) is
streamed, never loaded whole.
"""

import json
import zlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.common.commands import usage_error
from cxm.contactcenter.services import interactions_import_queue_log
from cxm.core import queue_log


class Command(BaseCommand):
    help = (
        "Import the completed calls of an Asterisk queue_log (plain or gzip) as contact-center "
        "interactions, one per call and queue, linking customers by caller id and agents by "
        "alias or username. Prints created, updated, unreadable_lines and unknown_events."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise usage_error(f"no such file: {path}")
        try:
            with queue_log.open_queue_log(path) as source:
                result = interactions_import_queue_log(lines=source)
        except (OSError, EOFError, zlib.error) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise usage_error(f"cannot read {path}: {reason}") from None
        if result.unreadable_lines:
            numbers = ", ".join(str(n) for n in result.unreadable_line_numbers)
            self.stderr.write(
                f"{result.unreadable_lines} of {result.lines} line(s) unreadable: lines {numbers}"
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        unknown = ", ".join(f"{k} ({v})" for k, v in result.unknown_events.items()) or "none"
        self.stdout.write(
            f"created: {result.created}, updated: {result.updated}, "
            f"unreadable lines: {result.unreadable_lines}, unknown events: {unknown}"
        )
