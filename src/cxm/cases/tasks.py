"""Background tasks of cases (django-tasks): replies out on the customer's channel, in-app
notifications by e-mail, the SLA sweep, feedback rules and the close-the-loop survey.

They take ids only and are idempotent, so a retry or a second worker does no harm.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from cxm.cases.models import CaseMessage, DeliveryStatus, Notification
from cxm.integrations.base import DeliveryStatus as SendStatus
from cxm.integrations.base import OutboundMessage, send_message

_KIND_BY_CHANNEL = {"email": "email", "sms": "sms", "telegram": "telegram"}


def _recipient(customer: Any, channel_kind: str) -> str:
    if customer is None:
        return ""
    return str(
        {"email": customer.email, "sms": customer.phone, "telegram": customer.telegram}.get(
            channel_kind, ""
        )
        or ""
    )


def reply_message(message: CaseMessage) -> OutboundMessage | None:
    """The reply as a message on the case's channel (None when it cannot be sent there)."""
    case = message.case
    channel = message.channel or case.channel
    kind = _KIND_BY_CHANNEL.get(str(getattr(channel, "kind", "") or ""))
    if kind is None:  # e.g. phone or web: fall back to e-mail, then SMS
        kind = "email" if case.customer and case.customer.email else "sms"
    recipient = _recipient(case.customer, kind)
    if not recipient:
        return None
    with override(case.language or None):
        subject = _("Re: %(subject)s [case %(ref)s]") % {
            "subject": case.subject,
            "ref": case.reference,
        }
    return OutboundMessage(
        channel=kind,
        recipient=recipient,
        text=message.body,
        subject=subject,
        language=case.language,
        idempotency_key=f"case-message-{message.pk}",
    )


@task()
def deliver_reply(message_id: int) -> str:
    """Send one agent reply; its delivery status is kept on the message."""
    with transaction.atomic():
        message = (
            CaseMessage.objects.select_for_update(of=("self",))
            .select_related("case__customer", "case__channel", "channel")
            .filter(pk=message_id, delivery_status=DeliveryStatus.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        outbound = reply_message(message)
        if outbound is None:
            message.delivery_status = DeliveryStatus.FAILED
            message.delivery_error = _("The customer has no address on this channel.")
        else:
            result = send_message(outbound)
            if result.status == SendStatus.SENT:
                message.delivery_status = DeliveryStatus.SENT
                message.delivery_error = ""
                if outbound.channel == "email" and result.provider_message_id:
                    # The customer's answer names it in In-Reply-To: that is how it finds
                    # its case (cxm.cases.inbound).
                    from cxm.cases.inbound import message_id_key

                    message.external_id = message_id_key(result.provider_message_id)
            else:
                message.delivery_status = (
                    DeliveryStatus.PENDING
                    if result.status == SendStatus.RETRY
                    else DeliveryStatus.FAILED
                )
                message.delivery_error = result.error[:300]
        message.save(update_fields=["delivery_status", "delivery_error", "external_id"])
        return str(message.delivery_status)


def _notification_address(user: Any) -> tuple[str, str] | None:
    """(channel, recipient) the user chose for notifications, or None."""
    channel = str(getattr(user, "notify_by", "email") or "email")
    recipient = {"email": user.email, "sms": user.phone, "telegram": user.telegram}.get(channel)
    return (channel, str(recipient)) if recipient else None


@task()
def deliver_notifications(limit: int = 500) -> int:
    """Send the in-app notifications not yet delivered outside the application, on the
    channel each person chose (e-mail, SMS or Telegram, through the pluggable senders).
    People who chose none, or lack the address, keep them in the application only."""
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True)
            .exclude(user__notify_by="none")
            .select_related("user")
            .order_by("id")[:limit]
        )
        now = timezone.now()
        base = settings.CXM_PUBLIC_URL.rstrip("/")
        for note in pending:
            address = _notification_address(note.user)
            if address is None:
                note.emailed_at = now  # nowhere to send: stays in the application
                continue
            channel, recipient = address
            link = f"{base}/cases/{note.case_id}/" if note.case_id else f"{base}/cases/"
            result = send_message(
                OutboundMessage(
                    channel=channel,
                    recipient=recipient,
                    text=f"{note.text}\n{link}",
                    subject=note.text[:120],
                    idempotency_key=f"notification-{note.pk}",
                )
            )
            if result.status != SendStatus.RETRY:
                note.emailed_at = now
                sent += int(result.ok)
        Notification.objects.bulk_update(pending, ["emailed_at"])
    return sent


@task()
def sla_sweep() -> dict[str, int]:
    """Warnings, breaches and escalations that are due (periodic)."""
    from cxm.cases.sweep import sla_evaluate

    result = sla_evaluate()
    return {
        "warnings": result.warnings,
        "response_breaches": result.response_breaches,
        "resolution_breaches": result.resolution_breaches,
        "escalations": result.escalations,
    }


@task()
def process_responses(response_ids: list[int]) -> dict[str, int]:
    """Feedback rules and post-resolution survey answers for newly saved responses."""
    from cxm.cases.loop import feedback_cases_open, followup_answers_link

    opened = feedback_cases_open(response_ids=response_ids)
    linked = followup_answers_link(response_ids=response_ids)
    return {"opened": len(opened), "linked": linked}


@task()
def feedback_catch_up() -> int:
    """Periodic safety net: rules over the last two days' responses (idempotent)."""
    from cxm.cases.loop import feedback_catch_up as run

    return run()


@task()
def fetch_mail() -> dict[str, int]:
    """Unseen e-mails of the IMAP mailbox → cases (every 2 minutes when CXM_IMAP_HOST is set)."""
    if not settings.CXM_IMAP_HOST:
        return {}
    from cxm.integrations.email.imap import fetch_mail as fetch

    return fetch().as_dict()


@task()
def autoclose() -> int:
    """Resolved cases the customer did not come back to are closed (periodic)."""
    from cxm.cases.services import cases_autoclose

    return cases_autoclose()


@task()
def process_text_items(item_ids: list[int]) -> int:
    """Cases for analysed comments and social posts that text rules match."""
    from cxm.cases.loop import text_cases_open

    return len(text_cases_open(item_ids=item_ids))
