"""Cases at scale on PostgreSQL: the SLA sweep over 100,000 open cases, and the case list
page and API with 1,000,000 cases.

Figures (issue 5):
- the SLA status of 100,000 open cases re-evaluated in < 1 s (`cxm.cases.sweep.sla_evaluate`);
- the case list p95 < 150 ms with 1,000,000 cases (the page /cases/ and /api/v1/cases/).

How it is measured, so that the figure is honest:
- 1,000,000 cases (external ids `BC-…`, opened every 30 s over the last ~350 days, spread over
  the channels, types, priorities, a bench team of 10 agents and the existing customers) are
  written by one `INSERT … SELECT generate_series` (no Python loop), then VACUUM ANALYZE.
  Every tenth case is active (100,000): 80 % open, 10 % waiting on the customer and 10 % on a
  third party (both paused). A rerun reuses the rows when all 1,000,000 are there.
- Before the sweep, one UPDATE puts the SLA instants of the active bench cases around "now",
  spread evenly by a hash of the id: first response due within ±24 h (a third of the open
  cases are unanswered), resolution due within ±5 days, warning within ±24 h; the instants
  already past carry the flags an earlier sweep would have set (breached, warned, escalated
  through the chain), as in production where the sweep runs every minute. The activities and
  notifications of earlier runs are deleted.
- The sweep then runs RUNS times with `now` one hour further each time: each run meets the
  cases whose instants fell in that hour, about 3 % of the open cases (warnings, response and
  resolution breaches, first escalations), with their activities and notifications written.
  The figure is the slowest run. Reference in the same run: the bare indexed SELECT of the
  cases whose resolution became due in that hour (what any sweep must at least read).
- List page and API: as bench_customer_list (a real HTTP server in a thread, a new TCP
  connection per request, session cookie / token of an administrator), 50 timed requests
  after 5 warm-ups per figure, rotating over realistic filters; the p95 is judged. Reference:
  a bare `SELECT … ORDER BY id DESC LIMIT 50` of active cases. An endpoint that does not
  answer 200 yet (being written) is reported under "skipped", not judged.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from bench.bench_customer_list import LiveServer, percentiles, query_plans, timed

NAME = "cases"
ROWS = 1_000_000
PREFIX = "BC-"
RUNS = 5
STEP = dt.timedelta(hours=1)
TARGET_SWEEP_S = 1.0
TARGET_P95_MS = 150.0
ACTIVE = ("open", "waiting_customer", "waiting_third_party")


# --------------------------------------------------------------------------- setup


def _catalogue() -> dict[str, Any]:
    """Ids the rows point to: statuses, types, channels, a bench team with agents, a 24×7
    policy with the default escalation chain, up to 20,000 existing customers."""
    from cxm.accounts.models import Team, Unit, User
    from cxm.accounts.roles import Role
    from cxm.cases.models import CaseStatus, CaseType, SlaPolicy
    from cxm.channels.models import Channel
    from cxm.customers.models import Customer

    def status(category: str) -> int:
        found = CaseStatus.objects.filter(category=category).order_by("-is_default", "id").first()
        if found is None:
            raise RuntimeError(f"no case status in the category {category}")
        return found.pk

    unit, _ = Unit.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    lead, _ = User.objects.get_or_create(username="bench-lead", defaults={"role": Role.SUPERVISOR})
    team, _ = Team.objects.get_or_create(name="Bench cases", defaults={"unit": unit, "lead": lead})
    agents = []
    for i in range(10):
        agent, _ = User.objects.get_or_create(
            username=f"bench-agent-{i}", defaults={"role": Role.AGENT, "team": team}
        )
        agents.append(agent.pk)
    policy, _ = SlaPolicy.objects.get_or_create(
        name="Bench 24x7",
        defaults={
            "is_active": False,  # only the bench rows point to it; routing never picks it
            "targets": {
                p: {"first_response": 60, "resolution": 480}
                for p in ("low", "normal", "high", "urgent")
            },
        },
    )
    customers = list(Customer.objects.order_by("-id").values_list("id", flat=True)[:20_000])
    return {
        "open": status("open"),
        "waiting_customer": status("waiting_customer"),
        "waiting_third_party": status("waiting_third_party"),
        "resolved": status("resolved"),
        "closed": status("closed"),
        "types": list(CaseType.objects.order_by("id").values_list("id", flat=True)),
        "channels": list(Channel.objects.order_by("id").values_list("id", flat=True)),
        "team": team.pk,
        "agents": agents,
        "policy": policy.pk,
        "customers": customers or [None],
    }


INSERT = """
INSERT INTO cases_case (
    created_at, updated_at, subject, description, customer_id, channel_id, type_id, priority,
    status_id, status_category, team_id, assignee_id, language, source, external_id, intent,
    sla_policy_id, sla_state, first_responded_on, first_response_minutes, resolved_at,
    resolution_minutes, closed_at, warned, response_breached, resolution_breached,
    escalation_level, reopen_count, resolution_comment
)
SELECT
    t.at, t.at, 'Bench case ' || g, '', (%(customers)s::bigint[])[1 + g %% %(n_customers)s],
    (%(channels)s::bigint[])[1 + g %% %(n_channels)s],
    (%(types)s::bigint[])[1 + g %% %(n_types)s],
    (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + g %% 5],
    CASE WHEN g %% 10 <> 0 THEN CASE WHEN g %% 3 = 0 THEN %(closed)s ELSE %(resolved)s END
         WHEN g %% 100 = 10 THEN %(waiting_customer)s
         WHEN g %% 100 = 20 THEN %(waiting_third_party)s
         ELSE %(open)s END,
    CASE WHEN g %% 10 <> 0 THEN CASE WHEN g %% 3 = 0 THEN 'closed' ELSE 'resolved' END
         WHEN g %% 100 = 10 THEN 'waiting_customer'
         WHEN g %% 100 = 20 THEN 'waiting_third_party'
         ELSE 'open' END,
    %(team)s, (%(agents)s::bigint[])[1 + g %% %(n_agents)s],
    (ARRAY['fa', 'fa', 'ar', 'hu', 'en'])[1 + g %% 5], 'email',
    %(prefix)s || lpad(g::text, 7, '0'), '', %(policy)s,
    CASE WHEN g %% 10 <> 0 THEN 'fulfilled' ELSE 'resolution_due' END,
    t.at + interval '40 minutes', 40.0,
    CASE WHEN g %% 10 <> 0 THEN t.at + interval '6 hours' END,
    CASE WHEN g %% 10 <> 0 THEN 360.0 END,
    CASE WHEN g %% 10 <> 0 AND g %% 3 = 0 THEN t.at + interval '7 days' END,
    false, false, false, 0, 0, ''
FROM generate_series(1, %(rows)s) AS g,
     LATERAL (SELECT %(now)s::timestamptz - (%(rows)s - g) * interval '30 seconds' AS at) AS t
"""


def ensure_rows() -> dict[str, Any]:
    """Load ROWS bench cases unless they are all there; returns what was done."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE external_id LIKE %s", [f"{PREFIX}%"])
        present = cursor.fetchone()[0]
    catalogue = _catalogue()
    if present == ROWS:
        return {"loaded": False, "rows": present, "catalogue": catalogue}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _delete_bench_rows(cursor)
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            INSERT,
            {
                **{k: catalogue[k] for k in ("open", "waiting_customer", "waiting_third_party")},
                "resolved": catalogue["resolved"],
                "closed": catalogue["closed"],
                "customers": catalogue["customers"],
                "n_customers": len(catalogue["customers"]),
                "channels": catalogue["channels"],
                "n_channels": len(catalogue["channels"]),
                "types": catalogue["types"],
                "n_types": len(catalogue["types"]),
                "team": catalogue["team"],
                "agents": catalogue["agents"],
                "n_agents": len(catalogue["agents"]),
                "policy": catalogue["policy"],
                "prefix": PREFIX,
                "rows": ROWS,
                "now": dt.datetime.now(dt.UTC),
            },
        )
    loaded_s = time.perf_counter() - started
    connection.close()
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE cases_case")
    return {
        "loaded": True,
        "rows": ROWS,
        "load_s": round(loaded_s, 1),
        "load_and_vacuum_s": round(time.perf_counter() - started, 1),
        "catalogue": catalogue,
    }


def _bench_ids() -> str:
    return "SELECT id FROM cases_case WHERE external_id LIKE %s"


def _delete_bench_rows(cursor: Any) -> None:
    for table in ("cases_caseactivity", "cases_notification", "cases_casemessage"):
        cursor.execute(
            f"DELETE FROM {table} WHERE case_id IN ({_bench_ids()})",  # noqa: S608
            [f"{PREFIX}%"],
        )
    cursor.execute("DELETE FROM cases_case WHERE external_id LIKE %s", [f"{PREFIX}%"])


RESET = """
UPDATE cases_case AS c SET
    first_responded_on = v.responded_on,
    first_response_minutes = CASE WHEN v.responded_on IS NULL THEN NULL ELSE 40.0 END,
    response_by = v.response_by,
    response_breached = v.unanswered AND v.response_by < %(now)s,
    resolution_by = v.resolution_by,
    resolution_breached = COALESCE(v.resolution_by < %(now)s, false),
    warn_at = CASE WHEN v.warn_at < %(now)s THEN NULL ELSE v.warn_at END,
    warned = COALESCE(v.warn_at < %(now)s, false),
    escalation_level = CASE WHEN v.resolution_by < %(now)s THEN 3 ELSE 0 END,  -- NULL: 0
    next_escalation_at = CASE WHEN v.resolution_by < %(now)s THEN NULL ELSE v.resolution_by END,
    on_hold_since = CASE WHEN v.paused THEN %(now)s - interval '1 hour' END,
    remaining_resolution_minutes = CASE WHEN v.paused THEN 120.0 END,
    sla_state = CASE
        WHEN v.paused THEN 'paused'
        WHEN v.resolution_by < %(now)s OR (v.unanswered AND v.response_by < %(now)s) THEN 'failed'
        WHEN v.unanswered THEN 'first_response_due'
        ELSE 'resolution_due' END
FROM (
    SELECT id,
           status_category <> 'open' AS paused,
           status_category = 'open' AND id %% 3 = 0 AS unanswered,
           CASE WHEN status_category = 'open' AND id %% 3 = 0 THEN NULL
                ELSE created_at + interval '40 minutes' END AS responded_on,
           CASE WHEN status_category = 'open' AND id %% 3 = 0
                THEN %(now)s + ((id * 7919) %% 100000 / 100000.0 * 48 - 24) * interval '1 hour'
                ELSE created_at + interval '1 hour' END AS response_by,
           CASE WHEN status_category = 'open'
                THEN %(now)s + ((id * 104729) %% 100000 / 100000.0 * 240 - 120) * interval '1 hour'
                END AS resolution_by,
           CASE WHEN status_category = 'open'
                THEN %(now)s + ((id * 15485863) %% 100000 / 100000.0 * 48 - 24) * interval '1 hour'
                END AS warn_at
    FROM cases_case
    WHERE external_id LIKE %(prefix)s AND status_category IN ('open', 'waiting_customer',
                                                              'waiting_third_party')
) AS v
WHERE c.id = v.id
"""


def reset_sla(now: dt.datetime) -> dict[str, Any]:
    """Put the SLA instants of the active bench cases around `now` (see the module)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("cases_caseactivity", "cases_notification"):
            cursor.execute(
                f"DELETE FROM {table} WHERE case_id IN ({_bench_ids()})",  # noqa: S608
                [f"{PREFIX}%"],
            )
        cursor.execute(RESET, {"now": now, "prefix": f"{PREFIX}%"})
        updated = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
    return {"active_cases_reset": updated, "reset_s": round(time.perf_counter() - started, 1)}


# --------------------------------------------------------------------------- measuring


def measure_sweep(start: dt.datetime) -> dict[str, Any]:
    from django.db import connection

    from cxm.cases.sweep import sla_evaluate

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE status_category = ANY(%s)", [list(ACTIVE)]
        )
        active = cursor.fetchone()[0]
    runs: list[dict[str, Any]] = []
    seconds: list[float] = []
    references = []
    for k in range(1, RUNS + 1):
        now = start + k * STEP
        ref_started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, assignee_id, subject FROM cases_case WHERE status_category = ANY(%s)"
                " AND resolution_by < %s AND NOT resolution_breached ORDER BY id",
                [list(ACTIVE), now],
            )
            cursor.fetchall()
        references.append(time.perf_counter() - ref_started)
        started = time.perf_counter()
        result = sla_evaluate(now=now)
        elapsed = time.perf_counter() - started
        seconds.append(elapsed)
        touched = (
            result.warnings
            + result.response_breaches
            + result.resolution_breaches
            + result.escalations
        )
        runs.append(
            {
                "now": now.isoformat(timespec="minutes"),
                "seconds": round(elapsed, 3),
                "warnings": result.warnings,
                "response_breaches": result.response_breaches,
                "resolution_breaches": result.resolution_breaches,
                "escalations": result.escalations,
                "notifications": result.notified,
                "events": touched,
                "events_pct_of_active": round(100 * touched / active, 2) if active else None,
            }
        )
    return {
        "active_cases": active,
        "runs": runs,
        "slowest_s": round(max(seconds), 3),
        "median_s": round(statistics.median(seconds), 3),
        "reference_select_due_s": round(max(references), 4),
    }


def _paths(catalogue: dict[str, Any]) -> dict[str, list[str]]:
    team, agent = catalogue["team"], catalogue["agents"][3]
    return {
        "list_page": [
            "/cases/",
            "/cases/?status=open",
            f"/cases/?team={team}",
            f"/cases/?assignee={agent}",
            "/cases/?priority=high&status=open",
            "/cases/?sla=breached",
            "/cases/?sort=resolution_due",
            "/cases/?status=all",
        ],
        "api_list": [
            "/api/v1/cases/",
            "/api/v1/cases/?status_category=open",
            f"/api/v1/cases/?team={team}",
            f"/api/v1/cases/?assignee={agent}",
            "/api/v1/cases/?priority=high&status_category=open",
            "/api/v1/cases/?sla_state=failed",
            "/api/v1/cases/?channel=email",
        ],
    }


def measure_lists(catalogue: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from cxm.accounts.models import User
    from cxm.accounts.roles import Role

    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": Role.ADMINISTRATOR, "language": "fa"}
    )
    token, _ = Token.objects.get_or_create(user=user)
    client = Client()
    client.force_login(user)
    headers = {
        "list_page": {"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
        "api_list": {"Authorization": f"Token {token.key}", "Accept": "application/json"},
    }
    api_client = Client(headers={"Authorization": f"Token {token.key}"})

    def reference(_: int) -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, subject, priority, status_id, assignee_id, created_at FROM cases_case"
                " WHERE status_category = ANY(%s) ORDER BY id DESC LIMIT 50",
                [list(ACTIVE)],
            )
            cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    ref = percentiles(timed(reference))
    figures: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    per_path: dict[str, dict[str, Any]] = {}
    with LiveServer() as server:
        for key, paths in _paths(catalogue).items():
            status, _body, _ms = server.get(paths[0], headers[key])
            if status != 200:
                skipped[key] = f"GET {paths[0]} answered {status}: not measured"
                continue
            samples: dict[str, list[float]] = {p: [] for p in paths}

            def fetch(
                i: int,
                key: str = key,
                paths: list[str] = paths,
                samples: dict[str, list[float]] = samples,
            ) -> float:
                path = paths[i % len(paths)]
                status, body, ms = server.get(path, headers[key])
                if status != 200:
                    raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
                samples[path].append(ms)
                return ms

            figures[key] = percentiles(timed(fetch))
            per_path[key] = {p: percentiles(v) for p, v in samples.items() if len(v) > 1}
    plans = {}
    if "list_page" in figures:
        plans["list_page"] = query_plans(client, "/cases/")
    if "api_list" in figures:
        plans["api_list"] = query_plans(api_client, "/api/v1/cases/")
    return {
        "reference_sql_first_page": ref,
        "figures": figures,
        "per_path": per_path,
        "skipped": skipped,
        "plans": plans,
    }


def run() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise RuntimeError("this bench needs PostgreSQL (set DATABASE_URL or let it start one)")
    load = ensure_rows()
    catalogue = load.pop("catalogue")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
    now = timezone.now()
    reset = reset_sla(now)
    sweep = measure_sweep(now)
    lists = measure_lists(catalogue)
    checks = [
        {
            "metric": f"SLA sweep over {sweep['active_cases']:,} active cases (slowest of {RUNS})",
            "value": sweep["slowest_s"],
            "target": TARGET_SWEEP_S,
            "better": "lower",
            "unit": "s",
            "reference": sweep["reference_select_due_s"],
        }
    ]
    labels = {"list_page": "case list page /cases/ p95", "api_list": "API /api/v1/cases/ p95"}
    for key, label in labels.items():
        if key in lists["figures"]:
            checks.append(
                {
                    "metric": label,
                    "value": lists["figures"][key]["p95_ms"],
                    "target": TARGET_P95_MS,
                    "better": "lower",
                    "unit": "ms",
                    "reference": lists["reference_sql_first_page"]["p95_ms"],
                }
            )
    return {
        "cases_in_table": total,
        "load": load,
        "sla_reset": reset,
        "sweep": sweep,
        "lists": lists,
        "requests_per_figure": "50 after 5 warm-ups, rotating over the filters in per_path",
        "checks": checks,
    }
