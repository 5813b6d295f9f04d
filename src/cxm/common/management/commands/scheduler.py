"""`cxm scheduler`: enqueue the registered periodic jobs (cxm.common.scheduler) when due.

Runs a tick every `--interval` seconds until SIGTERM or SIGINT; `--once` runs one tick and
exits (for cron). Several schedulers may run at once: each slot is enqueued once.
"""

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from cxm.common import scheduler

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue the periodic jobs that are due (a loop, or one pass with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between ticks (default 30)."
        )
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self._tick()
            return
        interval = options["interval"]
        if interval <= 0:
            interval = 30.0
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        jobs = ", ".join(f"{j.name} ({j.every})" for j in scheduler.periodic_jobs()) or "none"
        self.stdout.write(f"Scheduler started, a tick every {interval:g} s; jobs: {jobs}")
        try:
            while not stop.is_set():
                try:
                    self._tick()
                except Exception:  # e.g. the database restarting: try again next tick
                    logger.exception("Scheduler tick failed")
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Scheduler stopped.")

    def _tick(self) -> None:
        if not connection.in_atomic_block:  # (a test's transaction must stay open)
            close_old_connections()  # a long-lived loop must not keep a broken connection
        for run in scheduler.tick():
            self.stdout.write(f"{run.job}: enqueued for {run.slot_start.isoformat()}")
