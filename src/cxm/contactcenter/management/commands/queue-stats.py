"""`cxm queue-stats`: per-queue, per-interval call figures from an Asterisk queue_log.

A thin wrapper: reading and every definition are in `cxm.core.queue_log` (see its module
docstring for what offered, answered, abandoned, service level, ASA, AHT and longest wait
mean). No database is touched; the file is streamed, never loaded whole.
"""

import json
import math
import zlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.common.commands import usage_error as _fail
from cxm.core import queue_log


def _interval(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise _fail(f"--interval-minutes must be a whole number of minutes, not {text!r}") from None
    if not 1 <= value <= 7 * 1440:
        raise _fail(f"--interval-minutes must be between 1 and 10080, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise _fail(f"--answer-within must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise _fail(f"--answer-within must be 0 seconds or more, not {text!r}")
    return value


class Command(BaseCommand):
    help = (
        "Read an Asterisk queue_log (plain or gzip) and print, per queue, in total and per "
        "interval of arrival (UTC, ISO 8601 starts): offered, answered, abandoned, "
        "short_abandoned (abandons under 5 s, also in abandoned), timeouts (EXITWITHTIMEOUT), "
        "service_level (answered within --answer-within seconds / (offered - short "
        "abandons), 0-1, null when undefined), asa and aht (seconds; AHT is talk time, "
        "queue_log logs no wrap-up) and longest_wait. Unreadable lines are counted in "
        "unreadable_lines, unknown events by name. Usage errors exit with 2."
    )
    requires_system_checks: list[str] = []  # no database, no apps needed: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-log", required=True, metavar="FILE")
        parser.add_argument(
            "--interval-minutes",
            default=str(queue_log.DEFAULT_INTERVAL_MINUTES),
            metavar="M",
            help="interval length in minutes (default 30), aligned on UTC",
        )
        parser.add_argument(
            "--answer-within",
            default=str(int(queue_log.DEFAULT_ANSWER_WITHIN)),
            metavar="SECONDS",
            help="service-level threshold in seconds (default 20)",
        )
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object (else a short table)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = _interval(str(options["interval_minutes"]))
        answer_within = _seconds(str(options["answer_within"]))
        path = Path(options["queue_log"])
        if not path.exists():
            raise _fail(f"no such file: {path}")
        if not path.is_file():
            raise _fail(f"not a file: {path}")
        try:
            with queue_log.open_queue_log(path) as source:
                stats = queue_log.queue_stats(
                    source, interval_minutes=interval, answer_within=answer_within
                )
        except (OSError, EOFError, zlib.error) as exc:  # unreadable, or a damaged gzip file
            reason = getattr(exc, "strerror", None) or exc
            raise _fail(f"cannot read {path}: {reason}") from None
        self._report_to_stderr(stats)
        if options["json"]:
            self.stdout.write(json.dumps(stats.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(_table(stats))

    def _report_to_stderr(self, stats: queue_log.QueueLogStats) -> None:
        if stats.unreadable_lines:
            numbers = ", ".join(str(n) for n in stats.unreadable_line_numbers)
            more = ", …" if stats.unreadable_lines > len(stats.unreadable_line_numbers) else ""
            self.stderr.write(
                f"{stats.unreadable_lines} of {stats.lines} line(s) unreadable "
                f"(counted in unreadable_lines): lines {numbers}{more}"
            )
        if stats.calls_without_enterqueue:
            self.stderr.write(
                f"{stats.calls_without_enterqueue} call(s) had an outcome but no ENTERQUEUE "
                "before it; each is counted as offered at the arrival its outcome implies"
            )
        if stats.unknown_events:
            names = ", ".join(f"{k} ({v})" for k, v in stats.unknown_events.items())
            self.stderr.write(f"unknown events, counted and otherwise ignored: {names}")
        if not stats.queues:
            self.stderr.write("warning: no call events in the file")


def _table(stats: queue_log.QueueLogStats) -> str:
    header = ("queue", "offered", "answered", "abandoned", "short", "timeouts", "SL", "ASA")
    rows: list[tuple[str, ...]] = [header]
    for name, queue in stats.queues.items():
        t = queue.total
        sl = "-" if t.service_level is None else f"{t.service_level:.1%}"
        asa = "-" if t.asa is None else f"{t.asa:.1f}"
        rows.append(
            (name, *(str(v) for v in (t.offered, t.answered, t.abandoned)),
             str(t.short_abandoned), str(t.timeouts), sl, asa)
        )  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"unreadable lines: {stats.unreadable_lines}")
    return "\n".join(lines)
