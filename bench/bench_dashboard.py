"""KPI dashboard with 1,000,000 survey responses on PostgreSQL (issue 4).

Figure: every dashboard page load p95 < 300 ms for any filter. 1,000,000 responses over
365 days (three surveys: relationship NPS, touchpoint CSAT, support CES; four languages,
the existing channels, teams and touchpoints, customers of the customer bench so segments
apply) are loaded with COPY (external ids `BD-…`; reused when all are there), the rollup is
rebuilt with `kpi_rollup_refresh`, then each page is timed over 30 requests through a real
HTTP server (see bench_customer_list). Reference: a bare SELECT round trip.
"""

import datetime as dt
import time
from typing import Any
from urllib.parse import urlencode

from bench.bench_customer_list import LiveServer, percentiles

NAME = "dashboard"
ROWS = 1_000_000
PREFIX = "BD-"
TARGET_P95_MS = 300.0
WARMUP = 3
REQUESTS = 30


def _surveys() -> list[Any]:
    from cxm.surveys import services
    from cxm.surveys.models import Survey, SurveyStatus

    found = []
    for template in ("relationship_nps", "touchpoint_csat", "ces_support"):
        name = f"bench {template}"
        survey = Survey.objects.filter(name=name).first()
        if survey is None:
            survey = services.survey_create_from_template(
                template=template, name=name, languages=["fa", "ar", "hu", "en"]
            )
            services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
        found.append(survey)
    return found


def ensure_rows() -> dict[str, Any]:
    """Load ROWS bench responses (and their answers) unless they are all there."""
    from django.db import connection, transaction

    from cxm.accounts.models import Team, Unit
    from cxm.analytics.services import kpi_rollup_refresh
    from cxm.channels.models import Channel
    from cxm.journeys.models import Touchpoint

    surveys = _surveys()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM surveys_response WHERE external_id LIKE %s", [f"{PREFIX}%"]
        )
        if cursor.fetchone()[0] == ROWS:
            return {"loaded": False, "rows": ROWS}
    started = time.perf_counter()
    unit = Unit.objects.get_or_create(code="bench", defaults={"name": "Bench"})[0]
    teams = [Team.objects.get_or_create(unit=unit, name=f"Bench team {i}")[0].pk for i in range(5)]
    channels: list[Any] = list(Channel.objects.values_list("id", flat=True)) or [None]
    touchpoints: list[Any] = list(Touchpoint.objects.values_list("id", "stage_id")[:6]) or [
        (None, None)
    ]
    with connection.cursor() as cursor:
        # Customers in a segment first, so the segment figures have data; then others.
        cursor.execute(
            "(SELECT customer_id FROM customers_customer_segments LIMIT 50000)"
            " UNION ALL (SELECT id FROM customers_customer ORDER BY id LIMIT 50000)"
        )
        customer_ids = [row[0] for row in cursor.fetchall()]
    languages = ["fa", "fa", "fa", "ar", "hu", "en"]
    questions = {s.pk: {q.key: q for q in s.questions.all()} for s in surveys}
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM surveys_answer WHERE response_id IN (SELECT id FROM surveys_response"
            " WHERE external_id LIKE %s)",
            [f"{PREFIX}%"],
        )
        cursor.execute("DELETE FROM surveys_response WHERE external_id LIKE %s", [f"{PREFIX}%"])
        cursor.execute("SET LOCAL synchronous_commit = off")
        cols = (
            "created_at, updated_at, survey_id, customer_id, channel_id, touchpoint_id, stage_id,"
            " team_id, language, external_id, hidden, submitted_at, source, ip_hash"
        )
        with cursor.copy(f"COPY surveys_response ({cols}) FROM STDIN") as copy:
            for i in range(ROWS):
                survey = surveys[i % 3]
                tp, stage = touchpoints[(i // 3) % len(touchpoints)] if i % 3 else (None, None)
                at = now - dt.timedelta(seconds=(ROWS - i) * 31.5)
                customer = (
                    customer_ids[(i * 7919) % len(customer_ids)] if customer_ids and i % 2 else None
                )
                copy.write_row(
                    (
                        at,
                        at,
                        survey.pk,
                        customer,
                        channels[i % len(channels)],
                        tp,
                        stage,
                        teams[i % 5] if i % 3 else None,
                        languages[i % 6],
                        f"{PREFIX}{i:07d}",
                        f'{{"order_id": "{i % 50}"}}',
                        at,
                        "api",
                        "",
                    )
                )
        cursor.execute(
            "SELECT id, survey_id FROM surveys_response WHERE external_id LIKE %s ORDER BY id",
            [f"{PREFIX}%"],
        )
        rows = cursor.fetchall()
        with cursor.copy(
            "COPY surveys_answer (response_id, question_id, number_value, text_value, choices,"
            " scale_max) FROM STDIN"
        ) as copy:
            for n, (rid, sid) in enumerate(rows):
                qs = questions[sid]
                if "nps" in qs:
                    copy.write_row((rid, qs["nps"].pk, (n * 7) % 11, "", "[]", 10))
                    if n % 3 == 0:
                        copy.write_row((rid, qs["reason"].pk, None, f"comment {n}", "[]", None))
                elif "csat" in qs:
                    copy.write_row((rid, qs["csat"].pk, 1 + (n * 5) % 5, "", "[]", 5))
                elif "ces" in qs:
                    copy.write_row((rid, qs["ces"].pk, 1 + (n * 3) % 7, "", "[]", 7))
    loaded = time.perf_counter() - started
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE surveys_response")
        cursor.execute("VACUUM ANALYZE surveys_answer")
    rollup_started = time.perf_counter()
    written = kpi_rollup_refresh(days=None)
    with connection.cursor() as cursor:
        for table in ("analytics_dailykpi", "analytics_dailysegmentkpi"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {
        "loaded": True,
        "rows": ROWS,
        "load_s": round(loaded, 1),
        "rollup_s": round(time.perf_counter() - rollup_started, 1),
        "rollup_rows": written,
    }


def run() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from cxm.accounts.models import User
    from cxm.accounts.roles import Role
    from cxm.channels.models import Channel
    from cxm.customers.models import Segment
    from cxm.journeys.models import Touchpoint

    if connection.vendor != "postgresql":
        raise RuntimeError("this bench needs PostgreSQL")
    load = ensure_rows()
    survey = _surveys()[0]
    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": Role.ADMINISTRATOR, "language": "fa"}
    )
    client = Client()
    client.force_login(user)
    cookie = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    channel = Channel.objects.order_by("id").values_list("id", flat=True).first()
    touchpoint = Touchpoint.objects.order_by("id").values_list("id", flat=True).first()
    segment = Segment.objects.order_by("id").values_list("id", flat=True).first()
    today = dt.date.today()
    pages = {
        "no filter": "/dashboard/",
        "channel": "/dashboard/?" + urlencode({"channel": channel or ""}),
        "touchpoint + period": "/dashboard/?"
        + urlencode(
            {"touchpoint": touchpoint or "", "start": (today - dt.timedelta(days=365)).isoformat()}
        ),
        "language + segment": "/dashboard/?"
        + urlencode({"language": "fa", "segment": segment or ""}),
        "survey results": f"/dashboard/surveys/{survey.pk}/",
    }

    def reference() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    ref = percentiles([reference() for _ in range(REQUESTS)])
    figures: dict[str, Any] = {}
    with LiveServer() as server:
        for label, path in pages.items():
            samples = []
            for i in range(WARMUP + REQUESTS):
                status, body, ms = server.get(path, cookie)
                if status != 200:
                    raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
                if i >= WARMUP:
                    samples.append(ms)
            figures[label] = percentiles(samples)
    return {
        "load": load,
        "pages": pages,
        "reference_select_1": ref,
        "figures": figures,
        "checks": [
            {
                "metric": f"dashboard {label} p95",
                "value": stats["p95_ms"],
                "target": TARGET_P95_MS,
                "better": "lower",
                "unit": "ms",
                "reference": ref["p95_ms"],
            }
            for label, stats in figures.items()
        ],
    }
