"""Periodic jobs on top of django-tasks, which has no scheduling of its own.

An app registers a job in its `AppConfig.ready()`:

    from datetime import timedelta
    from cxm.common.scheduler import register_periodic
    from cxm.sla.tasks import escalate_due

    register_periodic("sla.escalate_due", timedelta(minutes=5), escalate_due)

`cxm scheduler` (a loop, `make run` starts it beside the worker) or `cxm scheduler --once`
(from cron) calls `tick()`. Time is cut into slots of each job's interval, counted from the
Unix epoch in UTC (so a daily job's slot starts at 00:00 UTC). A tick claims the current
slot of each job by inserting a `ScheduledRun` row; the unique (job, slot_start) constraint
decides which scheduler wins, and only the winner enqueues the task, in the same
transaction (with the database task backend the row and the queued task commit together).
Hence a slot runs once even with several schedulers, and after downtime the missed slots
collapse into one run at the next tick. Tasks take no arguments: they look at the clock and
the database themselves.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from cxm.common.models import ScheduledRun

logger = logging.getLogger(__name__)

KEEP_RUNS = dt.timedelta(days=30)
JOB_NAME_MAX_LENGTH = 100  # ScheduledRun.job
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task: Task[[], Any]


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every: dt.timedelta, task: Task[[], Any]) -> PeriodicJob:
    """Run `task` (a django-tasks Task without arguments) once per `every`.

    Call it from `AppConfig.ready()`. Registering a name again replaces the job (ready() may
    run more than once in tests); `every` must be a whole number of seconds, at least one.
    """
    if every < dt.timedelta(seconds=1) or every % dt.timedelta(seconds=1):
        raise ValueError(f"The interval of {name!r} must be a whole number of seconds ≥ 1.")
    if not name or len(name) > JOB_NAME_MAX_LENGTH:
        raise ValueError(f"Bad periodic job name {name!r}.")
    job = PeriodicJob(name=name, every=every, task=task)
    _jobs[name] = job
    return job


def unregister_periodic(name: str) -> None:
    """Forget a job (tests)."""
    _jobs.pop(name, None)


def periodic_jobs() -> list[PeriodicJob]:
    """The registered jobs, by name."""
    return [_jobs[name] for name in sorted(_jobs)]


def slot_start(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The start of the slot of length `every` that holds `now` (UTC, aware)."""
    return now - (now - _EPOCH) % every


def claim_and_enqueue(job: PeriodicJob, *, now: dt.datetime) -> ScheduledRun | None:
    """Claim the job's current slot and enqueue its task; None when the slot is taken.

    On PostgreSQL a second scheduler's INSERT waits for the first one's transaction and then
    conflicts; on SQLite the writes are serialised. Either way one of them enqueues.
    """
    slot = slot_start(now, job.every)
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot_start=slot, enqueued_at=now)
        except IntegrityError:
            return None  # another scheduler has this slot
        # A failure from here on rolls the claim back too, so the next tick tries again.
        result = job.task.enqueue()
        run.task_result_id = str(result.id)
        run.save(update_fields=["task_result_id"])
    logger.info("Enqueued %s for the slot %s (task %s)", job.name, slot, run.task_result_id)
    return run


def prune_runs(*, now: dt.datetime, keep: dt.timedelta = KEEP_RUNS) -> int:
    """Delete the record of runs older than `keep`; returns how many."""
    deleted, _ = ScheduledRun.objects.filter(slot_start__lt=now - keep).delete()
    return deleted


def tick(*, now: dt.datetime | None = None) -> list[ScheduledRun]:
    """One pass: enqueue each job whose current slot nobody has claimed; prune old runs.

    One INSERT per job (a conflict is the common case after the first tick of a slot).
    """
    now = now or timezone.now()
    runs = []
    for job in periodic_jobs():
        if (run := claim_and_enqueue(job, now=now)) is not None:
            runs.append(run)
    prune_runs(now=now)
    return runs
