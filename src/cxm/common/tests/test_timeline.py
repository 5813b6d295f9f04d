import datetime as dt

from cxm.common import timeline
from cxm.common.timeline import TimelineEvent, customer_timeline, timeline_provider


def test_providers_are_merged_newest_first(monkeypatch):
    monkeypatch.setattr(timeline, "_providers", {})
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    @timeline_provider("surveys")
    def surveys(customer, *, limit):
        return [
            TimelineEvent(at=base + dt.timedelta(days=d), kind="survey", title=f"s{d}")
            for d in (1, 5)
        ]

    @timeline_provider("cases")
    def cases(customer, *, limit):
        return [
            TimelineEvent(at=base + dt.timedelta(days=d), kind="case", title=f"c{d}")
            for d in (3, 4, 2)
        ]

    events = customer_timeline(object(), limit=4)
    assert [e.title for e in events] == ["s5", "c4", "c3", "c2"]
    assert events[0].source == "surveys" and events[1].source == "cases"
    assert [e.title for e in customer_timeline(object(), sources=["cases"])] == ["c4", "c3", "c2"]
