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
    Notification.objects.bulk_create(notes)
    return len(notes)


def sla_evaluate(*, now: dt.datetime | None = None, limit: int = 100_000) -> SweepResult:
    """One pass over the open cases whose warning, breach or escalation instant has come."""
    now = now or timezone.now()
    result = SweepResult()
    active = Case.objects.filter(status_category__in=ACTIVE_CATEGORIES)
    with override(None), transaction.atomic():
        rows = _claim(
            active.filter(
                first_responded_on__isnull=True, response_by__lt=now, response_breached=False
            ),
            limit,
        )
        if rows:
            ids = [r["id"] for r in rows]
            Case.objects.filter(pk__in=ids).update(
                response_breached=True, sla_state=SlaState.FAILED
            )
            result.response_breaches = len(ids)
            result.case_ids["response_breach"] = ids
            result.notified += _record(
                rows,
                ActivityKind.SLA_BREACH,
                lambda r: "response",
                lambda r: (
                    _("First response overdue on case #%(id)s: %(s)s")
                    % {"id": r["id"], "s": r["subject"]}
                ),
                now,
            )
    with override(None), transaction.atomic():
        rows = _claim(active.filter(resolution_by__lt=now, resolution_breached=False), limit)
        if rows:
            ids = [r["id"] for r in rows]
            Case.objects.filter(pk__in=ids).update(
                resolution_breached=True, sla_state=SlaState.FAILED
            )
            result.resolution_breaches = len(ids)
            result.case_ids["resolution_breach"] = ids
            result.notified += _record(
                rows,
                ActivityKind.SLA_BREACH,
                lambda r: "resolution",
                lambda r: (
                    _("Resolution overdue on case #%(id)s: %(s)s")
                    % {"id": r["id"], "s": r["subject"]}
                ),
                now,
            )
    with override(None), transaction.atomic():
        rows = _claim(active.filter(warn_at__lte=now, warned=False), limit)
        if rows:
            ids = [r["id"] for r in rows]
            Case.objects.filter(pk__in=ids).update(warned=True, warn_at=None)
            result.warnings = len(ids)
            result.case_ids["warning"] = ids
            result.notified += _record(
                rows,
                ActivityKind.SLA_WARNING,
                lambda r: "response" if r["first_responded_on"] is None else "resolution",
                lambda r: (
                    _("Case #%(id)s will soon miss its service level: %(s)s")
                    % {"id": r["id"], "s": r["subject"]}
                ),
                now,
            )
    due = list(
        active.filter(next_escalation_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for case_id in due:
        if _escalate(case_id, now=now):
            result.escalations += 1
            result.case_ids["escalation"].append(case_id)
    if result.notified or result.escalations:
        from cxm.cases import tasks

        transaction.on_commit(lambda: tasks.deliver_notifications.enqueue())
    return result


def escalation_recipients(case: Case, target: str) -> list[User]:
    """Team lead → supervisors of the team (or unit) → CX managers."""
    if target == EscalationTarget.TEAM_LEAD:
        lead = case.team.lead if case.team_id and case.team else None
        return [lead] if lead is not None else []
    if target == EscalationTarget.SUPERVISOR:
        users = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
        if case.team_id:
            team_users = users.filter(team_id=case.team_id)
            if team_users.exists():
                return list(team_users)
            unit_id = case.team.unit_id if case.team else None
            if unit_id:
                unit_users = users.filter(unit_id=unit_id)
                if unit_users.exists():
                    return list(unit_users)
        return list(users)
    return list(User.objects.filter(role=Role.CX_MANAGER, is_active=True))


@transaction.atomic
def _escalate(case_id: int, *, now: dt.datetime) -> bool:
    """Fire the next escalation step of one case, once."""
    qs = Case.objects.filter(pk=case_id, next_escalation_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    case = qs.select_related("sla_policy__calendar", "team__lead").first()
    if case is None or case.sla_policy is None:
        return False
    steps = case.sla_policy.escalation or []
    level = case.escalation_level
    if level >= len(steps):
        Case.objects.filter(pk=case.pk).update(next_escalation_at=None)
        return False
    step = steps[level]
    fired = CaseActivity.objects.filter(
        case=case, kind=ActivityKind.ESCALATED, key=f"level-{level + 1}"
    ).exists()
    case.escalation_level = level + 1
    case.next_escalation_at = _next_escalation(case, now)
    fields = ["escalation_level", "next_escalation_at"]
    recipients = escalation_recipients(case, step["notify"])
    if step.get("reassign") and recipients and not fired:
        case.assignee = recipients[0]
        fields.append("assignee")
    case.save(update_fields=fields)
    if fired:
        return False
    from cxm.cases.services import activity_add, notify

    activity_add(
        case=case,
        kind=ActivityKind.ESCALATED,
        key=f"level-{level + 1}",
        at=now,
        data={"level": level + 1, "notify": step["notify"]},
    )
    with override(None):
        notify(
            users=recipients,
            case=case,
            kind="escalation",
            text=_("Escalated (level %(level)s): case #%(id)s, %(s)s")
            % {"level": level + 1, "id": case.pk, "s": case.subject},
        )
    return True


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
