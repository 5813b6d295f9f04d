"""Asterisk queue_log reading speed and the whole `cxm queue-stats` on 1,000,000 lines.

Figures (issue 7): `queue_log` import >= 50,000 lines/s; `cxm queue-stats` on 1,000,000
lines < 30 s.

How it is measured:
- A realistic queue_log of 1,000,000 lines is generated here (fixed seed) in a temporary
  folder: five queues over about 20 days, 60 agents logging in and out, pausing and
  unpausing, calls that ring unanswered, connect and complete (caller or agent), transfer
  (plain, blind, attended), abandon (some under 5 s), time out, exit empty or by key;
  QUEUESTART, CONFIGRELOAD, DID, INFO, a site's own events, and a few broken lines. Lines
  are in time order, as Asterisk writes them.
- `parse_lines_per_s` (checked >= 50,000): `cxm.core.queue_log.read_events` over the file
  (decoding, splitting, validation), the reading half of an import.
- `command_s` (checked < 30 s): `call_command("queue-stats", ..., json=True)`, i.e. reading
  and the statistics of every queue and interval, JSON written.
- Reference, same run: a bare `for line in file: line.split(b"|")` pass over the same file.
- Correctness: the command's offered, answered, abandoned and timeouts totals must equal
  those the generator wrote, and the broken lines must all be counted unreadable.
"""

from __future__ import annotations

import io
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

NAME = "queue_stats"
LINES = 1_000_000
TARGET_LINES_PER_S = 50_000.0
TARGET_COMMAND_S = 30.0
QUEUES = ("sales", "support", "billing", "vip", "پشتیبانی")
AGENTS = [f"Agent/{1000 + i}" for i in range(60)]
START = 1_704_067_200  # 2024-01-01T00:00:00Z


def generate(path: Path, lines: int = LINES, seed: int = 7) -> dict[str, Any]:
    """Write about `lines` lines of queue_log to `path`; return the true totals."""
    rng = random.Random(seed)
    events: list[tuple[int, int, str]] = []  # (time, order, line)
    truth = {"offered": 0, "answered": 0, "abandoned": 0, "timeouts": 0, "broken": 0}
    order = 0

    def emit(when: int, call: str, queue: str, agent: str, event: str, *data: object) -> None:
        nonlocal order
        order += 1
        text = "|".join([str(when), call, queue, agent, event, *(str(d) for d in data)])
        events.append((when, order, text))

    now = START
    events_target = lines
    call_number = 0
    while len(events) < events_target:
        now += rng.randint(0, 3)
        queue = rng.choice(QUEUES)
        roll = rng.random()
        if roll < 0.06:  # agent and system events
            agent = rng.choice(AGENTS)
            kind = rng.choice(
                ["PAUSE", "UNPAUSE", "ADDMEMBER", "REMOVEMEMBER", "AGENTLOGIN", "AGENTLOGOFF"]
            )
            emit(now, "NONE", queue, agent, kind, "" if kind != "PAUSE" else "lunch")
            continue
        if roll < 0.065:
            kind = rng.choice(["QUEUESTART", "CONFIGRELOAD", "PAUSEALL", "UNPAUSEALL"])
            emit(now, "NONE", "NONE", "NONE", kind, "")
            continue
        if roll < 0.067:
            emit(now, f"{now}.{call_number}", queue, "NONE", rng.choice(["SURVEY", "CALLBACK"]))
            continue
        if roll < 0.0675:  # broken lines: truncated, wrong field count, bad time
            truth["broken"] += 1
            order += 1
            bad = rng.choice([f"{now}|1.2|sal", "garbage", f"x{now}|1|q|NONE|ENTERQUEUE||1|1"])
            events.append((now, order, bad))
            continue
        call_number += 1
        call = f"{now}.{call_number}"
        truth["offered"] += 1
        emit(now, call, queue, "NONE", "DID", "02188776655")
        emit(now, call, queue, "NONE", "ENTERQUEUE", "", f"0912{call_number % 10**7:07d}", 1)
        wait = int(rng.expovariate(1 / 25))
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            emit(now + rng.randint(0, wait), call, queue, rng.choice(AGENTS), "RINGNOANSWER", 15000)
        outcome = rng.random()
        end = now + wait
        if outcome < 0.78:
            truth["answered"] += 1
            agent = rng.choice(AGENTS)
            emit(end, call, queue, agent, "CONNECT", wait, f"{end}.{call_number + 1}", 3)
            talk = int(rng.lognormvariate(5, 0.6))
            split = rng.random()
            if split < 0.85:
                done = rng.choice(["COMPLETECALLER", "COMPLETEAGENT"])
                emit(end + talk, call, queue, agent, done, wait, talk, 1)
            elif split < 0.93:
                emit(
                    end + talk,
                    call,
                    queue,
                    agent,
                    "TRANSFER",
                    "200",
                    "from-internal",
                    wait,
                    talk,
                    1,
                )
            elif split < 0.97:
                emit(
                    end + talk, call, queue, agent, "BLINDTRANSFER", "300", "default", wait, talk, 1
                )
            else:
                emit(
                    end + talk, call, queue, agent, "ATTENDEDTRANSFER", "BRIDGE", "x", wait, talk, 1
                )
        elif outcome < 0.93:
            truth["abandoned"] += 1
            emit(end, call, queue, "NONE", "ABANDON", 1, 1, wait)
        elif outcome < 0.97:
            truth["timeouts"] += 1
            emit(end, call, queue, "NONE", "EXITWITHTIMEOUT", 1, 1, wait)
        elif outcome < 0.99:
            emit(end, call, queue, "NONE", "EXITEMPTY", 1, 1, wait)
        else:
            emit(end, call, queue, "NONE", "EXITWITHKEY", "5", 1, 1, wait)
        if rng.random() < 0.02:
            emit(now, call, queue, "NONE", "INFO", "note")
    events.sort()
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for _, _, text in events:
            out.write(text + "\n")
    truth["lines"] = len(events)
    return truth


def _reference_s(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as source:
        for line in source:
            line.split(b"|")
    return time.perf_counter() - started


def _parse_s(path: Path) -> tuple[float, int]:
    from cxm.core.queue_log import ReadReport, open_queue_log, read_events

    report = ReadReport()
    started = time.perf_counter()
    with open_queue_log(path) as source:
        events = sum(1 for _ in read_events(source, report))
    return time.perf_counter() - started, events


def run() -> dict[str, Any]:
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "queue_log"
        started = time.perf_counter()
        truth = generate(path)
        generate_s = time.perf_counter() - started
        lines = truth["lines"]
        reference_s = _reference_s(path)
        parse_s, events = _parse_s(path)
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        call_command("queue-stats", queue_log=str(path), json=True, stdout=out, stderr=err)
        command_s = time.perf_counter() - started
    data = json.loads(out.getvalue())
    totals = {
        key: sum(q["total"][key] for q in data["queues"].values())
        for key in ("offered", "answered", "abandoned", "timeouts")
    }
    expected = {key: truth[key] for key in totals}
    if totals != expected or data["unreadable_lines"] != truth["broken"]:
        raise AssertionError(
            f"queue-stats totals {totals}, unreadable {data['unreadable_lines']}; "
            f"the generator wrote {expected}, {truth['broken']} broken lines"
        )
    reference_per_s = round(lines / reference_s, 1)
    return {
        "lines": lines,
        "events_read": events,
        "generate_s": round(generate_s, 2),
        "reference_split_s": round(reference_s, 3),
        "parse_s": round(parse_s, 3),
        "command_s": round(command_s, 3),
        "truth": truth,
        "totals": totals,
        "unknown_events": data["unknown_events"],
        "checks": [
            {
                "metric": "parse_lines_per_s",
                "value": round(lines / parse_s, 1),
                "target": TARGET_LINES_PER_S,
                "better": "higher",
                "unit": "lines/s",
                "reference": reference_per_s,
            },
            {
                "metric": "queue_stats_1M_lines_s",
                "value": round(command_s, 3),
                "target": TARGET_COMMAND_S,
                "better": "lower",
                "unit": "s",
                "reference": round(reference_s, 3),
            },
        ],
    }
