"""Reads of referrals: the figures of a period (promoters invited, visits, new customers),
the top referrers and the list of referrals.

The dashboard's survey, channel and team filters apply through the promoter's response that
led to the referral (`Referral.source_response`); a referral made by hand has none and then
counts only without those filters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cxm.referrals.models import InviteStatus, Referral, ReferralConversion, ReferralVisit

TOP_REFERRERS = 10


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from cxm.analytics.services import _bounds as day_bounds

    return day_bounds(start, end)


def _scope(filters: Any, prefix: str = "") -> Q:
    """The survey/channel/team filters (when given) on the referral's promoter response."""
    q = Q()
    for name in ("survey", "channel", "team"):
        value = getattr(filters, name, None) if filters is not None else None
        if value is not None:
            q &= Q(**{f"{prefix}source_response__{name}_id": value})
    return q


@dataclass(frozen=True)
class ReferralFigures:
    invited: int
    visits: int
    conversions: int

    @property
    def conversion_rate(self) -> float | None:
        """New customers per visit, in percent (None without visits)."""
        return 100 * self.conversions / self.visits if self.visits else None


def referral_figures(start: dt.date, end: dt.date, filters: Any = None) -> ReferralFigures:
    """Promoters invited, visits of their links and new customers in the period (local
    days). Three indexed counts."""
    low, high = _bounds(start, end)
    invited = Referral.objects.filter(
        _scope(filters), invited_at__gte=low, invited_at__lt=high
    ).count()
    visits = ReferralVisit.objects.filter(
        _scope(filters, "referral__"), at__gte=low, at__lt=high
    ).count()
    conversions = ReferralConversion.objects.filter(
        _scope(filters, "referral__"), at__gte=low, at__lt=high
    ).count()
    return ReferralFigures(invited=invited, visits=visits, conversions=conversions)


def _count_in(model: Any, low: dt.datetime, high: dt.datetime) -> Any:
    return Coalesce(
        Subquery(
            model.objects.filter(referral_id=OuterRef("pk"), at__gte=low, at__lt=high)
            .order_by()
            .values("referral_id")
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def top_referrers(
    start: dt.date, end: dt.date, filters: Any = None, *, limit: int = TOP_REFERRERS
) -> list[Referral]:
    """The referrals that brought the most new customers (then visits) in the period, with
    `period_visits` and `period_conversions`. One query."""
    low, high = _bounds(start, end)
    active = Q(conversions__at__gte=low, conversions__at__lt=high) | Q(
        visits__at__gte=low, visits__at__lt=high
    )
    ids = Referral.objects.filter(_scope(filters), active).values("pk")
    return list(
        Referral.objects.filter(pk__in=ids)
        .select_related("customer")
        .annotate(
            period_visits=_count_in(ReferralVisit, low, high),
            period_conversions=_count_in(ReferralConversion, low, high),
        )
        .order_by("-period_conversions", "-period_visits", "id")[:limit]
    )


def referral_list(filters: Any = None) -> QuerySet[Referral]:
    """Referrals of invited promoters (and any made by hand), newest first, with their total
    visits and conversions (for paging)."""
    totals = {
        "total_visits": Coalesce(
            Subquery(
                ReferralVisit.objects.filter(referral_id=OuterRef("pk"))
                .order_by()
                .values("referral_id")
                .annotate(n=Count("id"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        "total_conversions": Coalesce(
            Subquery(
                ReferralConversion.objects.filter(referral_id=OuterRef("pk"))
                .order_by()
                .values("referral_id")
                .annotate(n=Count("id"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    }
    return (
        Referral.objects.filter(_scope(filters))
        .select_related("customer", "channel")
        .annotate(**totals)
        .order_by("-id")
    )


def invite_status_counts() -> dict[str, int]:
    """How many referrals are in each invitation state. One query."""
    rows = Referral.objects.order_by().values("invite_status").annotate(n=Count("id"))
    counts = {status: 0 for status in InviteStatus.values}
    for row in rows:
        counts[row["invite_status"]] = row["n"]
    return counts
