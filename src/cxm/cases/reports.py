"""The figures of the case reports (reads only): SLA achievement, first response and
resolution times, backlog age, reopen rate, breakdowns, contact volume, the complaints-handling
report (ISO 10002) and the verification of effectiveness of a CAPA.

Definitions (the page says them too):
- A case belongs to the period by the instant of the event counted: opened (`created_at`),
  first answered (`first_responded_on`), resolved (`resolved_at`), each in [start, end] in the
  server's time zone. Merged duplicates are left out.
- SLA achievement: of the cases resolved in the period that had a service level, the share
  with neither target breached.
- First-response achievement: of the cases whose first response happened in the period, or
  was due in the period and is still missing, the share answered within target.
- Times are business minutes on the policy's calendar (`Case.first_response_minutes`,
  `resolution_minutes`); median and p90 are continuous percentiles (linear interpolation):
  `percentile_cont` on PostgreSQL, numpy's default method elsewhere, which agree.
- Backlog: the active cases now, by age since opening (< 1 d, 1–3 d, 3–7 d, > 7 d).
- Reopen rate: the share of cases resolved in the period that were reopened at least once.
- Contact volume: messages from customers per channel and week.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.accounts.models import Team, User
from cxm.cases.models import (
    ACTIVE_CATEGORIES,
    Capa,
    CapaStatus,
    Case,
    CaseMessage,
    CaseTopic,
    CaseType,
    MessageKind,
    RootCause,
)
from cxm.channels.models import Channel
from cxm.core.rates import RateChange, rate_change

COMPLAINT_TYPE = "complaint"
DEFAULT_CAPA_WINDOW_DAYS = 90
AGE_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("lt_1d", 0, 1),
    ("1_3d", 1, 3),
    ("3_7d", 3, 7),
    ("gt_7d", 7, float("inf")),
)


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(f) WITHIN GROUP (ORDER BY expr)`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction is between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(values: Iterable[float], fractions: tuple[float, ...] = (0.5, 0.9)) -> list[float]:
    """Continuous percentiles (linear interpolation, as percentile_cont); [] without values."""
    data = np.asarray([v for v in values if v is not None], dtype=float)
    if data.size == 0:
        return []
    return [float(np.percentile(data, 100 * f)) for f in fractions]


def percentiles_by(
    qs: QuerySet[Case], value: str, group: str | None = None
) -> dict[Any, tuple[float | None, float | None]]:
    """{group value: (median, p90)} of `value` over `qs` (None: one group keyed None)."""
    qs = qs.filter(**{f"{value}__isnull": False}).order_by()
    if connection.vendor == "postgresql":
        p50, p90 = PercentileCont(value, 0.5), PercentileCont(value, 0.9)
        if group is None:
            row = qs.aggregate(p50=p50, p90=p90)
            return {None: (row["p50"], row["p90"])} if row["p50"] is not None else {}
        return {r[group]: (r["p50"], r["p90"]) for r in qs.values(group).annotate(p50=p50, p90=p90)}
    grouped: dict[Any, list[float]] = defaultdict(list)
    fields = (group, value) if group else (value,)
    for row in qs.values_list(*fields):
        grouped[row[0] if group else None].append(row[-1])
    result: dict[Any, tuple[float | None, float | None]] = {}
    for key, values in grouped.items():
        median, p90th = percentiles(values)
        result[key] = (median, p90th)
    return result


# ------------------------------------------------------------------------------ filters


@dataclass(frozen=True)
class ReportFilters:
    start: dt.date
    end: dt.date  # inclusive
    channel: Channel | None = None
    case_type: CaseType | None = None
    team: Team | None = None
    agent: User | None = None

    @property
    def since(self) -> dt.datetime:
        return _local_midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        return _local_midnight(self.end + dt.timedelta(days=1))

    def scope(self, *, with_type: bool = True) -> QuerySet[Case]:
        """The cases the filters select (any time), merged duplicates left out."""
        qs = Case.objects.filter(merged_into__isnull=True)
        if self.channel is not None:
            qs = qs.filter(channel=self.channel)
        if self.case_type is not None and with_type:
            qs = qs.filter(type=self.case_type)
        if self.team is not None:
            qs = qs.filter(team=self.team)
        if self.agent is not None:
            qs = qs.filter(assignee=self.agent)
        return qs

    def during(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.since, f"{name}__lt": self.until})


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 30 days, today included."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=29), today


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# ------------------------------------------------------------------------------ figures


@dataclass
class Summary:
    opened: int = 0
    resolved: int = 0
    sla_cases: int = 0
    sla_met: int = 0
    response_cases: int = 0
    response_met: int = 0
    frt_median: float | None = None
    frt_p90: float | None = None
    resolution_median: float | None = None
    resolution_p90: float | None = None
    reopened: int = 0
    rated: int = 0
    rating_avg: float | None = None
    backlog: dict[str, int] = field(default_factory=dict)

    @property
    def sla_pct(self) -> float | None:
        return _pct(self.sla_met, self.sla_cases)

    @property
    def response_pct(self) -> float | None:
        return _pct(self.response_met, self.response_cases)

    @property
    def reopen_pct(self) -> float | None:
        return _pct(self.reopened, self.resolved)

    @property
    def backlog_total(self) -> int:
        return sum(self.backlog.values())


def _resolved_counts() -> dict[str, Any]:
    with_sla = Q(sla_policy__isnull=False)
    return {
        "resolved": Count("id"),
        "sla_cases": Count("id", filter=with_sla),
        "sla_met": Count(
            "id", filter=with_sla & Q(response_breached=False, resolution_breached=False)
        ),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        "rated": Count("resolution_rating"),
        "rating_avg": Avg("resolution_rating"),
    }


def _response_q(filters: ReportFilters) -> tuple[Q, Q]:
    """(cases whose first response counts in the period, those answered within target)."""
    answered = filters.during("first_responded_on") & Q(response_by__isnull=False)
    missing = Q(first_responded_on__isnull=True, response_breached=True) & filters.during(
        "response_by"
    )
    return answered | missing, answered & Q(response_breached=False)


def backlog_by_age(qs: QuerySet[Case], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Active cases of `qs` by age bucket (one query)."""
    now = now or timezone.now()
    aggregates = {}
    for key, low, high in AGE_BUCKETS:
        q = Q(created_at__lte=now - dt.timedelta(days=low))
        if high != float("inf"):
            q &= Q(created_at__gt=now - dt.timedelta(days=high))
        aggregates[key] = Count("id", filter=q)
    row = qs.filter(status_category__in=ACTIVE_CATEGORIES).aggregate(**aggregates)
    return {key: int(row[key] or 0) for key, _low, _high in AGE_BUCKETS}


def summary(filters: ReportFilters, *, now: dt.datetime | None = None) -> Summary:
    scope = filters.scope()
    result = Summary()
    result.opened = scope.filter(filters.during("created_at")).count()
    resolved = scope.filter(filters.during("resolved_at"))
    row = resolved.aggregate(**_resolved_counts())
    for name in ("resolved", "sla_cases", "sla_met", "reopened", "rated"):
        setattr(result, name, int(row[name] or 0))
    result.rating_avg = row["rating_avg"]
    counted, met = _response_q(filters)
    responses = scope.aggregate(
        n=Count("id", filter=counted), met=Count("id", filter=counted & met)
    )
    result.response_cases, result.response_met = responses["n"], responses["met"]
    frt = percentiles_by(
        scope.filter(filters.during("first_responded_on")), "first_response_minutes"
    )
    result.frt_median, result.frt_p90 = frt.get(None, (None, None))
    res = percentiles_by(resolved, "resolution_minutes")
    result.resolution_median, result.resolution_p90 = res.get(None, (None, None))
    result.backlog = backlog_by_age(scope, now=now)
    return result


@dataclass
class BreakdownRow:
    key: Any
    label: str
    opened: int = 0
    resolved: int = 0
    sla_cases: int = 0
    sla_met: int = 0
    frt_median: float | None = None
    resolution_median: float | None = None
    resolution_p90: float | None = None
    reopened: int = 0
    backlog: int = 0

    @property
    def sla_pct(self) -> float | None:
        return _pct(self.sla_met, self.sla_cases)

    @property
    def reopen_pct(self) -> float | None:
        return _pct(self.reopened, self.resolved)


DIMENSIONS = ("channel", "type", "team", "agent")
_GROUP_FIELD = {
    "channel": "channel_id",
    "type": "type_id",
    "team": "team_id",
    "agent": "assignee_id",
}


def _labels(dimension: str, keys: Iterable[Any]) -> dict[Any, str]:
    ids = [k for k in keys if k is not None]
    if dimension == "channel":
        return {c.pk: c.label for c in Channel.objects.filter(pk__in=ids)}
    if dimension == "type":
        return {t.pk: t.name for t in CaseType.objects.filter(pk__in=ids)}
    if dimension == "team":
        return {t.pk: t.name for t in Team.objects.filter(pk__in=ids)}
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}


def breakdown(
    filters: ReportFilters, dimension: str, *, now: dt.datetime | None = None
) -> list[BreakdownRow]:
    """One row per channel / type / team / agent that has cases in the period or backlog."""
    if dimension not in _GROUP_FIELD:
        raise ValueError(f"unknown dimension {dimension!r}")
    group = _GROUP_FIELD[dimension]
    scope = filters.scope().order_by()
    rows: dict[Any, BreakdownRow] = {}

    def row(key: Any) -> BreakdownRow:
        if key not in rows:
            rows[key] = BreakdownRow(key=key, label="")
        return rows[key]

    for r in scope.filter(filters.during("created_at")).values(group).annotate(n=Count("id")):
        row(r[group]).opened = r["n"]
    resolved = scope.filter(filters.during("resolved_at"))
    for r in resolved.values(group).annotate(**_resolved_counts()):
        target = row(r[group])
        target.resolved, target.sla_cases = r["resolved"], r["sla_cases"]
        target.sla_met, target.reopened = r["sla_met"], r["reopened"]
    active = scope.filter(status_category__in=ACTIVE_CATEGORIES)
    for r in active.values(group).annotate(n=Count("id")):
        row(r[group]).backlog = r["n"]
    frt = percentiles_by(
        scope.filter(filters.during("first_responded_on")), "first_response_minutes", group
    )
    for key, (p50, _p90) in frt.items():
        row(key).frt_median = p50
    for key, (p50, p90) in percentiles_by(resolved, "resolution_minutes", group).items():
        row(key).resolution_median, row(key).resolution_p90 = p50, p90
    labels = _labels(dimension, rows)
    none_label = _("Unassigned") if dimension in ("team", "agent") else _("None")
    for key, item in rows.items():
        item.label = labels.get(key, none_label) if key is not None else none_label
    return sorted(rows.values(), key=lambda r: (-r.opened, -r.backlog, r.label))


@dataclass
class Volume:
    weeks: list[dt.date]
    series: dict[str, list[int]]  # channel label → count per week

    @property
    def rows(self) -> list[tuple[dt.date, list[int]]]:
        return [(w, [s[i] for s in self.series.values()]) for i, w in enumerate(self.weeks)]


def contact_volume(filters: ReportFilters) -> Volume:
    """Customer messages per channel and week (weeks start on Monday)."""
    first = filters.start - dt.timedelta(days=filters.start.weekday())
    weeks = []
    week = first
    while week <= filters.end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    scope_ids = filters.scope().values("id")
    counts = (
        CaseMessage.objects.filter(kind=MessageKind.INBOUND, case_id__in=scope_ids)
        .filter(filters.during("created_at"))
        .annotate(week=TruncWeek("created_at"))
        .values("week", "channel_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_channel: dict[Any, dict[dt.date, int]] = defaultdict(dict)
    for r in counts:
        day = r["week"].date() if isinstance(r["week"], dt.datetime) else r["week"]
        by_channel[r["channel_id"]][day] = r["n"]
    labels = _labels("channel", by_channel)
    series: dict[str, list[int]] = {}
    for key in sorted(by_channel, key=lambda k: labels.get(k, "")):
        label = labels.get(key, _("Unknown channel")) if key is not None else _("Unknown channel")
        series[label] = [by_channel[key].get(w, 0) for w in weeks]
    return Volume(weeks=weeks, series=series)


# ------------------------------------------------------------------------------ complaints


@dataclass
class ComplaintRow:
    label: str
    received: int = 0
    acknowledged_in_target: int = 0
    resolved: int = 0
    resolved_in_target: int = 0
    rated: int = 0
    rating_avg: float | None = None

    @property
    def resolved_in_target_pct(self) -> float | None:
        return _pct(self.resolved_in_target, self.resolved)


@dataclass
class ComplaintsReport:
    received: int
    acknowledged: int
    acknowledged_in_target: int
    resolved: int
    resolved_in_target: int
    still_open: int
    rated: int
    rating_avg: float | None
    by_topic: list[ComplaintRow]
    by_root_cause: list[ComplaintRow]
    open_capas: list[Capa]

    @property
    def acknowledged_in_target_pct(self) -> float | None:
        return _pct(self.acknowledged_in_target, self.received)

    @property
    def resolved_pct(self) -> float | None:
        return _pct(self.resolved, self.received)

    @property
    def resolved_in_target_pct(self) -> float | None:
        return _pct(self.resolved_in_target, self.resolved)


def _complaint_counts() -> dict[str, Any]:
    done = Q(resolved_at__isnull=False)
    return {
        "received": Count("id"),
        "acknowledged": Count("id", filter=Q(first_responded_on__isnull=False)),
        "acknowledged_in_target": Count(
            "id", filter=Q(first_responded_on__isnull=False, response_breached=False)
        ),
        "resolved": Count("id", filter=done),
        "resolved_in_target": Count("id", filter=done & Q(resolution_breached=False)),
        "still_open": Count("id", filter=Q(status_category__in=ACTIVE_CATEGORIES)),
        "rated": Count("resolution_rating"),
        "rating_avg": Avg("resolution_rating"),
    }


def _complaint_rows(qs: QuerySet[Case], group: str, model: Any) -> list[ComplaintRow]:
    names = {}
    rows = []
    data = list(qs.values(group).annotate(**_complaint_counts()).order_by("-received"))
    names = {o.pk: o.name for o in model.objects.filter(pk__in=[r[group] for r in data])}
    for r in data:
        label = names.get(r[group], "") if r[group] is not None else _("Not set")
        rows.append(
            ComplaintRow(
                label=label,
                received=r["received"],
                acknowledged_in_target=r["acknowledged_in_target"],
                resolved=r["resolved"],
                resolved_in_target=r["resolved_in_target"],
                rated=r["rated"],
                rating_avg=r["rating_avg"],
            )
        )
    return rows


def open_capas() -> list[Capa]:
    """CAPAs not closed, soonest due first, with their linked case counts."""
    return list(
        Capa.objects.exclude(status=CapaStatus.CLOSED)
        .select_related("topic", "owner")
        .annotate(case_count=Count("cases"))
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def complaints_report(filters: ReportFilters) -> ComplaintsReport:
    """ISO 10002-style: the complaints received in the period and what became of them."""
    qs = (
        filters.scope(with_type=False)
        .filter(type__code=COMPLAINT_TYPE)
        .filter(filters.during("created_at"))
        .order_by()
    )
    totals = qs.aggregate(**_complaint_counts())
    return ComplaintsReport(
        received=totals["received"],
        acknowledged=totals["acknowledged"],
        acknowledged_in_target=totals["acknowledged_in_target"],
        resolved=totals["resolved"],
        resolved_in_target=totals["resolved_in_target"],
        still_open=totals["still_open"],
        rated=totals["rated"],
        rating_avg=totals["rating_avg"],
        by_topic=_complaint_rows(qs, "topic_id", CaseTopic),
        by_root_cause=_complaint_rows(qs, "root_cause_id", RootCause),
        open_capas=open_capas(),
    )


# ------------------------------------------------------------------------------ CAPA


@dataclass(frozen=True)
class Effectiveness:
    """Complaints on the CAPA's topic per 1,000 cases opened, before vs after."""

    window_days: int  # the length actually compared (shorter while the after window runs)
    requested_days: int
    before_start: dt.date
    implemented_on: dt.date
    after_end: dt.date  # exclusive
    change: RateChange

    @property
    def partial(self) -> bool:
        return self.window_days < self.requested_days


def capa_window_days() -> int:
    return int(getattr(settings, "CXM_CAPA_WINDOW_DAYS", DEFAULT_CAPA_WINDOW_DAYS))


def capa_effectiveness(
    capa: Capa, *, window_days: int | None = None, today: dt.date | None = None
) -> Effectiveness | None:
    """The complaint rate on the CAPA's topic in the `window_days` before `implemented_on`
    against the same number of days from it (fewer, on both sides, while the after window is
    still running). Denominator: every case opened in the window (complaints are part of
    it, so the two-proportion test applies). None without a topic or implementation date,
    or before a full day has passed since."""
    if capa.topic_id is None or capa.implemented_on is None:
        return None
    requested = window_days or capa_window_days()
    today = today or timezone.localdate()
    days = min(requested, (today - capa.implemented_on).days)
    if days < 1:
        return None
    start = capa.implemented_on - dt.timedelta(days=days)
    end = capa.implemented_on + dt.timedelta(days=days)
    middle = _local_midnight(capa.implemented_on)
    complaint = Q(type__code=COMPLAINT_TYPE, topic_id=capa.topic_id)
    before = Q(created_at__gte=_local_midnight(start), created_at__lt=middle)
    after = Q(created_at__gte=middle, created_at__lt=_local_midnight(end))
    row = Case.objects.filter(merged_into__isnull=True).aggregate(
        before_total=Count("id", filter=before),
        before_events=Count("id", filter=before & complaint),
        after_total=Count("id", filter=after),
        after_events=Count("id", filter=after & complaint),
    )
    return Effectiveness(
        window_days=days,
        requested_days=requested,
        before_start=start,
        implemented_on=capa.implemented_on,
        after_end=end,
        change=rate_change(
            before_events=row["before_events"],
            before_total=row["before_total"],
            after_events=row["after_events"],
            after_total=row["after_total"],
        ),
    )
