"""Re-evaluate the SLA of every open case: warnings, breaches and escalations.

Runs as a periodic background task. Each step locks the due rows (`SKIP LOCKED` on
PostgreSQL, so two workers never take the same case), flips a flag in the same transaction
and records the activity under a unique key: an event fires once, also after a restart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cxm.accounts.models import User
from cxm.accounts.roles import Role
from cxm.cases import sla_clock
from cxm.cases.models import (
    ACTIVE_CATEGORIES,
    ActivityKind,
    Case,
    CaseActivity,
    EscalationTarget,
    Notification,
    SlaState,
)
from cxm.common.bulk import bulk_insert, bulk_update_rows

BATCH = 5_000


@dataclass
class SweepResult:
    warnings: int = 0
    response_breaches: int = 0
    resolution_breaches: int = 0
    escalations: int = 0
    notified: int = 0
    case_ids: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def _claim(qs: QuerySet[Case], limit: int) -> list[dict[str, Any]]:
    """Lock and read the due rows (skipping rows another worker holds)."""
    qs = qs.order_by("id")[:limit]
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    fields = ("id", "assignee_id", "team__lead_id", "subject", "first_responded_on")
    return [dict(row) for row in qs.values(*fields)]


def _record(rows: list[dict[str, Any]], kind: str, key_of: Any, text: Any, now: dt.datetime) -> int:
    """Activities (unique key) and notifications to the assignee and the team lead."""
    CaseActivity.objects.bulk_create(
        [CaseActivity(case_id=r["id"], kind=kind, key=key_of(r), at=now) for r in rows],
        ignore_conflicts=True,
    )
    notes = []
    for r in rows:
        for user_id in {r["assignee_id"], r["team__lead_id"]} - {None}:
            notes.append(
                Notification(
                    user_id=user_id, case_id=r["id"], kind=kind, text=text(r), created_at=now
                )
            )
    _notify_rows(notes)
    return len(notes)


def sla_evaluate(*, now: dt.datetime | None = None, limit: int = 100_000) -> SweepResult:
    """One pass over the open cases whose warning, breach or escalation instant has come."""
    now = now or timezone.now()
    result = SweepResult()
    active = Case.objects.filter(status_category__in=ACTIVE_CATEGORIES)
    steps: list[tuple[str, QuerySet[Case], dict[str, Any], str, Any, Any]] = [
        (
            "response_breach",
            active.filter(
                first_responded_on__isnull=True, response_by__lt=now, response_breached=False
            ),
            {"response_breached": True, "sla_state": SlaState.FAILED},
            ActivityKind.SLA_BREACH,
            lambda r: "response",
            lambda r: _("First response overdue on case #%(id)s: %(s)s"),
        ),
        (
            "resolution_breach",
            active.filter(resolution_by__lt=now, resolution_breached=False),
            {"resolution_breached": True, "sla_state": SlaState.FAILED},
            ActivityKind.SLA_BREACH,
            lambda r: "resolution",
            lambda r: _("Resolution overdue on case #%(id)s: %(s)s"),
        ),
        (
            "warning",
            active.filter(warn_at__lte=now, warned=False),
            {"warned": True, "warn_at": None},
            ActivityKind.SLA_WARNING,
            lambda r: "response" if r["first_responded_on"] is None else "resolution",
            lambda r: _("Case #%(id)s will soon miss its service level: %(s)s"),
        ),
    ]
    for name, due, changes, kind, key_of, message in steps:
        with override(None), transaction.atomic():
            rows = _claim(due, limit)
            if not rows:
                continue
            ids = [r["id"] for r in rows]
            Case.objects.filter(pk__any=ids).update(**changes)
            result.case_ids[name] = ids
            result.notified += _record(
                rows,
                kind,
                key_of,
                lambda r, message=message: message(r) % {"id": r["id"], "s": r["subject"]},
                now,
            )
    result.response_breaches = len(result.case_ids.get("response_breach", []))
    result.resolution_breaches = len(result.case_ids.get("resolution_breach", []))
    result.warnings = len(result.case_ids.get("warning", []))
    with override(None), transaction.atomic():
        fired = _escalate_due(active, now=now, limit=limit)
        result.escalations = len(fired)
        result.case_ids["escalation"] = fired
    if result.notified or result.escalations:
        from cxm.cases import tasks

        transaction.on_commit(lambda: tasks.deliver_notifications.enqueue())
    return result


class _Recipients:
    """Who hears of an escalation: team lead → supervisors of the team (else of its unit,
    else all) → CX managers. Three queries for a whole batch."""

    def __init__(self) -> None:
        supervisors = list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))
        self.supervisors = supervisors
        self.by_team: dict[int, list[User]] = defaultdict(list)
        self.by_unit: dict[int, list[User]] = defaultdict(list)
        for user in supervisors:
            if user.team_id:
                self.by_team[user.team_id].append(user)
            if user.unit_id:
                self.by_unit[user.unit_id].append(user)
        self._managers: list[User] | None = None

    def managers(self) -> list[User]:
        if self._managers is None:
            self._managers = list(User.objects.filter(role=Role.CX_MANAGER, is_active=True))
        return self._managers

    def of(self, case: Case, target: str) -> list[User]:
        team = case.team if case.team_id else None
        if target == EscalationTarget.TEAM_LEAD:
            return [team.lead] if team is not None and team.lead is not None else []
        if target == EscalationTarget.SUPERVISOR:
            if team is not None:
                return (
                    self.by_team.get(team.pk)
                    or self.by_unit.get(team.unit_id or 0)
                    or self.supervisors
                )
            return self.supervisors
        return self.managers()


def escalation_recipients(case: Case, target: str) -> list[User]:
    """The people one escalation step of `case` notifies."""
    return _Recipients().of(case, target)


def _escalate_due(active: QuerySet[Case], *, now: dt.datetime, limit: int) -> list[int]:
    """Fire the next escalation step of every due case, once, in one transaction.

    The rows are locked (skipped by another worker) and the level moves on in the same
    transaction that records the activity, so a crash leaves neither; an activity that
    exists already (same case and level) is not notified again."""
    qs = active.filter(next_escalation_at__lte=now).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    cases = list(qs.select_related("sla_policy__calendar", "team__lead")[:limit])
    if not cases:
        return []
    already = set(
        CaseActivity.objects.filter(
            case_id__any=[c.pk for c in cases], kind=ActivityKind.ESCALATED
        ).values_list("case_id", "key")
    )
    recipients = _Recipients()
    changed: list[Case] = []
    activities: list[CaseActivity] = []
    notes: list[Notification] = []
    fired: list[int] = []
    for case in cases:
        steps = (case.sla_policy.escalation or []) if case.sla_policy else []
        level = case.escalation_level
        if level >= len(steps):
            case.next_escalation_at = None
            changed.append(case)
            continue
        step = steps[level]
        key = f"level-{level + 1}"
        case.escalation_level = level + 1
        case.next_escalation_at = _next_escalation(case, now)
        changed.append(case)
        if (case.pk, key) in already:
            continue
        people = recipients.of(case, step["notify"])
        if step.get("reassign") and people:
            case.assignee = people[0]
        activities.append(
            CaseActivity(
                case=case,
                kind=ActivityKind.ESCALATED,
                key=key,
                at=now,
                data={"level": level + 1, "notify": step["notify"]},
            )
        )
        text = _("Escalated (level %(level)s): case #%(id)s, %(s)s") % {
            "level": level + 1,
            "id": case.pk,
            "s": case.subject,
        }
        for user in {u.pk: u for u in people}.values():
            notes.append(
                Notification(user=user, case=case, kind="escalation", text=text, created_at=now)
            )
        fired.append(case.pk)
    bulk_update_rows(
        Case,
        ["escalation_level", "next_escalation_at", "assignee"],
        [(c.pk, c.escalation_level, c.next_escalation_at, c.assignee_id) for c in changed],
    )
    CaseActivity.objects.bulk_create(activities, ignore_conflicts=True)
    _notify_rows(notes)
    return fired


def _notify_rows(notes: list[Notification]) -> None:
    """Insert notifications by COPY on PostgreSQL (thousands in a busy sweep)."""
    bulk_insert(
        Notification,
        ["user_id", "case_id", "kind", "text", "created_at"],
        [(n.user_id, n.case_id, n.kind, n.text[:500], n.created_at) for n in notes],
    )


def _next_escalation(case: Case, now: dt.datetime) -> dt.datetime | None:
    policy = case.sla_policy
    if policy is None or case.resolution_by is None:
        return None
    steps = policy.escalation or []
    if case.escalation_level >= len(steps):
        return None
    target = policy.target_minutes(case.priority, "resolution")
    if not target:
        return None
    clock = sla_clock.clock_for(policy)
    remaining = clock.signed_remaining(now, case.resolution_by)
    offset = remaining - target + steps[case.escalation_level]["at_percent"] * target / 100
    return clock.add(now, offset) if offset > 0 else now
