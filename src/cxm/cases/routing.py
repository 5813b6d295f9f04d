"""Routing (which team) and assignment (which agent) of new cases.

Routing rules are tried in order; the first whose conditions all match names the team (an
empty condition matches everything). Inside the team the strategy picks an agent among those
who are available, have room under their capacity, speak the case's language and have the
skill (topic or case type) when they list skills. Whether an agent is on shift and not on
leave comes from availability providers, which the contact-center capability registers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from cxm.accounts.models import User
from cxm.accounts.roles import Role
from cxm.cases import catalogue_cache
from cxm.cases.models import (
    ACTIVE_CATEGORIES,
    AgentProfile,
    AssignmentStrategy,
    Case,
    RoutingRule,
    TeamRouting,
)

AvailabilityProvider = Callable[[list[int], dt.datetime], Iterable[int]]
_availability: list[AvailabilityProvider] = []


def register_availability_provider(provider: AvailabilityProvider) -> AvailabilityProvider:
    """`provider(user_ids, now)` returns the ids among them who can take work now (on shift,
    not on leave). With several providers an agent must pass all of them."""
    _availability.append(provider)
    return provider


@dataclass(frozen=True)
class RouteDecision:
    team: Any = None
    priority: str = ""
    rule: RoutingRule | None = None


def _matches(rule: RoutingRule, case: Case) -> bool:
    type_ids = {t.pk for t in rule.case_types.all()}
    if type_ids and case.type_id not in type_ids:
        return False
    channel_ids = {c.pk for c in rule.channels.all()}
    if channel_ids and case.channel_id not in channel_ids:
        return False
    topic_ids = {t.pk for t in rule.topics.all()}
    if topic_ids and case.topic_id not in topic_ids:
        return False
    if rule.intents and case.intent not in rule.intents:
        return False
    tier = str(getattr(case.customer, "club_tier", "") or "") if case.customer else ""
    if rule.tiers and tier not in rule.tiers:
        return False
    return not (rule.languages and case.language not in rule.languages)


def route(case: Case) -> RouteDecision:
    """The first matching active rule's team and priority."""
    rules = catalogue_cache.cached(
        "routing_rules",
        lambda: list(
            RoutingRule.objects.filter(is_active=True)
            .select_related("team")
            .prefetch_related("case_types", "channels", "topics")
        ),
    )
    for rule in rules:
        if _matches(rule, case):
            return RouteDecision(team=rule.team, priority=rule.set_priority, rule=rule)
    return RouteDecision()


@dataclass(frozen=True)
class RosterMember:
    """An agent of a team as assignment sees them (profile defaults filled in)."""

    user: User
    capacity: int
    available: bool
    languages: frozenset[str]
    topic_ids: frozenset[int]
    type_ids: frozenset[int]


def team_roster(team_id: int) -> list[RosterMember]:
    """The team's agents who may work cases (cached per process; see catalogue_cache):
    users with the agent role, and anybody of the team with an agent profile."""

    def load() -> list[RosterMember]:
        users = (
            User.objects.filter(team_id=team_id, is_active=True)
            .filter(Q(role=Role.AGENT) | Q(case_profile__isnull=False))
            .order_by("id")
        )
        profiles = {
            p.user_id: p
            for p in AgentProfile.objects.filter(user__team_id=team_id).prefetch_related(
                "topics", "case_types"
            )
        }
        roster = []
        for user in users:
            if not user.can("cases.work"):
                continue
            profile = profiles.get(user.pk)
            roster.append(
                RosterMember(
                    user=user,
                    capacity=profile.capacity if profile else 20,
                    available=profile.available if profile else True,
                    languages=frozenset(profile.languages or []) if profile else frozenset(),
                    topic_ids=frozenset(t.pk for t in profile.topics.all())
                    if profile
                    else frozenset(),
                    type_ids=frozenset(t.pk for t in profile.case_types.all())
                    if profile
                    else frozenset(),
                )
            )
        return roster

    return catalogue_cache.cached(f"team_roster:{team_id}", load)


def candidates(case: Case, *, now: dt.datetime | None = None) -> list[tuple[User, int]]:
    """Agents of the case's team who can take it, with their open case count, fewest first.

    Agents are the team's users with the agent role, and anybody else of the team with an
    agent profile (a supervisor who also takes cases). Agents without a profile take the
    defaults (capacity 20, every skill and language)."""
    now = now or timezone.now()
    if case.team_id is None:
        return []
    roster = team_roster(case.team_id)
    counts = dict(
        Case.objects.filter(
            assignee_id__any=[member.user.pk for member in roster],
            status_category__in=ACTIVE_CATEGORIES,
        )
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    result: list[tuple[User, int]] = []
    for member in roster:
        open_cases = int(counts.get(member.user.pk, 0))
        if open_cases >= member.capacity or not member.available:
            continue
        if member.languages and case.language and case.language not in member.languages:
            continue
        if member.topic_ids and case.topic_id and case.topic_id not in member.topic_ids:
            continue
        if member.type_ids and case.type_id not in member.type_ids:
            continue
        result.append((member.user, open_cases))
    result.sort(key=lambda item: (item[1], item[0].pk))
    if _availability and result:
        ids = [agent.pk for agent, _ in result]
        allowed = set(ids)
        for provider in _availability:
            allowed &= set(provider(ids, now))
        result = [(agent, n) for agent, n in result if agent.pk in allowed]
    return result


def assign(case: Case) -> User | None:
    """Pick the agent for a routed case by the team's strategy; None leaves it in the team
    queue (manual strategy, or nobody can take it now)."""
    if case.team_id is None:
        return None
    routing, _created = TeamRouting.objects.select_for_update().get_or_create(team=case.team)
    if routing.strategy == AssignmentStrategy.MANUAL:
        return None
    pool = candidates(case)
    if not pool:
        return None
    if routing.strategy == AssignmentStrategy.ROUND_ROBIN:
        ordered = sorted(pool, key=lambda item: item[0].pk)
        last = routing.last_assigned_id or 0
        chosen = next((a for a, _ in ordered if a.pk > last), ordered[0][0])
    else:
        chosen = pool[0][0]
    routing.last_assigned = chosen
    routing.save(update_fields=["last_assigned", "updated_at"])
    return chosen
