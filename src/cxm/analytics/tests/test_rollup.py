"""The rollup against an independent computation from the raw answers."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from cxm.analytics import selectors
from cxm.analytics.models import DailyKpi
from cxm.analytics.services import day_ranges, kpi_rollup_refresh
from cxm.core import metrics
from cxm.surveys.models import Answer


def _raw(metric, *, start, end, channel=None, language="", segment=None):
    """Scores straight from the answers, filtered in Python (the independent method)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    values = []
    for a in Answer.objects.select_related("response", "question").prefetch_related(
        "response__customer__segments"
    ):
        r = a.response
        day = r.submitted_at.astimezone(zone).date()
        if a.question.type != metric or not start <= day <= end:
            continue
        if channel is not None and r.channel_id != channel:
            continue
        if language and r.language != language:
            continue
        if segment is not None and (
            r.customer is None or segment not in {s.pk for s in r.customer.segments.all()}
        ):
            continue
        values.append(int(a.number_value or 0))
    return values


@pytest.mark.parametrize(
    "extra",
    [{}, {"channel": "web"}, {"language": "fa"}, {"segment": "vip"}, {"short": True}],
)
def test_rollup_equals_raw_computation(random_data, extra):
    start, end = random_data["start"], random_data["end"]
    if extra.get("short"):
        start, end = dt.date(2024, 3, 10), dt.date(2024, 3, 20)
    kwargs = {}
    if "channel" in extra:
        kwargs["channel"] = random_data[extra["channel"]].pk
    if "segment" in extra:
        kwargs["segment"] = random_data[extra["segment"]].pk
    if "language" in extra:
        kwargs["language"] = extra["language"]
    filters = selectors.DashboardFilters(start=start, end=end, **kwargs)
    board = selectors.dashboard(filters, selectors.filter_options())
    nps_values = _raw("nps", start=start, end=end, **kwargs)
    csat_values = _raw("csat", start=start, end=end, **kwargs)
    expected_nps = metrics.nps(nps_values)
    expected_csat = metrics.csat(csat_values, scale_max=5)
    assert board.figures["nps"].n == expected_nps.n > 0
    assert board.figures["nps"].value == pytest.approx(expected_nps.value)
    assert board.figures["nps"].ci_low == pytest.approx(expected_nps.ci_low)
    assert board.figures["csat"].value == pytest.approx(expected_csat.value)
    assert board.figures["csat"].ci_high == pytest.approx(expected_csat.ci_high)
    # Breakdowns add up to the total.
    assert sum(r.figures["nps"].n for r in board.breakdowns["channel"] if "nps" in r.figures) == (
        expected_nps.n
    )


def test_breakdown_by_channel_matches_raw(random_data):
    filters = selectors.DashboardFilters(start=random_data["start"], end=random_data["end"])
    board = selectors.dashboard(filters, selectors.filter_options())
    web = next(r for r in board.breakdowns["channel"] if r.key == random_data["web"].pk)
    raw = _raw("nps", start=filters.start, end=filters.end, channel=random_data["web"].pk)
    assert web.figures["nps"].value == pytest.approx(metrics.nps(raw).value)


def test_refresh_is_idempotent_and_follows_writes(random_data, nps_survey, add_response):
    before = DailyKpi.objects.count()
    kpi_rollup_refresh(days=[dt.date(2024, 3, 5), dt.date(2024, 3, 6)])
    assert DailyKpi.objects.count() == before
    Answer.objects.filter(question__survey=nps_survey).delete()
    kpi_rollup_refresh(days=None)
    assert not DailyKpi.objects.filter(metric="nps").exists()


def test_response_submit_refreshes_the_rollup(nps_survey):
    from cxm.surveys import services
    from cxm.surveys.validation import CleanAnswer

    q = nps_survey.questions.get(key="nps")
    services.response_submit(
        survey=nps_survey,
        answers={"nps": CleanAnswer(q.pk, "nps", number=Decimal(10), scale_max=10)},
        language="en",
    )
    row = DailyKpi.objects.get(metric="nps")
    assert (row.n, row.c10) == (1, 1)


def test_day_ranges():
    d = dt.date(2024, 1, 1)
    days = [d, d + dt.timedelta(1), d + dt.timedelta(5)]
    assert day_ranges(days) == [(d, d + dt.timedelta(1)), (d + dt.timedelta(5),) * 2]


def test_jalali_month_buckets_for_fa(nps_survey, add_response, settings):
    tz = ZoneInfo("Asia/Tehran")
    add_response(nps_survey, {"nps": 9}, when=dt.datetime(2024, 3, 19, 12, tzinfo=tz))
    add_response(nps_survey, {"nps": 3}, when=dt.datetime(2024, 3, 20, 12, tzinfo=tz))
    kpi_rollup_refresh(days=None)
    from django.utils import translation

    filters = selectors.DashboardFilters(
        start=dt.date(2024, 3, 1), end=dt.date(2024, 4, 30), bucket="month"
    )
    with translation.override("fa"):
        board = selectors.dashboard(filters, selectors.filter_options())
    assert [p.label for p in board.trend] == ["اسفند ۱۴۰۲", "فروردین ۱۴۰۳"]
    assert [p.figures["nps"].n for p in board.trend] == [1, 1]
    with translation.override("en"):
        board = selectors.dashboard(filters, selectors.filter_options())
    assert [p.label for p in board.trend] == ["2024-03"]


def test_day_ranges_merge_small_gaps():
    d = dt.date(2024, 3, 1)
    days = [d, d + dt.timedelta(10), d + dt.timedelta(60)]
    assert day_ranges(days, max_gap=31) == [(d, d + dt.timedelta(10)), (d + dt.timedelta(60),) * 2]
