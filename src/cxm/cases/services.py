"""Writes on cases: create, reply, note, receive a customer's message, change status, assign,
merge, rate. Each state change goes through one function here, which records the activity,
moves the SLA clock and queues notifications after commit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.accounts.models import User
from cxm.cases import catalogue_cache, routing, sla_clock
from cxm.cases.error_codes import CaseErrorCode as Code
from cxm.cases.models import (
    ActivityKind,
    Case,
    CaseActivity,
    CaseAttachment,
    CaseMessage,
    CaseSource,
    CaseStatus,
    CaseTopic,
    CaseType,
    DeliveryStatus,
    MessageKind,
    Notification,
    StatusCategory,
)
from cxm.common.exceptions import ApplicationError

MAX_BODY = 50_000
_RELATED_FIELDS = [
    f.name for f in Case._meta.get_fields() if f.is_relation and f.concrete and f.many_to_one
]


@dataclass(frozen=True)
class IncomingAttachment:
    """A file that came with a message (an upload, an e-mail part)."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"


def default_status(category: str) -> CaseStatus:
    """The default status of `category` (the first one if none is marked default; cached
    per process, see catalogue_cache)."""
    status = catalogue_cache.cached(
        f"default_status:{category}",
        lambda: (
            CaseStatus.objects.filter(category=category).order_by("-is_default", "position").first()
        ),
    )
    if status is None:
        raise ApplicationError(
            _("No case status exists in the category %(c)s.") % {"c": category},
            code=Code.UNKNOWN_STATUS,
        )
    return status


def activity_add(
    *,
    case: Case,
    kind: str,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    key: str | None = None,
    at: dt.datetime | None = None,
) -> CaseActivity | None:
    """Record one thing that happened; with `key`, at most once per (case, kind, key)."""
    activity = CaseActivity(
        case=case,
        kind=kind,
        key=key,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data or {},
        at=at or timezone.now(),
    )
    if key is None:
        activity.save()
        return activity
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        return None
    return activity


def notify(
    *, users: Iterable[Any], text: str, kind: str, case: Case | None = None
) -> list[Notification]:
    """In-app notifications (one per distinct user); e-mail delivery follows in a task."""
    now = timezone.now()
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, case=case, kind=kind, text=text[:500], created_at=now))
    created = Notification.objects.bulk_create(rows)
    if created:
        from cxm.cases import tasks

        transaction.on_commit(lambda: tasks.deliver_notifications.enqueue())
    return created


def _clean_text(body: str, *, what: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ApplicationError(
            _("The %(what)s is empty.") % {"what": what}, code=Code.EMPTY_MESSAGE
        )
    if len(body) > MAX_BODY:
        raise ApplicationError(
            _("The %(what)s is longer than %(n)s characters.") % {"what": what, "n": MAX_BODY},
            code=Code.INVALID,
        )
    return body


def attachments_check(files: Sequence[IncomingAttachment | UploadedFile]) -> None:
    """Refuse too many, too large or forbidden files before anything is written."""
    if len(files) > settings.CXM_ATTACHMENT_MAX_COUNT:
        raise ApplicationError(
            _("At most %(n)s attachments per message.") % {"n": settings.CXM_ATTACHMENT_MAX_COUNT},
            code=Code.TOO_MANY_ATTACHMENTS,
        )
    forbidden = {e.lower().lstrip(".") for e in settings.CXM_ATTACHMENT_FORBIDDEN_EXTENSIONS}
    for item in files:
        name = str(getattr(item, "name", "") or "")
        size = len(item.content) if isinstance(item, IncomingAttachment) else int(item.size or 0)
        if size > settings.CXM_ATTACHMENT_MAX_BYTES:
            raise ApplicationError(
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": name, "mb": settings.CXM_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                code=Code.ATTACHMENT_TOO_LARGE,
            )
        suffixes = {s.lower().lstrip(".") for s in PurePath(name).suffixes}
        if suffixes & forbidden:
            raise ApplicationError(
                _("Files of this type are not accepted: %(name)s") % {"name": name},
                code=Code.ATTACHMENT_FORBIDDEN,
            )


def _safe_name(name: str) -> str:
    name = PurePath(name or "file").name
    name = re.sub(r"[^\w.\- ]", "_", name).strip() or "file"
    return name[-150:]


def _store_attachments(
    message: CaseMessage, files: Sequence[IncomingAttachment | UploadedFile]
) -> None:
    from django.core.files.base import ContentFile

    for item in files:
        if isinstance(item, IncomingAttachment):
            content: Any = ContentFile(item.content)
            size, content_type = len(item.content), item.content_type
        else:
            content = item
            size, content_type = int(item.size or 0), item.content_type or ""
        attachment = CaseAttachment(
            message=message,
            name=_safe_name(str(item.name)),
            size=size,
            content_type=(content_type or "application/octet-stream")[:100],
        )
        attachment.file.save(attachment.name, content, save=False)
        attachment.save()


@transaction.atomic
def case_create(
    *,
    subject: str,
    case_type: CaseType,
    description: str = "",
    customer: Any = None,
    channel: Any = None,
    priority: str | None = None,
    topic: CaseTopic | None = None,
    team: Any = None,
    assignee: Any = None,
    language: str = "",
    source: str = CaseSource.MANUAL,
    external_id: str | None = None,
    intent: str = "",
    source_response: Any = None,
    actor: Any = None,
    message: str = "",
    message_id: str | None = None,
    message_html: str = "",
    attachments: Sequence[IncomingAttachment | UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Case:
    """Open a case: route it to a team, assign an agent, start its SLA clock.

    Idempotent by `external_id`: the same id returns the case made the first time. `message`
    becomes the first inbound message of the thread."""
    if external_id:
        existing = Case.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing
    subject = _clean_text(subject, what=_("subject"))[:300]
    attachments_check(attachments)
    backdated = now is not None
    now = now or timezone.now()
    status = default_status(StatusCategory.OPEN)
    case = Case(
        subject=subject,
        description=description,
        customer=customer,
        channel=channel,
        type=case_type,
        topic=topic,
        priority=priority or case_type.default_priority,
        status=status,
        status_category=status.category,
        team=team,
        assignee=assignee,
        language=language or str(getattr(customer, "preferred_language", "") or ""),
        source=source,
        external_id=external_id or None,
        intent=intent,
        source_response=source_response,
    )
    decision = routing.route(case)
    if case.team is None:
        case.team = decision.team or case_type.default_team
    if decision.priority and priority is None:
        case.priority = decision.priority
    sla_clock.clock_start(case, now=now)
    # The related rows were passed as instances: no query per foreign key to check them.
    case.clean_fields(exclude=_RELATED_FIELDS)
    case.clean()
    case.save()
    if backdated:
        Case.objects.filter(pk=case.pk).update(created_at=now)
    case.created_at = now
    activity_add(case=case, kind=ActivityKind.CREATED, actor=actor, at=now, data={"source": source})
    if message:
        _message_add(
            case=case,
            kind=MessageKind.INBOUND,
            body=message,
            body_html=message_html,
            channel=channel,
            external_id=message_id,
            attachments=attachments,
            now=now,
        )
        case.last_customer_message_at = now
        case.save(update_fields=["last_customer_message_at"])
    if case.assignee is None and case.team is not None:
        chosen = routing.assign(case)
        if chosen is not None:
            _set_assignee(case, chosen, actor=None, now=now)
    elif case.assignee is not None:
        notify(
            users=[case.assignee],
            case=case,
            kind="assigned",
            text=_("Case %(ref)s was assigned to you: %(subject)s")
            % {"ref": case.reference, "subject": case.subject},
        )
    return case


def _message_add(
    *,
    case: Case,
    kind: str,
    body: str,
    channel: Any = None,
    author: Any = None,
    external_id: str | None = None,
    body_html: str = "",
    attachments: Sequence[IncomingAttachment | UploadedFile] = (),
    now: dt.datetime,
) -> CaseMessage:
    message = CaseMessage(
        case=case,
        kind=kind,
        body=body,
        body_html=body_html,
        channel=channel,
        author=author if getattr(author, "pk", None) else None,
        external_id=external_id or None,
        created_at=now,
    )
    message.save()
    if attachments:
        _store_attachments(message, attachments)
    return message


def _set_assignee(case: Case, user: Any, *, actor: Any, now: dt.datetime) -> None:
    previous = case.assignee_id
    case.assignee = user
    case.save(update_fields=["assignee", "updated_at"])
    activity_add(
        case=case,
        kind=ActivityKind.ASSIGNED,
        actor=actor,
        at=now,
        data={"from": previous, "to": getattr(user, "pk", None)},
    )
    if user is not None and user != actor:
        notify(
            users=[user],
            case=case,
            kind="assigned",
            text=_("Case %(ref)s was assigned to you: %(subject)s")
            % {"ref": case.reference, "subject": case.subject},
        )


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("sla_policy__calendar", "status")
        .get(pk=case.pk)
    )


def _refuse_if_merged(case: Case) -> None:
    if case.merged_into_id:
        raise ApplicationError(
            _("Case %(ref)s was merged into #%(into)s.")
            % {"ref": case.reference, "into": case.merged_into_id},
            code=Code.CASE_MERGED,
        )


@transaction.atomic
def case_assign(*, case: Case, assignee: Any, actor: Any = None, team: Any = None) -> Case:
    """Give the case to `assignee` (None: back to the team queue), optionally another team."""
    case = _locked(case)
    now = timezone.now()
    if team is not None and team != case.team:
        case.team = team
        case.save(update_fields=["team", "updated_at"])
    _set_assignee(case, assignee, actor=actor, now=now)
    return case


def _change_status(case: Case, status: CaseStatus, *, actor: Any, now: dt.datetime) -> None:
    """Move to `status`, starting/stopping/pausing the clock as its category says."""
    old = case.status
    if old.pk == status.pk:
        return
    was_done = old.category in (StatusCategory.RESOLVED, StatusCategory.CLOSED)
    case.status = status
    case.status_category = status.category
    if status.category == StatusCategory.RESOLVED:
        if not was_done:
            sla_clock.clock_stop(case, now=now)
    elif status.category == StatusCategory.CLOSED:
        if not was_done:
            sla_clock.clock_stop(case, now=now)
        case.closed_at = now
    else:
        if was_done:
            case.reopen_count += 1
            case.resolved_at = case.closed_at = None
            activity_add(case=case, kind=ActivityKind.REOPENED, actor=actor, at=now)
            case.on_hold_since = now  # resume from the remaining time kept at resolution
        if status.pauses_sla:
            sla_clock.clock_pause(case, now=now)
        else:
            sla_clock.clock_resume(case, now=now)
    case.save()
    activity_add(
        case=case,
        kind=ActivityKind.STATUS,
        actor=actor,
        at=now,
        data={"from": old.code, "to": status.code},
    )
    if status.category == StatusCategory.RESOLVED and not was_done:
        from cxm.cases import loop

        transaction.on_commit(lambda: loop.on_case_resolved(case.pk))


@transaction.atomic
def case_set_status(
    *, case: Case, status: CaseStatus, actor: Any = None, now: dt.datetime | None = None
) -> Case:
    case = _locked(case)
    _refuse_if_merged(case)
    _change_status(case, status, actor=actor, now=now or timezone.now())
    return case


@transaction.atomic
def case_update(*, case: Case, actor: Any = None, **fields: Any) -> Case:
    """Change subject, type, topic, priority, root cause, parent or CAPA; a new priority or
    type restarts the SLA targets from the case's creation."""
    case = _locked(case)
    allowed = {"subject", "description", "type", "topic", "priority", "root_cause", "parent"}
    allowed |= {"capa", "intent"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": unknown})
    if fields.get("parent") is not None and fields["parent"].pk == case.pk:
        raise ApplicationError(_("A case cannot be its own parent."), code=Code.INVALID)
    old_priority = case.priority
    old_type = case.type_id
    for name, value in fields.items():
        setattr(case, name, value)
    case.full_clean()
    if case.is_active and (case.priority != old_priority or case.type_id != old_type):
        now = timezone.now()
        _restart_targets(case, now=now)
        if case.priority != old_priority:
            activity_add(
                case=case,
                kind=ActivityKind.PRIORITY,
                actor=actor,
                at=now,
                data={"from": old_priority, "to": case.priority},
            )
    case.save()
    return case


def _restart_targets(case: Case, *, now: dt.datetime) -> None:
    """Recompute the targets as if the case had been opened with its current fields."""
    responded = case.first_responded_on
    hold = case.on_hold_since
    sla_clock.clock_start(case, now=case.created_at)
    if responded is not None:
        case.first_responded_on = None
        sla_clock.clock_first_response(case, now=responded)
    if hold is not None or case.status.pauses_sla:
        case.on_hold_since = None
        sla_clock.clock_pause(case, now=now)


def _mentions(body: str) -> list[User]:
    names = set(re.findall(r"@([\w.\-]+)", body))
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True))


@transaction.atomic
def case_note(
    *,
    case: Case,
    author: Any,
    body: str,
    attachments: Sequence[IncomingAttachment | UploadedFile] = (),
) -> CaseMessage:
    """An internal note; @username mentions notify those people."""
    body = _clean_text(body, what=_("note"))
    attachments_check(attachments)
    case = _locked(case)
    message = _message_add(
        case=case,
        kind=MessageKind.NOTE,
        body=body,
        author=author,
        attachments=attachments,
        now=timezone.now(),
    )
    mentioned = _mentions(body)
    if mentioned:
        message.mentions.set(mentioned)
        notify(
            users=[u for u in mentioned if u != author],
            case=case,
            kind="mention",
            text=_("%(who)s mentioned you on case %(ref)s")
            % {"who": getattr(author, "display_name", "") or author, "ref": case.reference},
        )
    return message


@transaction.atomic
def case_reply(
    *,
    case: Case,
    author: Any,
    body: str,
    status: CaseStatus | None = None,
    attachments: Sequence[IncomingAttachment | UploadedFile] = (),
    now: dt.datetime | None = None,
) -> CaseMessage:
    """A reply to the customer, sent on the channel the customer used; the first one stops
    the first-response clock. `status` (e.g. waiting on customer, resolved) is set with it."""
    body = _clean_text(body, what=_("reply"))
    attachments_check(attachments)
    case = _locked(case)
    _refuse_if_merged(case)
    if case.status_category == StatusCategory.CLOSED:
        raise ApplicationError(
            _("Case %(ref)s is closed; open a new case to write to the customer.")
            % {"ref": case.reference},
            code=Code.CASE_CLOSED,
        )
    now = now or timezone.now()
    message = _message_add(
        case=case,
        kind=MessageKind.OUTBOUND,
        body=body,
        author=author,
        channel=case.channel,
        attachments=attachments,
        now=now,
    )
    message.delivery_status = DeliveryStatus.PENDING
    message.save(update_fields=["delivery_status"])
    if case.first_responded_on is None:
        sla_clock.clock_first_response(case, now=now)
        case.save()
    if status is not None:
        _change_status(case, status, actor=author, now=now)
    from cxm.cases import tasks

    transaction.on_commit(lambda: tasks.deliver_reply.enqueue(message.pk))
    return message


@transaction.atomic
def case_receive(
    *,
    case: Case,
    body: str,
    channel: Any = None,
    external_id: str | None = None,
    body_html: str = "",
    attachments: Sequence[IncomingAttachment] = (),
    now: dt.datetime | None = None,
) -> tuple[Case, CaseMessage]:
    """A message from the customer on an existing case.

    The same `external_id` twice returns the first message (webhooks are retried). Waiting on
    the customer → open again; resolved within the reopen window → reopened; closed, or
    resolved long ago → a new case linked to the old one, so nothing is lost."""
    if external_id:
        existing = (
            CaseMessage.objects.filter(external_id=external_id).select_related("case").first()
        )
        if existing is not None:
            return existing.case, existing
    body = _clean_text(body, what=_("message"))
    attachments_check(attachments)
    now = now or timezone.now()
    case = _locked(case)
    while case.merged_into_id:
        case = _locked(Case(pk=case.merged_into_id))
    window = dt.timedelta(days=settings.CXM_CASE_REOPEN_DAYS)
    done_long_ago = case.status_category == StatusCategory.CLOSED or (
        case.status_category == StatusCategory.RESOLVED
        and case.resolved_at is not None
        and now - case.resolved_at > window
    )
    if done_long_ago:
        new_case = case_create(
            subject=case.subject,
            case_type=case.type,
            customer=case.customer,
            channel=channel or case.channel,
            topic=case.topic,
            language=case.language,
            source=case.source,
            message=body,
            message_id=external_id,
            message_html=body_html,
            attachments=attachments,
            now=now,
        )
        new_case.parent = case
        new_case.save(update_fields=["parent"])
        return new_case, new_case.messages.get(kind=MessageKind.INBOUND)
    message = _message_add(
        case=case,
        kind=MessageKind.INBOUND,
        body=body,
        body_html=body_html,
        channel=channel or case.channel,
        external_id=external_id,
        attachments=attachments,
        now=now,
    )
    case.last_customer_message_at = now
    if channel is not None:
        case.channel = channel
    case.save(update_fields=["last_customer_message_at", "channel", "updated_at"])
    if case.status_category != StatusCategory.OPEN:
        _change_status(case, default_status(StatusCategory.OPEN), actor=None, now=now)
    if case.assignee is not None:
        notify(
            users=[case.assignee],
            case=case,
            kind="customer_reply",
            text=_("The customer replied on case %(ref)s") % {"ref": case.reference},
        )
    return case, message


@transaction.atomic
def case_merge(*, source: Case, target: Case, actor: Any = None) -> Case:
    """Merge a duplicate into `target`: its messages move over, it is closed and points to
    the target."""
    if source.pk == target.pk:
        raise ApplicationError(_("A case cannot be merged into itself."), code=Code.MERGE_SELF)
    source, target = _locked(source), _locked(target)
    _refuse_if_merged(target)
    _refuse_if_merged(source)
    now = timezone.now()
    source.messages.update(case=target)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    _change_status(source, default_status(StatusCategory.CLOSED), actor=actor, now=now)
    activity_add(
        case=target, kind=ActivityKind.MERGED, actor=actor, at=now, data={"from": source.pk}
    )
    return target


@transaction.atomic
def case_rate(*, case: Case, rating: int, comment: str = "") -> Case:
    """The customer's rating of the resolution (1–5) from the portal."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError(_("The rating is a whole number from 1 to 5."), code=Code.BAD_RATING)
    case = _locked(case)
    if case.status_category not in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        raise ApplicationError(
            _("The case can be rated once it is resolved."), code=Code.NOT_ALLOWED
        )
    case.resolution_rating = rating
    case.resolution_comment = comment.strip()[:2000]
    case.save(update_fields=["resolution_rating", "resolution_comment", "updated_at"])
    activity_add(case=case, kind=ActivityKind.RATED, data={"rating": rating})
    return case


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s unread notifications (only `ids` when given) as read; how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def cases_autoclose(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Close the cases resolved more than CXM_CASE_AUTOCLOSE_DAYS ago (the customer did not
    come back); each through the one status change, so history and hooks are the same."""
    now = now or timezone.now()
    days = int(getattr(settings, "CXM_CASE_AUTOCLOSE_DAYS", 7) or 0)
    if days <= 0:
        return 0
    closed = default_status(StatusCategory.CLOSED)
    due = Case.objects.filter(
        status_category=StatusCategory.RESOLVED, resolved_at__lt=now - dt.timedelta(days=days)
    ).values_list("pk", flat=True)[:limit]
    count = 0
    for pk in list(due):
        with transaction.atomic():
            case = _locked(Case(pk=pk))
            if case.status_category == StatusCategory.RESOLVED:
                _change_status(case, closed, actor=None, now=now)
                count += 1
    return count
