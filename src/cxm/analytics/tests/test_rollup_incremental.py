"""Rollups kept up by bulk writes (immediate and deferred, new and replaced responses)
equal a full rebuild from the responses (the independent method)."""

import datetime as dt
import random
from collections import Counter

from cxm.analytics.models import DailyKpi, DailySegmentKpi
from cxm.analytics.services import kpi_rollup_refresh, kpi_rollup_refresh_touched
from cxm.surveys.selectors import response_context
from cxm.surveys.services import responses_upsert
from cxm.surveys.validation import clean_response_input

FIELDS = (
    "day",
    "survey_id",
    "question_id",
    "metric",
    "scale_max",
    "channel_id",
    "touchpoint_id",
    "stage_id",
    "team_id",
    "language",
)


def _totals(model, extra=()):
    """Score counts per grain, summed over duplicate rows (as the dashboard reads them)."""
    totals: Counter = Counter()
    for row in model.objects.values(*FIELDS, *extra, "n", *(f"c{i}" for i in range(11))):
        key = tuple(row[f] for f in (*FIELDS, *extra))
        totals[(*key, "n")] += row["n"]
        for i in range(11):
            totals[(*key, i)] += row[f"c{i}"] or 0
    return +totals  # drop zero counts


def _write(survey, rng, ids, *, defer=None):
    key, low, high = ("nps", 0, 10) if survey.name == "NPS" else ("csat", 1, 5)
    raw = [
        {
            "survey": survey.pk,
            "external_id": f"{key}{n}",
            "customer_external_id": rng.choice(["S1", "S2", "N1", None]),
            "submitted_at": (
                dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(90))
            ).isoformat(),
            "language": rng.choice(["fa", "en"]),
            "answers": {key: rng.randint(low, high)},
        }
        for n in ids
    ]
    for item in raw:
        if item["customer_external_id"] is None:
            del item["customer_external_id"]
    context = response_context(raw)
    items = [clean_response_input(r, context=context) for r in raw]
    return responses_upsert(items=items, defer_rollups=defer)


def test_bulk_writes_keep_rollups_equal_to_a_rebuild(nps_survey, csat_survey):
    from cxm.customers.models import Customer, Segment

    vip, tehran = Segment.objects.create(name="VIP"), Segment.objects.create(name="Tehran")
    Customer.objects.create(external_id="S1", name="s1").segments.add(vip, tehran)
    Customer.objects.create(external_id="S2", name="s2").segments.add(vip)
    Customer.objects.create(external_id="N1", name="n1")
    rng = random.Random(11)
    _write(nps_survey, rng, range(0, 120))  # all new: added
    _write(csat_survey, rng, range(0, 60))
    _write(nps_survey, rng, range(100, 200))  # 20 replaced (other days now), 80 new
    deferred: set = set()
    _write(nps_survey, rng, range(150, 260), defer=deferred)  # the import's way
    assert deferred  # replaced rows wait for the caller's refresh
    kpi_rollup_refresh_touched(deferred)
    incremental = (_totals(DailyKpi), _totals(DailySegmentKpi, ("segment_id",)))
    kpi_rollup_refresh(days=None)
    rebuilt = (_totals(DailyKpi), _totals(DailySegmentKpi, ("segment_id",)))
    assert incremental == rebuilt
    assert sum(v for k, v in rebuilt[0].items() if k[-1] == "n" and k[3] == "nps") == 260
    assert sum(v for k, v in rebuilt[0].items() if k[-1] == "n" and k[3] == "csat") == 60
    assert rebuilt[1]  # the segment table has rows
