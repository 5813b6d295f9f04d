"""`cxm.core.queue_log.read_calls`: per-call records from the same parser as queue-stats.

Pure Python, no database. The per-call outcomes are checked against the per-queue figures
of `queue_stats` on the same lines (an independent tally of the same file)."""

import random
from collections import Counter

from cxm.core.queue_log import QueueCallAssembler, ReadReport, queue_stats, read_calls

T0 = 1_700_000_000


def test_calls_of_a_small_log() -> None:
    lines = [
        f"{T0}|c1|q|NONE|ENTERQUEUE||0912|1\n",
        f"{T0 + 12}|c1|q|SIP/1|CONNECT|12|b|2\n",
        f"{T0 + 192}|c1|q|SIP/1|COMPLETEAGENT|12|180|1\n",
        # outcome without ENTERQUEUE (rotated log): arrival implied by the figures
        f"{T0 + 100}|c2|q|NONE|ABANDON|1|1|30\n",
        f"{T0 + 200}|c3|q|SIP/2|TRANSFER|300|ctx|7|50|1\n",
        f"{T0 + 300}|c4|q|NONE|ENTERQUEUE||x|1\n",  # still waiting: not yielded
        f"{T0 + 301}|c4|q|NONE|CUSTOM|x\n",
        "garbage\n",
    ]
    report = ReadReport()
    assembler = QueueCallAssembler()
    calls = list(read_calls(lines, report, assembler))
    assert [(c.call_id, c.outcome) for c in calls] == [
        ("c1", "answered"),
        ("c2", "abandoned"),
        ("c3", "transferred"),
    ]
    c1, c2, c3 = calls
    assert (c1.arrived, c1.answered, c1.ended, c1.wait, c1.talk) == (
        T0,
        T0 + 12,
        T0 + 192,
        12,
        180,
    )
    assert (c1.caller_id, c1.agent, c1.event) == ("0912", "SIP/1", "COMPLETEAGENT")
    assert (c2.arrived, c2.answered, c2.wait, c2.talk, c2.agent) == (T0 + 70, None, 30, None, "")
    assert (c3.arrived, c3.answered, c3.wait, c3.talk) == (T0 + 143, T0 + 150, 7, 50)
    assert report.unreadable == 1
    assert assembler.unknown_events == {"CUSTOM": 1}


def test_exit_with_key_without_waittime_uses_the_clock() -> None:
    lines = [f"{T0}|c|q|NONE|ENTERQUEUE||1|1\n", f"{T0 + 9}|c|q|NONE|EXITWITHKEY|5|1\n"]
    (call,) = read_calls(lines, ReadReport())
    assert (call.outcome, call.wait) == ("exited", 9)


def test_outcomes_agree_with_queue_stats_on_a_random_log() -> None:
    rng = random.Random(7)
    lines = []
    for n in range(300):
        start = T0 + n * 10
        queue = rng.choice(["a", "b"])
        lines.append(f"{start}|c{n}|{queue}|NONE|ENTERQUEUE||09121234567|1\n")
        wait = rng.randint(0, 60)
        kind = rng.choice(["answered", "abandoned", "timeout", "transfer"])
        end = start + wait
        if kind == "abandoned":
            lines.append(f"{end}|c{n}|{queue}|NONE|ABANDON|1|1|{wait}\n")
        elif kind == "timeout":
            lines.append(f"{end}|c{n}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{wait}\n")
        else:
            talk = rng.randint(1, 300)
            lines.append(f"{end}|c{n}|{queue}|ag|CONNECT|{wait}|x|1\n")
            event = "COMPLETECALLER" if kind == "answered" else "BLINDTRANSFER|9|ctx"
            lines.append(f"{end + talk}|c{n}|{queue}|ag|{event}|{wait}|{talk}|1\n")
    lines.sort(key=lambda line: int(line.split("|")[0]))
    calls = list(read_calls(lines, ReadReport()))
    stats = queue_stats(lines)
    for name, figures in stats.queues.items():
        mine = [c for c in calls if c.queue == name]
        outcomes = Counter(c.outcome for c in mine)
        assert len(mine) == figures.total.offered
        assert outcomes["answered"] + outcomes["transferred"] == figures.total.answered
        assert outcomes["abandoned"] == figures.total.abandoned
        assert outcomes["timeout"] == figures.total.timeouts
        answered = [c.wait for c in mine if c.answered is not None]
        assert round(sum(answered) / len(answered), 2) == figures.total.asa
        assert max(c.wait for c in mine) == figures.total.longest_wait
