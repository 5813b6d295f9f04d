"""`cxm.core.queue_log`: a hand-written queue_log whose figures are worked out by hand below.

Format and event data as in the Asterisk documentation, "Queue Logs"
(docs.asterisk.org/Configuration/Applications/Queues/Queue-Logs/).
"""

import gzip

import pytest

from cxm.core import queue_log
from cxm.core.queue_log import parse_line, queue_stats

T0 = 1_704_067_200  # 2024-01-01T00:00:00Z; the 30-minute intervals start at T0 and T0 + 1800

HAND_LOG = b"""\
1704067200|NONE|NONE|NONE|QUEUESTART|
1704067200|NONE|sales|Agent/1|ADDMEMBER|
1704067201|NONE|sales|Agent/1|PAUSE|lunch
1704067202|NONE|sales|Agent/1|UNPAUSE|
1704067205|c1|sales|NONE|ENTERQUEUE||09120000001|1
1704067210|c1|sales|Agent/3|RINGNOANSWER|5000
1704067215|c1|sales|Agent/1|CONNECT|10|b1|2
1704067315|c1|sales|Agent/1|COMPLETECALLER|10|100|1
1704067300|c2|sales|NONE|ENTERQUEUE||09120000002|1
1704067303|c2|sales|NONE|ABANDON|1|1|3
1704067400|c3|sales|NONE|ENTERQUEUE||09120000003|1
1704067460|c3|sales|NONE|EXITWITHTIMEOUT|1|1|60
1704067500|c4|sales|NONE|ENTERQUEUE||09120000004|1
1704067530|c4|sales|Agent/2|CONNECT|30|b4|5
1704067730|c4|sales|Agent/2|TRANSFER|200|from-internal|30|200|1
1704067600|c5|sales|NONE|ENTERQUEUE||09120000005|1
1704067612|c5|sales|NONE|ABANDON|1|1|12
1704067650|c6|sales|NONE|CALLBACKREQUEST|09120000006
1704067700|c7|sal
1704069100|c8|sales|Agent/1|CONNECT|5|b8|1
1704069200|c8|sales|Agent/1|COMPLETEAGENT|5|100|1
1704069400|c9|sales|Agent/2|COMPLETEAGENT|15|60|1
1704069325|c9|sales|NONE|ENTERQUEUE||09120000009|1
1704069340|c9|sales|Agent/2|CONNECT|15|b9|2
1704069500|c10|sales|NONE|ENTERQUEUE||\xff\xfe|1
1704069500|c11|sales
abc|c12|sales|NONE|ENTERQUEUE||09120000012|1
1704069600|c13|sales|Agent/1|CONNECT|xx|b13|1
1704069700|d1|support|NONE|ENTERQUEUE||09120000021|1
1704069701|d1|support|NONE|EXITEMPTY|1|1|1
1704069800|d2|support|NONE|ENTERQ"""
# By hand, sales, interval 00:00 (arrivals c1 205, c2 300, c3 400, c4 500, c5 600):
#   offered 5; answered c1 (hold 10), c4 (hold 30): 2, within 20 s: 1; abandoned c2 (3 s,
#   short), c5 (12 s): 2, short 1; timeout c3: 1; SL 1 / (5 - 1) = 0.25; ASA (10 + 30) / 2 = 20;
#   AHT talk (100 + 200) / 2 = 150; longest wait max(10, 3, 60, 30, 12) = 60.
# Sales, interval 00:30: c8 has a CONNECT but no ENTERQUEUE: offered at 1704069100 - 5
#   (00:30 interval) and answered; c9's lines are out of order (COMPLETEAGENT first): one call,
#   arrival 1704069400 - 60 - 15 = 1704069325 = its ENTERQUEUE. Offered 2, answered 2 (hold 5
#   and 15, both within), SL 1.0, ASA 10, AHT (100 + 60) / 2 = 80, longest 15.
# Support: d1 offered 00:30 and exits empty after 1 s: SL 0 / 1 = 0, ASA and AHT null.
# Unreadable: the truncated "c7" line, the bad UTF-8 "c10", the 3-field "c11", the
#   non-numeric time "abc", the CONNECT with holdtime "xx", the last line cut without newline.


def interval(offered, answered, abandoned, short, timeouts, sl, asa, aht, longest):
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "short_abandoned": short,
        "timeouts": timeouts,
        "service_level": sl,
        "asa": asa,
        "aht": aht,
        "longest_wait": longest,
    }


def test_hand_computed_figures():
    stats = queue_stats(HAND_LOG.splitlines(keepends=True)).as_dict()

    assert stats["unreadable_lines"] == 6
    assert stats["unknown_events"] == {"CALLBACKREQUEST": 1}
    sales = stats["queues"]["sales"]
    assert sales["intervals"] == [
        {"start": "2024-01-01T00:00:00+00:00", **interval(5, 2, 2, 1, 1, 0.25, 20.0, 150.0, 60)},
        {"start": "2024-01-01T00:30:00+00:00", **interval(2, 2, 0, 0, 0, 1.0, 10.0, 80.0, 15)},
    ]
    # Total: SL (1 + 2) / (7 - 1); ASA (10 + 30 + 5 + 15) / 4; AHT (100 + 200 + 100 + 60) / 4.
    assert sales["total"] == interval(7, 4, 2, 1, 1, 0.5, 15.0, 115.0, 60)
    support = stats["queues"]["support"]
    assert support["total"] == interval(1, 0, 0, 0, 0, 0.0, None, None, 1)
    assert [i["start"] for i in support["intervals"]] == ["2024-01-01T00:30:00+00:00"]
    assert list(stats["queues"]) == ["sales", "support"]  # no "NONE" queue from QUEUESTART


def test_the_report_names_the_unreadable_lines_and_the_call_without_enterqueue():
    stats = queue_stats(HAND_LOG.splitlines(keepends=True))
    assert stats.unreadable_line_numbers == [19, 25, 26, 27, 28, 31]
    assert stats.lines == 31
    assert stats.calls_without_enterqueue == 2  # c8 (never entered), c9 (entered late)


def test_threshold_is_inclusive_and_intervals_merge():
    stats = queue_stats(
        HAND_LOG.splitlines(keepends=True), interval_minutes=60, answer_within=10
    ).as_dict()
    sales = stats["queues"]["sales"]
    assert len(sales["intervals"]) == 1
    assert sales["intervals"][0]["start"] == "2024-01-01T00:00:00+00:00"
    # Within 10 s: c1 (exactly 10) and c8 (5); not c4 (30) nor c9 (15): 2 / 6.
    assert sales["total"]["service_level"] == round(2 / 6, 4)
    assert {k: v for k, v in sales["intervals"][0].items() if k != "start"} == sales["total"]


def test_str_lines_and_gzip_give_the_same(tmp_path):
    text = HAND_LOG.replace(b"\xff\xfe", b"x").decode("utf-8")
    from_str = queue_stats(text.splitlines(keepends=True))
    path = tmp_path / "queue_log.1.gz"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    with queue_log.open_queue_log(path) as source:
        from_gzip = queue_stats(source)
    assert from_gzip.as_dict() == from_str.as_dict()
    assert from_str.unreadable_lines == 5  # the c10 line is readable now
    assert from_str.queues["sales"].total.offered == 8


def test_a_caller_entering_the_same_queue_again_is_offered_twice():
    log = [
        f"{T0}|u1|q|NONE|ENTERQUEUE||1|1\n",
        f"{T0 + 30}|u1|q|NONE|EXITWITHTIMEOUT|1|1|30\n",
        f"{T0 + 40}|u1|q|NONE|ENTERQUEUE||1|1\n",
        f"{T0 + 45}|u1|q|A|CONNECT|5|b|1\n",
        f"{T0 + 95}|u1|q|A|COMPLETEAGENT|5|50|1\n",
    ]
    total = queue_stats(log).queues["q"].total
    assert (total.offered, total.answered, total.timeouts) == (2, 1, 1)
    assert total.service_level == 0.5
    assert total.longest_wait == 30


def test_short_abandon_boundary_and_duplicate_lines():
    log = [
        f"{T0}|a|q|NONE|ENTERQUEUE||1|1\n",
        f"{T0 + 5}|a|q|NONE|ABANDON|1|1|5\n",  # 5 s is not under 5 s
        f"{T0}|b|q|NONE|ENTERQUEUE||1|1\n",
        f"{T0 + 4}|b|q|NONE|ABANDON|1|1|4\n",
        f"{T0}|c|q|NONE|ENTERQUEUE||1|1\n",
        f"{T0 + 2}|c|q|A|CONNECT|2|x|1\n",
        f"{T0 + 2}|c|q|A|CONNECT|2|x|1\n",  # a duplicated line does not answer twice
        f"{T0 + 9}|c|q|A|COMPLETECALLER|2|7|1\n",
    ]
    total = queue_stats(log).queues["q"].total
    assert (total.offered, total.abandoned, total.short_abandoned, total.answered) == (3, 2, 1, 1)
    assert total.service_level == 0.5  # 1 / (3 - 1)
    assert total.aht == 7.0


def test_only_short_abandons_give_a_null_service_level():
    log = [f"{T0}|a|q|NONE|ENTERQUEUE||1|1\n", f"{T0 + 1}|a|q|NONE|ABANDON|1|1|1\n"]
    assert queue_stats(log).queues["q"].total.service_level is None


def test_an_empty_log():
    stats = queue_stats([]).as_dict()
    assert stats == {"queues": {}, "unreadable_lines": 0, "unknown_events": {}}


@pytest.mark.parametrize(
    ("line", "event", "data"),
    [
        ("1704067200|c|q|NONE|ENTERQUEUE||0912|1\n", "ENTERQUEUE", ("", "0912", "1")),
        ("1704067200|c|q|A|CONNECT|10|b|2\r\n", "CONNECT", ("10", "b", "2")),
        ("1704067200|c|q|A|CONNECT|10\n", "CONNECT", ("10",)),  # Asterisk 1.2: no uniqueid
        ("1704067200|c|q|NONE|EXITWITHKEY|5|1\n", "EXITWITHKEY", ("5", "1")),  # no waittime
        ("1704067200|NONE|NONE|NONE|CONFIGRELOAD|\n", "CONFIGRELOAD", ("",)),
        ("1704067200|c|q|NONE|MY_EVENT\n", "MY_EVENT", ()),
    ],
)
def test_readable_lines(line, event, data):
    parsed = parse_line(line)
    assert parsed is not None
    assert (parsed.time, parsed.event, parsed.data) == (1704067200, event, data)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "1704067200|c|q|NONE",
        "-5|c|q|NONE|ENTERQUEUE||1|1",
        "1704067200|c|q|NONE|ENTER QUEUE",
        "1704067200||q|A|CONNECT|10|b|1",
        "1704067200|c||A|CONNECT|10|b|1",
        "1704067200|c|q|A|CONNECT",
        "1704067200|c|q|A|COMPLETECALLER|10",
        "1704067200|c|q|A|COMPLETECALLER|10|-3|1",
        "1704067200|c|q|NONE|ABANDON|1|1|later",
        "1704067200|c|q|A|TRANSFER|200|ctx|10",
    ],
)
def test_unreadable_lines(line):
    assert parse_line(line) is None


def test_a_last_line_without_newline_is_read_when_complete():
    assert parse_line("1704067200|c|q|A|CONNECT|10|b|2", complete=False) is not None
    assert parse_line("1704067200|c|q|A|CONN", complete=False) is None
    assert parse_line("1704067200|c|q|A|CONN", complete=True) is not None  # an unknown event


def test_bad_options():
    with pytest.raises(ValueError):
        queue_log.QueueStatsCollector(interval_minutes=0)
    with pytest.raises(ValueError):
        queue_log.QueueStatsCollector(answer_within=-1)


def test_old_closed_calls_are_forgotten_but_stay_counted():
    collector = queue_log.QueueStatsCollector()
    for n in range(3):
        start = T0 + n * 7200
        for line in (
            f"{start}|c{n}|q|NONE|ENTERQUEUE||1|1",
            f"{start + 3}|c{n}|q|A|CONNECT|3|b|1",
            f"{start + 60}|c{n}|q|A|COMPLETEAGENT|3|57|1",
        ):
            event = parse_line(line)
            assert event is not None
            collector.add(event)
    collector.prune()
    assert list(collector.calls) == [("c2", "q")]
    assert collector.result().queues["q"].total.answered == 3
