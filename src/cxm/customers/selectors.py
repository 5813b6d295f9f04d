"""Reads of customers: the list with search and filters, and the 360 page's data."""

from typing import Any

from django.db.models import QuerySet

from cxm.core.text import normalize_search
from cxm.customers.models import Customer


def customer_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Customer]:
    """Customers, newest first, narrowed by `q` (normalised search) and exact filters.

    `q` matches the normalised twin of name, ids and contact points, so ی/ي, ک/ك, ZWNJ,
    diacritics and digit scripts do not matter.
    """
    filters = filters or {}
    qs = Customer.objects.select_related("preferred_channel").order_by("-id")
    if query := normalize_search(filters.get("q")):
        for word in query.split(" ")[:5]:
            qs = qs.filter(search_text__contains=word)
    if stage := filters.get("lifecycle_stage"):
        qs = qs.filter(lifecycle_stage=stage)
    if language := filters.get("preferred_language"):
        qs = qs.filter(preferred_language=language)
    if segment := filters.get("segment"):
        qs = qs.filter(segments__id=segment)
    if tier := filters.get("club_tier"):
        qs = qs.filter(club_tier=tier)
    return qs


def customer_get(pk: int) -> Customer:
    """One customer with channel, segments and consents loaded (3 queries)."""
    return (
        Customer.objects.select_related("preferred_channel")
        .prefetch_related("segments", "consents__channel")
        .get(pk=pk)
    )
