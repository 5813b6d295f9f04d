"""Reads of cases for the agent's pages: the filtered list, one case with its thread,
history and relations, SLA timers, notifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cxm.accounts.models import User
from cxm.cases import sla_clock
from cxm.cases.models import (
    ACTIVE_CATEGORIES,
    CannedReply,
    Case,
    CaseActivity,
    CaseAttachment,
    CaseMessage,
    Notification,
    SlaState,
    StatusCategory,
)
from cxm.core.text import to_latin_digits

# The list's filters (values of `filters`), documented once for the form and the API.
STATUS_ACTIVE = "active"
STATUS_ALL = "all"
SLA_BREACHED = "breached"
SLA_DUE_SOON = "due_soon"
SLA_PAUSED = "paused"
SLA_ON_TRACK = "on_track"
SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORT_RESPONSE_DUE = "response_due"
SORT_RESOLUTION_DUE = "resolution_due"

# Joined in the list's query; the small catalogues are fetched by key in one query each,
# because PostgreSQL spends tens of milliseconds planning an eight-table join.
LIST_RELATED = ("customer", "team", "assignee")
LIST_CATALOGUES = ("type", "status", "channel", "topic")


def case_reference_id(text: str | None) -> int | None:
    """`#123`, `123` or `۱۲۳` → 123; anything else → None."""
    value = to_latin_digits(str(text or "")).strip().lstrip("#").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def _breached(now: dt.datetime) -> Q:
    """Breached, or past a due instant the sweep has not flagged yet."""
    return (
        Q(response_breached=True)
        | Q(resolution_breached=True)
        | Q(first_responded_on__isnull=True, response_by__lt=now)
        | Q(resolution_by__lt=now)
    )


def case_list(
    *, user: Any, filters: dict[str, Any] | None = None, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """Cases for the agent's list, narrowed by `filters` and sorted.

    `status`: "active" (default: open and waiting), "all" or one status category; `mine`;
    `unassigned`; `team`, `assignee`, `type`, `topic`, `channel` (instances or ids);
    `priority`; `sla`: breached, due_soon, paused, on_track; `q`: case number, words of the
    subject, or the customer's name, phone or e-mail (through the customer search);
    `sort`: newest (default), oldest, response_due or resolution_due (these two list only
    the cases whose clock runs, soonest first).

    The default list walks the (status_category, -id) index; team and assignee filters
    their (team|assignee, status_category) indexes.
    """
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    now = now or timezone.now()
    qs = Case.objects.select_related(*LIST_RELATED).prefetch_related(*LIST_CATALOGUES)
    status = filters.get("status") or STATUS_ACTIVE
    if status == STATUS_ACTIVE:
        qs = qs.filter(status_category__in=ACTIVE_CATEGORIES)
    elif status in StatusCategory.values:
        qs = qs.filter(status_category=status)
    if filters.get("mine"):
        qs = qs.filter(assignee=user)
    elif filters.get("unassigned"):
        qs = qs.filter(assignee__isnull=True)
    elif assignee := filters.get("assignee"):
        qs = qs.filter(assignee=assignee)
    for name in ("team", "type", "topic", "channel"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if priority := filters.get("priority"):
        qs = qs.filter(priority=priority)
    sla = filters.get("sla")
    if sla == SLA_BREACHED:
        qs = qs.filter(_breached(now))
    elif sla == SLA_DUE_SOON:
        qs = qs.filter(status_category__in=ACTIVE_CATEGORIES, on_hold_since__isnull=True)
        qs = qs.filter(Q(warned=True) | Q(warn_at__lte=now)).exclude(_breached(now))
    elif sla == SLA_PAUSED:
        qs = qs.filter(sla_state=SlaState.PAUSED)
    elif sla == SLA_ON_TRACK:
        qs = qs.filter(sla_state__in=(SlaState.FIRST_RESPONSE_DUE, SlaState.RESOLUTION_DUE))
        qs = qs.filter(warned=False).exclude(warn_at__lte=now).exclude(_breached(now))
    if query := str(filters.get("q") or "").strip():
        qs = qs.filter(_search(query))
    sort = filters.get("sort")
    return _due_sort_filter(qs, sort).order_by(*_ordering(sort))


SEARCH_CUSTOMERS_MAX = 500


def _search(query: str) -> Q:
    """Case number, subject words, or the customer's name/phone/e-mail.

    The customer search (normalised, trigram-indexed on PostgreSQL) runs first and its ids
    are passed as a list, so the case side is an indexed `customer_id = ANY(…)`. A query
    that is a phone number or an e-mail address does not search subjects (which would read
    every case); a case number typed with `#` finds that case only."""
    from cxm.customers.selectors import customer_list

    number = case_reference_id(query)
    if number is not None and query.lstrip().startswith("#"):
        return Q(pk=number)
    customer_ids = list(
        customer_list(filters={"q": query})
        .order_by()
        .values_list("pk", flat=True)[:SEARCH_CUSTOMERS_MAX]
    )
    condition = Q(customer_id__in=customer_ids) if customer_ids else Q(pk__in=[])
    digits = to_latin_digits(query).replace(" ", "").lstrip("+")
    looks_like_contact = "@" in query or (digits.isdigit() and len(digits) >= 7)
    if not looks_like_contact:
        condition |= Q(subject__icontains=query)
    if number is not None:
        condition |= Q(pk=number)
    return condition


def _ordering(sort: str | None) -> list[Any]:
    if sort == SORT_OLDEST:
        return ["id"]
    if sort == SORT_RESPONSE_DUE:
        return ["response_by", "id"]
    if sort == SORT_RESOLUTION_DUE:
        return ["resolution_by", "id"]
    return ["-id"]


def _due_sort_filter(qs: QuerySet[Case], sort: str | None) -> QuerySet[Case]:
    """Sorting by a due time lists the cases whose clock runs: awaiting a first response, or
    with a running resolution clock (paused, resolved and SLA-less cases have nothing due).
    The conditions are those of the partial indexes on `response_by` and `resolution_by`,
    so the database walks the index in due order instead of sorting every open case."""
    if sort == SORT_RESPONSE_DUE:
        return qs.filter(first_responded_on__isnull=True, response_by__isnull=False)
    if sort == SORT_RESOLUTION_DUE:
        return qs.filter(resolution_by__isnull=False)
    return qs


@dataclass(frozen=True)
class SlaBadge:
    """How a case's service level looks in a list: `tone` is overdue, due_soon, paused, ok or
    none (the CSS class); `due` the instant that matters now."""

    tone: str
    due: dt.datetime | None
    label: str


def sla_badge(case: Case, *, now: dt.datetime) -> SlaBadge:
    """The SLA badge of one case, from its loaded fields (no query)."""
    from django.utils.translation import gettext as _

    if not case.is_active:
        if case.sla_state == SlaState.FAILED:
            return SlaBadge("overdue", None, _("Breached"))
        if case.sla_state == SlaState.FULFILLED:
            return SlaBadge("ok", None, _("Met"))
        return SlaBadge("none", None, "")
    if case.on_hold_since is not None or case.sla_state == SlaState.PAUSED:
        return SlaBadge("paused", None, _("Paused"))
    awaiting_response = case.first_responded_on is None and case.response_by is not None
    due = case.response_by if awaiting_response else case.resolution_by
    breached = case.response_breached or case.resolution_breached
    if breached or (due is not None and due < now):
        return SlaBadge("overdue", due, _("Overdue"))
    if due is None:
        return SlaBadge("none", None, "")
    if case.warned or (case.warn_at is not None and case.warn_at <= now):
        return SlaBadge("due_soon", due, _("Due soon"))
    return SlaBadge("ok", due, _("On track"))


def case_get(pk: int) -> Case:
    """One case with everything its header shows: one joined query and a few small ones by
    key (a join of all of them costs PostgreSQL more to plan than to run)."""
    return (
        Case.objects.select_related(*LIST_RELATED, "sla_policy__calendar")
        .prefetch_related(
            *LIST_CATALOGUES,
            "root_cause",
            "capa",
            "parent",
            "merged_into",
            "source_response__survey",
            "team__lead",
        )
        .get(pk=pk)
    )


def case_thread(case: Case) -> list[CaseMessage]:
    """The case's messages, oldest first, with authors, channels and attachments (2 queries)."""
    return list(
        case.messages.select_related("author", "channel")
        .prefetch_related(
            Prefetch("attachments", queryset=CaseAttachment.objects.order_by("id")),
        )
        .order_by("created_at", "id")
    )


def case_history(case: Case, *, limit: int = 200) -> list[CaseActivity]:
    """The newest `limit` activities of the case, oldest first, with their actors."""
    rows = list(case.activities.select_related("actor").order_by("-at", "-id")[:limit])
    rows.reverse()
    return rows


def users_by_id(ids: set[int]) -> dict[int, User]:
    """The users named in activity data (assigned from/to), in one query."""
    ids = {i for i in ids if isinstance(i, int)}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}


def case_relations(case: Case, *, limit: int = 50) -> dict[str, list[Case]]:
    """Child problems and the duplicates merged into this case."""
    related = Case.objects.select_related("status").order_by("-id")
    return {
        "children": list(related.filter(parent=case)[:limit]),
        "merged": list(related.filter(merged_into=case)[:limit]),
    }


@dataclass(frozen=True)
class SlaTimer:
    """One target of the case: when it is due, and how much business time is left (negative
    once overdue); `done_at` when it was met."""

    kind: str
    due: dt.datetime | None
    remaining_minutes: float | None
    breached: bool
    paused: bool
    done_at: dt.datetime | None


def sla_timers(case: Case, *, now: dt.datetime | None = None) -> list[SlaTimer]:
    """First response and resolution timers, in the business time of the case's policy.

    Reads the policy's calendar (one query at most a minute, cached by `sla_clock`)."""
    if case.sla_policy_id is None:
        return []
    now = now or timezone.now()
    clock = sla_clock.clock_for(case.sla_policy)
    paused = case.on_hold_since is not None and case.is_active

    def remaining(due: dt.datetime | None) -> float | None:
        return clock.signed_remaining(now, due) if due is not None else None

    response_running = case.first_responded_on is None and case.is_active
    resolution_remaining: float | None
    if case.is_active and case.resolution_by is not None:
        resolution_remaining = remaining(case.resolution_by)
    elif paused:
        resolution_remaining = case.remaining_resolution_minutes
    else:
        resolution_remaining = None
    return [
        SlaTimer(
            kind="first_response",
            due=case.response_by,
            remaining_minutes=remaining(case.response_by) if response_running else None,
            breached=case.response_breached
            or bool(response_running and case.response_by and case.response_by < now),
            paused=False,
            done_at=case.first_responded_on,
        ),
        SlaTimer(
            kind="resolution",
            due=case.resolution_by,
            remaining_minutes=resolution_remaining,
            breached=case.resolution_breached
            or bool(case.is_active and case.resolution_by and case.resolution_by < now),
            paused=paused,
            done_at=case.resolved_at,
        ),
    ]


def canned_replies() -> list[CannedReply]:
    return list(CannedReply.objects.filter(is_active=True).order_by("title"))


def notification_list(*, user: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return (
        Notification.objects.filter(user=user).select_related("case").order_by("-created_at", "-id")
    )


UNREAD_CAP = 99


def unread_count(*, user: Any) -> int:
    """Unread notifications of `user`, counted up to UNREAD_CAP + 1 (one indexed query)."""
    return int(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .order_by()
        .values("pk")[: UNREAD_CAP + 1]
        .count()
    )
