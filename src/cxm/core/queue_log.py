"""Asterisk `queue_log`: a streaming reader and the queue statistics of `cxm queue-stats`.

Pure Python, no Django. One pass over the lines, memory bounded by the calls still open (plus
the calls closed in the last hour of log time, kept to recognise late or out-of-order lines)
and by the number of (queue, interval) buckets of the output.

The format
----------
One event a line, pipe-separated (docs.asterisk.org, "Queue Logs"):

    epoch|callid|queuename|agent|event|data1|data2|…

Whether a version writes `data` as one field with pipes inside or as data1…data5, the line is
the same once split on "|". The data of the events used here:

    ENTERQUEUE        url|callerid|position
    CONNECT           holdtime|bridged channel uniqueid|ringtime
    COMPLETECALLER    holdtime|calltime|origposition       (also COMPLETEAGENT)
    TRANSFER          extension|context|holdtime|calltime|origposition
    BLINDTRANSFER     extension|context|holdtime|calltime|origposition
    ATTENDEDTRANSFER  method|method data|holdtime|calltime|origposition
    ABANDON           position|origposition|waittime       (also EXITWITHTIMEOUT, EXITEMPTY)
    EXITWITHKEY       key|position|origposition|waittime   (waittime missing in old versions)
    RINGNOANSWER      ringtime (ms)

Agent and system events (AGENTLOGIN, ADDMEMBER, PAUSE, QUEUESTART, CONFIGRELOAD, DID, INFO …,
see `AGENT_AND_SYSTEM_EVENTS`) are known and read, but change no call figure here. Any other
well-formed event name (sites log their own) is counted by name in `unknown_events`.

Unreadable lines
----------------
A line is unreadable, and counted in `unreadable_lines` (never dropped silently), when it is
not UTF-8, has fewer than five fields, a time that is not a non-negative number, an event name
that is not a name (letters, digits, "_"), or, for a call event, no call id or queue, or too
few or non-numeric (negative) data fields where the figures are read (holdtime, calltime,
waittime). A last line without its newline that is not a complete known event is a truncated
write and is unreadable too. Blank lines are unreadable lines.

The figures (per queue, per interval and in total)
--------------------------------------------------
Every call is counted in the interval of its **arrival**: the time of its ENTERQUEUE,
intervals aligned on the Unix epoch in UTC (so on UTC midnight when the length divides a
day); each figure of the call (answer, abandon, talk) goes to that interval, even when it
happens later. Intervals without a call are left out of `intervals`.

- `offered`: calls that entered the queue: one per ENTERQUEUE. A call whose ENTERQUEUE is
  not in the file (a log rotated mid-call, a lost line) but whose outcome is (CONNECT,
  COMPLETE*, a transfer, ABANDON, EXIT*) is counted once as offered too, at the arrival its
  outcome implies (event time − holdtime − calltime, or − waittime), so that answered +
  abandoned + timeouts never exceed offered. The same holds for out-of-order lines: an
  ENTERQUEUE read after its call's outcome does not count the call twice.
- `answered`: offered calls connected to an agent (CONNECT; a COMPLETE* or transfer without
  CONNECT implies it, with the holdtime it carries).
- `abandoned`: every ABANDON (the caller hung up while waiting); `short_abandoned` the subset
  with a waittime under `SHORT_ABANDON_SECONDS` (5 s), so short ones are included in
  `abandoned` and also counted apart.
- `timeouts`: EXITWITHTIMEOUT (the queue's timeout sent the caller on). EXITEMPTY and
  EXITWITHKEY are offered calls counted in none of these three.
- `service_level`: answered with holdtime ≤ the threshold (`--answer-within`, seconds) ÷
  (offered − short_abandoned), a fraction 0–1 rounded to 4 places; null when the denominator
  is 0.
- `asa`: mean holdtime of the answered calls, seconds (2 places); null with none answered.
- `aht`: mean handle time of the calls whose talk ended (COMPLETECALLER, COMPLETEAGENT or a
  transfer), seconds (2 places): talk time = their calltime. queue_log records no wrap-up
  (queues.conf `wrapuptime` is not logged), so wrap-up counts as 0; null with no such call.
- `longest_wait`: the longest wait in queue of a call of the interval, seconds: holdtime of
  the answered, waittime of the abandoned, timed-out and exited; null when none.

Calls still waiting or talking at the end of the file are offered and nothing else. A call
open for more than a day of log time without an outcome is forgotten (it stays offered).
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

SHORT_ABANDON_SECONDS = 5
DEFAULT_INTERVAL_MINUTES = 30
DEFAULT_ANSWER_WITHIN = 20.0
MIN_FIELDS = 5
KEEP_CLOSED_SECONDS = 3600  # closed calls remembered this long: late CONNECT/ENTERQUEUE
KEEP_OPEN_SECONDS = 86400  # an open call with no line for a day is forgotten
PRUNE_EVERY = 1 << 16  # lines between two sweeps of the call table
UNREADABLE_EXAMPLES = 10  # line numbers kept for the message

ENTER = "ENTERQUEUE"
CONNECT = "CONNECT"
COMPLETIONS = frozenset({"COMPLETECALLER", "COMPLETEAGENT"})
TRANSFERS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
EXITS = frozenset({"ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"})
CALL_EVENTS = frozenset(
    {ENTER, CONNECT, "RINGNOANSWER", "RINGCANCELED", *COMPLETIONS, *TRANSFERS, *EXITS}
)
AGENT_AND_SYSTEM_EVENTS = frozenset(
    {
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "AGENTDUMP",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "PENALTY",
        "QUEUESTART",
        "CONFIGRELOAD",
        "DID",
        "INFO",
        "SYSCOMPAT",
    }
)
KNOWN_EVENTS = CALL_EVENTS | AGENT_AND_SYSTEM_EVENTS

# The data fields (0-based, after the event) that must be whole seconds, per call event.
_NUMERIC_DATA: dict[str, tuple[int, ...]] = {
    CONNECT: (0,),
    "COMPLETECALLER": (0, 1),
    "COMPLETEAGENT": (0, 1),
    "TRANSFER": (2, 3),
    "BLINDTRANSFER": (2, 3),
    "ATTENDEDTRANSFER": (2, 3),
    "ABANDON": (2,),
    "EXITWITHTIMEOUT": (2,),
    "EXITEMPTY": (2,),
    "RINGNOANSWER": (0,),
}
_WAIT_FIELD = {"ABANDON": 2, "EXITWITHTIMEOUT": 2, "EXITEMPTY": 2, "EXITWITHKEY": 3}
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")

# A bucket: counters of one queue and interval, a list for speed.
_OFFERED, _ANSWERED, _WITHIN, _ABANDONED, _SHORT, _TIMEOUTS = range(6)
_WAIT_SUM, _HANDLED, _TALK_SUM, _LONGEST = range(6, 10)
# A call: [bucket, entered, answered, talked, closed, last_seen]
_BUCKET, _ENTERED, _ANSWERED_FLAG, _TALKED, _CLOSED, _SEEN = range(6)


class QueueLogEvent(NamedTuple):
    """One readable line. `time` in seconds since the epoch (UTC); `data` the fields after
    the event, as written."""

    time: float
    call_id: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]


class QueueLogError(Exception):
    """The file cannot be opened or read at all (not a bad line: those are counted)."""


def _is_name(text: str) -> bool:
    return bool(text) and text[0].isalpha() and text.isascii() and _NAME_CHARS.issuperset(text)


def _number(text: str) -> float | None:
    """A non-negative number of seconds, or None."""
    if text.isdecimal():
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value < float("inf") else None


def parse_line(line: str, *, complete: bool = True) -> QueueLogEvent | None:
    """The event of one line (without or with its line ending), None when it is unreadable.

    `complete=False` marks a last line that lacks its newline: only a known event with all
    its figures is then accepted (anything else is taken for a truncated write).
    """
    fields = line.rstrip("\r\n").split("|")
    if len(fields) < MIN_FIELDS:
        return None
    time = _number(fields[0].strip())
    event = fields[4].strip()
    if time is None or not _is_name(event):
        return None
    data = tuple(fields[5:])
    if event in CALL_EVENTS:
        if not fields[1] or not fields[2]:
            return None
        needed = _NUMERIC_DATA.get(event, ())
        if needed and (
            len(data) <= needed[-1] or any(_number(data[i].strip()) is None for i in needed)
        ):
            return None
    elif not complete and event not in KNOWN_EVENTS:
        return None
    return QueueLogEvent(time, fields[1], fields[2], fields[3], event, data)


@dataclass
class ReadReport:
    """What reading a file skipped: unreadable lines (count and first line numbers)."""

    lines: int = 0
    unreadable: int = 0
    unreadable_line_numbers: list[int] = field(default_factory=list)

    def reject(self, number: int) -> None:
        self.unreadable += 1
        if len(self.unreadable_line_numbers) < UNREADABLE_EXAMPLES:
            self.unreadable_line_numbers.append(number)


def read_events(lines: Iterable[bytes | str], report: ReadReport) -> Iterator[QueueLogEvent]:
    """The readable events of raw lines (bytes are decoded as UTF-8), streaming; unreadable
    lines are counted in `report`."""
    number = 0
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            complete = raw.endswith(b"\n")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.reject(number)
                continue
        else:
            line = raw
            complete = raw.endswith("\n")
        if number == 1:
            line = line.removeprefix("\ufeff")
        event = parse_line(line, complete=complete)
        if event is None:
            report.reject(number)
        else:
            yield event
    report.lines = number


def open_queue_log(path: str | Path) -> IO[bytes] | gzip.GzipFile:
    """The file as binary lines; gzip-compressed (rotated) logs are read transparently."""
    handle = open(path, "rb")  # noqa: SIM115 (returned to the caller)
    try:
        magic = handle.peek(2)[:2] if hasattr(handle, "peek") else b""
        if magic == b"\x1f\x8b":
            handle.close()
            return gzip.open(path, "rb")
    except BaseException:
        handle.close()
        raise
    return handle


@dataclass(frozen=True)
class QueueFigures:
    """The figures of one queue over one interval or in total (see the module docstring)."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    timeouts: int
    service_level: float | None
    asa: float | None
    aht: float | None
    longest_wait: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "short_abandoned": self.short_abandoned,
            "timeouts": self.timeouts,
            "service_level": self.service_level,
            "asa": self.asa,
            "aht": self.aht,
            "longest_wait": self.longest_wait,
        }


@dataclass(frozen=True)
class QueueStats:
    total: QueueFigures
    intervals: list[tuple[dt.datetime, QueueFigures]]


@dataclass(frozen=True)
class QueueLogStats:
    queues: dict[str, QueueStats]
    unreadable_lines: int
    unknown_events: dict[str, int]
    lines: int
    unreadable_line_numbers: list[int]
    calls_without_enterqueue: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of `cxm queue-stats --json`, exactly."""
        return {
            "queues": {
                name: {
                    "total": stats.total.as_dict(),
                    "intervals": [
                        {"start": start.isoformat(), **figures.as_dict()}
                        for start, figures in stats.intervals
                    ],
                }
                for name, stats in self.queues.items()
            },
            "unreadable_lines": self.unreadable_lines,
            "unknown_events": self.unknown_events,
        }


def _new_bucket() -> list[float]:
    return [0, 0, 0, 0, 0, 0, 0, 0, 0, -1]


def _figures(bucket: list[float], answer_within: float) -> QueueFigures:
    offered, answered = int(bucket[_OFFERED]), int(bucket[_ANSWERED])
    short = int(bucket[_SHORT])
    denominator = offered - short
    handled = bucket[_HANDLED]
    longest = bucket[_LONGEST]
    return QueueFigures(
        offered=offered,
        answered=answered,
        abandoned=int(bucket[_ABANDONED]),
        short_abandoned=short,
        timeouts=int(bucket[_TIMEOUTS]),
        service_level=round(bucket[_WITHIN] / denominator, 4) if denominator > 0 else None,
        asa=round(bucket[_WAIT_SUM] / answered, 2) if answered else None,
        aht=round(bucket[_TALK_SUM] / handled, 2) if handled else None,
        longest_wait=longest if longest >= 0 else None,
    )


class QueueStatsCollector:
    """Feed events (in file order) with `add`; `result()` gives the statistics."""

    def __init__(
        self,
        *,
        interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
        answer_within: float = DEFAULT_ANSWER_WITHIN,
    ) -> None:
        if interval_minutes < 1:
            raise ValueError("the interval must be at least 1 minute")
        if not 0 <= answer_within < float("inf"):
            raise ValueError("the answer threshold must be a number of seconds, 0 or more")
        self.width = interval_minutes * 60
        self.answer_within = answer_within
        self.buckets: dict[str, dict[int, list[float]]] = {}
        self.calls: dict[tuple[str, str], list[Any]] = {}
        self.unknown_events: dict[str, int] = {}
        self.without_enterqueue = 0
        self.latest = 0.0
        self._since_prune = 0

    def _bucket(self, queue: str, arrival: float) -> list[float]:
        per_queue = self.buckets.get(queue)
        if per_queue is None:
            per_queue = self.buckets[queue] = {}
        index = int(arrival // self.width)
        bucket = per_queue.get(index)
        if bucket is None:
            bucket = per_queue[index] = _new_bucket()
        return bucket

    def _orphan(self, key: tuple[str, str], arrival: float, now: float) -> list[Any]:
        """A call seen first by its outcome: offered at the arrival the outcome implies."""
        self.without_enterqueue += 1
        bucket = self._bucket(key[1], max(arrival, 0))
        bucket[_OFFERED] += 1
        call = [bucket, False, False, False, False, now]
        self.calls[key] = call
        return call

    def _answer(self, call: list[Any], hold: float) -> None:
        call[_ANSWERED_FLAG] = True
        bucket = call[_BUCKET]
        bucket[_ANSWERED] += 1
        bucket[_WAIT_SUM] += hold
        if hold <= self.answer_within:
            bucket[_WITHIN] += 1
        if hold > bucket[_LONGEST]:
            bucket[_LONGEST] = hold

    def add(self, event: QueueLogEvent) -> None:
        name = event.event
        now = event.time
        if now > self.latest:
            self.latest = now
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self.prune()
        if name not in CALL_EVENTS:
            if name not in AGENT_AND_SYSTEM_EVENTS:
                self.unknown_events[name] = self.unknown_events.get(name, 0) + 1
            return
        key = (event.call_id, event.queue)
        call = self.calls.get(key)
        data = event.data
        if name == ENTER:
            if call is not None and not call[_ENTERED] and now <= call[_SEEN]:
                # An earlier ENTERQUEUE read after its call's outcome, which counted the
                # call already (a later one is the caller entering the queue again).
                call[_ENTERED] = True
                return
            bucket = self._bucket(event.queue, now)
            bucket[_OFFERED] += 1
            self.calls[key] = [bucket, True, False, False, False, now]
        elif name == CONNECT:
            hold = _number(data[0].strip()) or 0
            if call is None or (call[_CLOSED] and not call[_ANSWERED_FLAG]):
                call = self._orphan(key, now - hold, now)
            call[_SEEN] = now
            if not call[_ANSWERED_FLAG]:
                self._answer(call, hold)
        elif name in COMPLETIONS or name in TRANSFERS:
            first = 0 if name in COMPLETIONS else 2
            hold = _number(data[first].strip()) or 0
            talk = _number(data[first + 1].strip()) or 0
            if call is None or (call[_CLOSED] and call[_TALKED]):
                call = self._orphan(key, now - talk - hold, now)
            call[_SEEN] = now
            if not call[_ANSWERED_FLAG]:
                self._answer(call, hold)
            if not call[_TALKED]:
                call[_TALKED] = True
                bucket = call[_BUCKET]
                bucket[_HANDLED] += 1
                bucket[_TALK_SUM] += talk
            call[_CLOSED] = True
        elif name in EXITS:
            position = _WAIT_FIELD[name]
            wait = _number(data[position].strip()) if len(data) > position else None
            if call is None or call[_CLOSED]:
                call = self._orphan(key, now - (wait or 0), now)
            call[_SEEN] = now
            call[_CLOSED] = True
            bucket = call[_BUCKET]
            if name == "ABANDON":
                bucket[_ABANDONED] += 1
                if wait is not None and wait < SHORT_ABANDON_SECONDS:
                    bucket[_SHORT] += 1
            elif name == "EXITWITHTIMEOUT":
                bucket[_TIMEOUTS] += 1
            if wait is not None and wait > bucket[_LONGEST]:
                bucket[_LONGEST] = wait
        elif call is not None:  # RINGNOANSWER, RINGCANCELED: the call is still alive
            call[_SEEN] = now

    def prune(self) -> None:
        """Forget calls closed over an hour ago and calls silent for a day (log time)."""
        self._since_prune = 0
        closed_before = self.latest - KEEP_CLOSED_SECONDS
        open_before = self.latest - KEEP_OPEN_SECONDS
        stale = [
            key
            for key, call in self.calls.items()
            if call[_SEEN] < (closed_before if call[_CLOSED] else open_before)
        ]
        for key in stale:
            del self.calls[key]

    def result(self, report: ReadReport | None = None) -> QueueLogStats:
        report = report or ReadReport()
        queues: dict[str, QueueStats] = {}
        for queue in sorted(self.buckets):
            per_queue = self.buckets[queue]
            total = _new_bucket()
            intervals = []
            for index in sorted(per_queue):
                bucket = per_queue[index]
                for position in range(_LONGEST):
                    total[position] += bucket[position]
                total[_LONGEST] = max(total[_LONGEST], bucket[_LONGEST])
                start = dt.datetime.fromtimestamp(index * self.width, tz=dt.UTC)
                intervals.append((start, _figures(bucket, self.answer_within)))
            queues[queue] = QueueStats(_figures(total, self.answer_within), intervals)
        return QueueLogStats(
            queues=queues,
            unreadable_lines=report.unreadable,
            unknown_events=dict(sorted(self.unknown_events.items())),
            lines=report.lines,
            unreadable_line_numbers=list(report.unreadable_line_numbers),
            calls_without_enterqueue=self.without_enterqueue,
        )


def queue_stats(
    lines: Iterable[bytes | str],
    *,
    interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
    answer_within: float = DEFAULT_ANSWER_WITHIN,
) -> QueueLogStats:
    """The statistics of queue_log lines (bytes or str), read once, streaming."""
    collector = QueueStatsCollector(interval_minutes=interval_minutes, answer_within=answer_within)
    report = ReadReport()
    add = collector.add
    for event in read_events(lines, report):
        add(event)
    return collector.result(report)


# --- Per-call records (the contact-center interactions import) -----------------------------

CALL_OUTCOMES = {
    "COMPLETECALLER": "answered",
    "COMPLETEAGENT": "answered",
    "TRANSFER": "transferred",
    "BLINDTRANSFER": "transferred",
    "ATTENDEDTRANSFER": "transferred",
    "ABANDON": "abandoned",
    "EXITWITHTIMEOUT": "timeout",
    "EXITEMPTY": "exited",
    "EXITWITHKEY": "exited",
}


@dataclass(frozen=True)
class QueueCall:
    """One call's stay in one queue, from its ENTERQUEUE to its outcome (times in seconds
    since the epoch, UTC). `arrived` is implied by the outcome when the ENTERQUEUE is missing;
    `answered` is None for calls that were never connected; `talk` is None then too."""

    call_id: str
    queue: str
    caller_id: str
    agent: str
    arrived: float
    answered: float | None
    ended: float
    wait: float
    talk: float | None
    outcome: str  # one of CALL_OUTCOMES' values
    event: str  # the closing event, e.g. COMPLETECALLER


class QueueCallAssembler:
    """Turns events (in file order) into `QueueCall`s: `add` returns the call an event
    closes, or None. Calls still open at the end of the file are not returned (a later import
    of the grown file sees them whole). Unknown event names are counted in `unknown_events`.
    """

    def __init__(self) -> None:
        # (call id, queue) -> [arrived, caller id, connected at, hold, agent, last seen]
        self.open: dict[tuple[str, str], list[Any]] = {}
        self.unknown_events: dict[str, int] = {}
        self.latest = 0.0
        self._since_prune = 0

    def add(self, event: QueueLogEvent) -> QueueCall | None:
        name, now, data = event.event, event.time, event.data
        self.latest = max(self.latest, now)
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._prune()
        if name not in CALL_EVENTS:
            if name not in AGENT_AND_SYSTEM_EVENTS:
                self.unknown_events[name] = self.unknown_events.get(name, 0) + 1
            return None
        key = (event.call_id, event.queue)
        if name == ENTER:
            caller = data[1].strip() if len(data) > 1 else ""
            self.open[key] = [now, caller, None, None, "", now]
            return None
        call = self.open.get(key)
        if name == CONNECT:
            hold = _number(data[0].strip()) or 0
            if call is None:
                call = self.open[key] = [now - hold, "", None, None, "", now]
            call[2], call[3], call[4], call[5] = now, hold, event.agent, now
            return None
        if name not in CALL_OUTCOMES:  # RINGNOANSWER, RINGCANCELED: still waiting
            if call is not None:
                call[5] = now
            return None
        self.open.pop(key, None)
        arrived = call[0] if call is not None else None
        caller = call[1] if call is not None else ""
        if name in EXITS:
            position = _WAIT_FIELD[name]
            waited = _number(data[position].strip()) if len(data) > position else None
            if waited is None:
                waited = now - arrived if arrived is not None else 0.0
            return QueueCall(
                call_id=event.call_id,
                queue=event.queue,
                caller_id=caller,
                agent="",
                arrived=arrived if arrived is not None else now - waited,
                answered=None,
                ended=now,
                wait=waited,
                talk=None,
                outcome=CALL_OUTCOMES[name],
                event=name,
            )
        first = 0 if name in COMPLETIONS else 2
        hold = _number(data[first].strip()) or 0
        talk = _number(data[first + 1].strip()) or 0
        connected = call[2] if call is not None and call[2] is not None else now - talk
        return QueueCall(
            call_id=event.call_id,
            queue=event.queue,
            caller_id=caller,
            agent=event.agent or (call[4] if call is not None else ""),
            arrived=arrived if arrived is not None else connected - hold,
            answered=connected,
            ended=now,
            wait=hold,
            talk=talk,
            outcome=CALL_OUTCOMES[name],
            event=name,
        )

    def _prune(self) -> None:
        self._since_prune = 0
        before = self.latest - KEEP_OPEN_SECONDS
        for key in [key for key, call in self.open.items() if call[5] < before]:
            del self.open[key]


def read_calls(
    lines: Iterable[bytes | str],
    report: ReadReport,
    assembler: QueueCallAssembler | None = None,
) -> Iterator[QueueCall]:
    """The completed calls of queue_log lines, streaming, in the order they end; unreadable
    lines are counted in `report`, unknown events in `assembler.unknown_events`."""
    assembler = assembler or QueueCallAssembler()
    add = assembler.add
    for event in read_events(lines, report):
        call = add(event)
        if call is not None:
            yield call
