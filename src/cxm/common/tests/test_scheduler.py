"""cxm.common.scheduler and `cxm scheduler`: one enqueue per slot, across ticks, restarts,
racing schedulers and the command."""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django_tasks import task

from cxm.common import scheduler
from cxm.common.models import ScheduledRun

calls: list[str] = []


@task()
def record_call() -> str:
    calls.append("called")
    return "ok"


JOB = "tests.record_call"
EVERY = dt.timedelta(minutes=15)
T0 = dt.datetime(2025, 3, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def job():
    calls.clear()
    saved = dict(scheduler._jobs)
    scheduler._jobs.clear()
    registered = scheduler.register_periodic(JOB, EVERY, record_call)
    yield registered
    scheduler._jobs.clear()
    scheduler._jobs.update(saved)


def test_slot_start_floors_to_the_interval():
    now = dt.datetime(2025, 3, 10, 8, 29, 59, tzinfo=dt.UTC)
    assert scheduler.slot_start(now, EVERY) == dt.datetime(2025, 3, 10, 8, 15, tzinfo=dt.UTC)
    assert scheduler.slot_start(now, dt.timedelta(days=1)) == dt.datetime(
        2025, 3, 10, tzinfo=dt.UTC
    )


def test_register_rejects_a_bad_interval_and_name():
    with pytest.raises(ValueError):
        scheduler.register_periodic("x", dt.timedelta(0), record_call)
    with pytest.raises(ValueError):
        scheduler.register_periodic("x", dt.timedelta(milliseconds=1500), record_call)
    with pytest.raises(ValueError):
        scheduler.register_periodic("x" * 101, EVERY, record_call)


@pytest.mark.django_db
def test_two_ticks_in_one_slot_enqueue_once_and_the_next_slot_again(job):
    assert [r.job for r in scheduler.tick(now=T0 + dt.timedelta(minutes=1))] == [JOB]
    assert scheduler.tick(now=T0 + dt.timedelta(minutes=14, seconds=59)) == []
    assert calls == ["called"]
    run = ScheduledRun.objects.get()
    assert run.slot_start == T0
    assert run.task_result_id

    assert len(scheduler.tick(now=T0 + EVERY)) == 1
    assert calls == ["called", "called"]
    assert ScheduledRun.objects.count() == 2


@pytest.mark.django_db
def test_missed_slots_run_once_after_a_restart(job):
    scheduler.tick(now=T0)
    # The scheduler was down for three hours: one run at the next tick, not twelve.
    later = T0 + dt.timedelta(hours=3, minutes=2)
    assert len(scheduler.tick(now=later)) == 1
    assert scheduler.tick(now=later + dt.timedelta(seconds=30)) == []
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_racing_scheduler_that_loses_the_insert_does_not_enqueue(job, monkeypatch):
    """Scheduler B's insert conflicts because A inserted the slot between B's checks."""
    assert scheduler.claim_and_enqueue(job, now=T0) is not None
    assert scheduler.claim_and_enqueue(job, now=T0 + dt.timedelta(seconds=1)) is None
    assert calls == ["called"]

    # A failure after the insert (the enqueue) rolls the claim back: the slot stays free.
    def broken_enqueue(*args, **kwargs):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(type(record_call), "enqueue", broken_enqueue)
    with pytest.raises(RuntimeError):
        scheduler.claim_and_enqueue(job, now=T0 + EVERY)
    assert not ScheduledRun.objects.filter(slot_start=T0 + EVERY).exists()


@pytest.mark.django_db
def test_old_runs_are_pruned(job):
    scheduler.tick(now=T0)
    scheduler.tick(now=T0 + dt.timedelta(days=31))
    assert list(ScheduledRun.objects.values_list("slot_start", flat=True)) == [
        T0 + dt.timedelta(days=31)
    ]


@pytest.mark.django_db
def test_the_command_with_once_ticks_once(job):
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert f"{JOB}: enqueued" in out.getvalue()
    call_command("scheduler", "--once", stdout=io.StringIO())
    assert calls == ["called"]
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db
def test_the_loop_stops_on_sigterm(job, monkeypatch):
    """The loop exits cleanly when SIGTERM arrives (sent to this process from a timer)."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals need the main thread")
    timer = threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    out = io.StringIO()
    try:
        call_command("scheduler", "--interval", "0.05", stdout=out)
    finally:
        timer.cancel()
    assert "Scheduler stopped." in out.getvalue()
    assert calls == ["called"]


def test_the_console_script_shows_its_options():
    result = subprocess.run(
        [sys.executable, "-m", "cxm.manage", "scheduler", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--once" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_racing_in_threads_enqueue_once(job):
    """Real concurrency on PostgreSQL: two connections insert the same slot at once."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    barrier = threading.Barrier(2)
    results: list[object] = []

    def claim() -> None:
        try:
            barrier.wait()
            results.append(scheduler.claim_and_enqueue(job, now=T0))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is None for r in results) == [False, True]
    assert calls == ["called"]
    assert ScheduledRun.objects.count() == 1
