"""The SLA clock of a case, kept as due instants.

Deadlines are computed in business time (`cxm.core.business_time`) only when the clock
starts, pauses, resumes or stops; in between, the state of every open case follows from
comparing its instants with now, which `sla_evaluate` does with a few indexed UPDATEs (the
issue's figure: 100,000 open cases re-evaluated in under a second).

Offsets of the warning and escalation instants are expressed against the resolution target
T: with R business minutes remaining, an event at p% of T lies R − T + p·T/100 business
minutes ahead. That one formula serves the start (R = T), a resume after a pause and a reopen.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from cxm.cases import catalogue_cache
from cxm.cases.models import Case, CaseType, Priority, SlaPolicy, SlaState
from cxm.core.business_time import Calendar, add_business_minutes, business_minutes_between


@dataclass(frozen=True)
class _Clock:
    """The policy's calendar (None: around the clock) and its arithmetic."""

    calendar: Calendar | None

    def add(self, start: dt.datetime, minutes: float) -> dt.datetime:
        if self.calendar is None:
            return start + dt.timedelta(minutes=minutes)
        return add_business_minutes(start, minutes, self.calendar)

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        if self.calendar is None:
            return max(0.0, (end - start).total_seconds() / 60)
        return business_minutes_between(start, end, self.calendar)

    def signed_remaining(self, now: dt.datetime, due: dt.datetime) -> float:
        """Business minutes from now to due; negative once due has passed."""
        if now <= due:
            return self.between(now, due)
        return -self.between(due, now)


CALENDAR_CACHE_SECONDS = 60.0
_calendar_cache: dict[tuple[int, Any], tuple[float, Calendar]] = {}


def clock_for(policy: SlaPolicy | None) -> _Clock:
    """The clock of `policy`. Its calendar (with holidays: one query) is compiled at most once
    a minute per version, so an edited calendar or holiday takes effect within a minute."""
    if policy is None or policy.calendar_id is None:
        return _Clock(None)
    calendar = policy.calendar
    assert calendar is not None
    key = (calendar.pk, calendar.updated_at)
    cached = _calendar_cache.get(key)
    now = time.monotonic()
    if cached is None or now - cached[0] > CALENDAR_CACHE_SECONDS:
        if len(_calendar_cache) > 64:
            _calendar_cache.clear()
        cached = (now, calendar.to_core())
        _calendar_cache[key] = cached
    return _Clock(cached[1])


def policy_for(
    *,
    channel_id: int | None,
    case_type: CaseType,
    priority: str,
    tier: str,
    policies: list[SlaPolicy] | None = None,
) -> SlaPolicy | None:
    """The first active policy (in order) whose conditions all match; None if none does."""
    if policies is None:
        policies = active_policies()
    for policy in policies:
        channel_ids = {c.pk for c in policy.channels.all()}
        type_ids = {t.pk for t in policy.case_types.all()}
        if channel_ids and channel_id not in channel_ids:
            continue
        if type_ids and case_type.pk not in type_ids:
            continue
        if policy.priorities and priority not in policy.priorities:
            continue
        if policy.tiers and tier not in policy.tiers:
            continue
        return policy
    return None


def active_policies() -> list[SlaPolicy]:
    """The active policies in order, with their conditions (cached per process)."""
    return catalogue_cache.cached(
        "sla_policies",
        lambda: list(
            SlaPolicy.objects.filter(is_active=True)
            .select_related("calendar")
            .prefetch_related("channels", "case_types")
        ),
    )


def _tier(case: Case) -> str:
    customer = case.customer
    return str(getattr(customer, "club_tier", "") or "") if customer is not None else ""


def _schedule_resolution(case: Case, clock: _Clock, now: dt.datetime, remaining: float) -> None:
    """Set resolution_by, warn_at and next_escalation_at from `remaining` business minutes."""
    policy = case.sla_policy
    target = policy.target_minutes(case.priority, "resolution") if policy else None
    if policy is None or target is None:
        case.resolution_by = case.warn_at = case.next_escalation_at = None
        return
    case.resolution_by = clock.add(now, max(remaining, 0.0)) if remaining > 0 else now
    if remaining <= 0:
        case.resolution_breached = True

    def at(percent: float) -> dt.datetime | None:
        offset = remaining - target + percent * target / 100
        return clock.add(now, offset) if offset > 0 else None

    if case.first_responded_on is not None or case.response_by is None:
        case.warn_at = None if case.warned else at(policy.warn_at_percent)
    steps = policy.escalation or []
    case.next_escalation_at = None
    for level in range(case.escalation_level, len(steps)):
        due = at(steps[level]["at_percent"])
        case.next_escalation_at = due or now
        break


def clock_start(case: Case, *, now: dt.datetime) -> None:
    """Choose the case's policy and set its first response and resolution instants.

    Changes the instance only; the caller saves."""
    policy = policy_for(
        channel_id=case.channel_id, case_type=case.type, priority=case.priority, tier=_tier(case)
    )
    case.sla_policy = policy
    case.warned = False
    case.escalation_level = 0
    case.response_breached = case.resolution_breached = False
    if policy is None:
        case.sla_state = SlaState.NONE
        case.response_by = case.resolution_by = case.warn_at = case.next_escalation_at = None
        return
    clock = clock_for(policy)
    first = policy.target_minutes(case.priority, "first_response")
    case.response_by = clock.add(now, first) if first else None
    if case.response_by is not None and case.first_responded_on is None:
        case.warn_at = clock.add(now, first * policy.warn_at_percent / 100)  # type: ignore[operator]
    resolution = policy.target_minutes(case.priority, "resolution")
    _schedule_resolution(case, clock, now, float(resolution or 0))
    case.sla_state = (
        SlaState.FIRST_RESPONSE_DUE if case.response_by is not None else SlaState.RESOLUTION_DUE
    )


def clock_first_response(case: Case, *, now: dt.datetime) -> None:
    """The first reply to the customer: record its business time, move warnings on."""
    case.first_responded_on = now
    policy = case.sla_policy
    clock = clock_for(policy)
    start = case.created_at or now
    case.first_response_minutes = clock.between(start, now)
    if case.response_by is not None and now > case.response_by:
        case.response_breached = True
    if policy is not None and case.resolution_by is not None:
        remaining = clock.signed_remaining(now, case.resolution_by)
        case.warned = False
        _schedule_resolution(case, clock, now, remaining)
    if case.sla_state == SlaState.FIRST_RESPONSE_DUE:
        case.sla_state = SlaState.RESOLUTION_DUE


def clock_pause(case: Case, *, now: dt.datetime) -> None:
    """Waiting on the customer (or a third party, where configured): stop the clock."""
    if case.on_hold_since is not None:
        return
    case.on_hold_since = now
    if case.resolution_by is not None:
        clock = clock_for(case.sla_policy)
        case.remaining_resolution_minutes = clock.signed_remaining(now, case.resolution_by)
        case.resolution_by = case.warn_at = case.next_escalation_at = None
    if case.sla_state in (SlaState.FIRST_RESPONSE_DUE, SlaState.RESOLUTION_DUE):
        case.sla_state = SlaState.PAUSED


def clock_resume(case: Case, *, now: dt.datetime) -> None:
    """Back to work (customer replied, case reopened): the clock runs from where it stood."""
    case.on_hold_since = None
    if case.sla_policy is None:
        return
    remaining = case.remaining_resolution_minutes
    if remaining is not None:
        _schedule_resolution(case, clock_for(case.sla_policy), now, remaining)
        case.remaining_resolution_minutes = None
    case.sla_state = _running_state(case)


def clock_stop(case: Case, *, now: dt.datetime) -> None:
    """Resolved: record the resolution time and whether the target was met."""
    policy = case.sla_policy
    clock = clock_for(policy)
    target = policy.target_minutes(case.priority, "resolution") if policy else None
    if case.resolution_by is not None:
        remaining = clock.signed_remaining(now, case.resolution_by)
    else:
        remaining = case.remaining_resolution_minutes or 0.0
    if target is not None:
        case.resolution_minutes = target - remaining
        if remaining < 0:
            case.resolution_breached = True
    else:
        case.resolution_minutes = clock.between(case.created_at or now, now)
    if case.first_responded_on is None and case.response_by and now > case.response_by:
        case.response_breached = True
    case.remaining_resolution_minutes = remaining
    case.resolved_at = now
    case.on_hold_since = None
    case.resolution_by = case.warn_at = case.next_escalation_at = None
    if policy is None:
        case.sla_state = SlaState.NONE
    elif case.response_breached or case.resolution_breached:
        case.sla_state = SlaState.FAILED
    else:
        case.sla_state = SlaState.FULFILLED


def _running_state(case: Case) -> str:
    if case.response_breached or case.resolution_breached:
        return SlaState.FAILED
    if case.first_responded_on is None and case.response_by is not None:
        return SlaState.FIRST_RESPONSE_DUE
    return SlaState.RESOLUTION_DUE


def priority_rank(priority: str) -> int:
    return list(Priority.values).index(priority)


def open_cases() -> QuerySet[Case]:
    from cxm.cases.models import ACTIVE_CATEGORIES

    return Case.objects.filter(status_category__in=ACTIVE_CATEGORIES)
