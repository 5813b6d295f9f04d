"""Sending survey invitations and their one reminder through the channel senders.

`invitation_send` picks the channel, asks `contact_policy`, renders the message in the
customer's language and hands it to `cxm.integrations` (`get_sender(kind).send(...)`); the
`DeliveryResult` becomes the invitation's delivery status and a `DeliveryAttempt` row.

An invitation is due when it is pending (or to be retried) and the moment in
`next_attempt_at`, else `send_after`, has come; one made by a survey event is due at once.
Invitations of the "Send invitations" form and of follow-up rules have a `send_after`;
personal links made one by one in the builder have neither and are only shared by hand.

The send does not hold a lock across the network call: the budget is reserved first
(`sent_at` set in a transaction that locks the customer row, so two invitations for the same
customer cannot both pass the budget), the message goes out, then the result is written; a
failure gives the reservation back.
"""

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cxm.channels.models import Channel, ChannelKind
from cxm.common.i18n import is_rtl
from cxm.core.sms_parts import count_sms_parts
from cxm.customers.models import Customer
from cxm.integrations.base import DeliveryResult, DeliveryStatus, OutboundMessage, get_sender
from cxm.integrations.telegram.keyboards import nps_keyboard
from cxm.surveys.contact_policy import (
    BlockReason,
    ContactFacts,
    Decision,
    budget_exempt_kinds,
    contact_point,
    decide,
    reason_message,
)
from cxm.surveys.models import (
    DeliveryAttempt,
    DeliveryState,
    Invitation,
    QuestionType,
    Survey,
    SurveyKind,
    SurveyStatus,
)
from cxm.surveys.optout import optout_url
from cxm.surveys.tokens import new_key, sign_key

logger = logging.getLogger(__name__)

SENDING_KINDS = (ChannelKind.EMAIL, ChannelKind.SMS, ChannelKind.TELEGRAM)
DUE_STATES = (DeliveryState.PENDING, DeliveryState.RETRY)
REMINDABLE_STATES = (DeliveryState.SENT, DeliveryState.OPENED)
BATCH = 1000


def public_url(path: str) -> str:
    """An absolute URL on the public site (`CXM_PUBLIC_URL`): tasks have no request."""
    return f"{str(settings.CXM_PUBLIC_URL).rstrip('/')}{path}"


def survey_link(invitation: Invitation) -> str:
    return public_url(reverse("survey_public:invitation", args=[invitation.token]))


# ------------------------------------------------------------------------ choosing a channel


def sending_channels() -> list[Channel]:
    """Active channels that can send, of a kind with a sender, in e-mail/SMS/Telegram order."""
    channels = Channel.objects.filter(kind__in=SENDING_KINDS, is_active=True, can_send=True)
    order: dict[str, int] = {str(kind): i for i, kind in enumerate(SENDING_KINDS)}
    return sorted(channels, key=lambda c: (order[c.kind], c.position, c.code))


def choose_channel(
    invitation_channel: Channel | None,
    customer: Customer,
    *,
    now: dt.datetime,
    facts: ContactFacts,
    candidates: Sequence[Channel],
) -> tuple[Channel | None, Decision | None]:
    """The invitation's channel, else the customer's preferred one, else the first sending
    channel with a contact point that consent allows. Returns (channel, blocking decision
    about the channel itself) — the budget and quiet hours are decided afterwards."""
    fixed = invitation_channel or customer.preferred_channel
    if fixed is not None and fixed.kind in SENDING_KINDS:
        return fixed, None
    first_block: Decision | None = None
    for channel in candidates:
        decision = decide(customer, channel=channel, now=now, facts=facts, count_budget=False)
        if decision.allowed or decision.reason_code == BlockReason.QUIET_HOURS:
            return channel, None
        if first_block is None or (
            first_block.reason_code == BlockReason.NO_CONTACT_POINT
            and decision.reason_code != BlockReason.NO_CONTACT_POINT
        ):
            first_block = decision  # prefer "opted out" over "no address" as the reason
    return None, first_block or Decision.block(BlockReason.NO_CHANNEL)


# ------------------------------------------------------------------------ messages


def _language(invitation: Invitation) -> str:
    customer = invitation.customer
    return invitation.survey.pick_language(
        invitation.language, customer.preferred_language if customer else ""
    )


def build_message(
    invitation: Invitation, channel: Channel, *, reminder: bool = False
) -> OutboundMessage:
    """The invitation (or reminder) for `channel`, in the customer's language."""
    customer = invitation.customer
    assert customer is not None
    language = _language(invitation)
    link = survey_link(invitation)
    opt_out = optout_url(customer=customer, channel=channel)
    recipient = contact_point(customer, channel)
    key = f"invitation-{invitation.pk}{'-r' if reminder else ''}"  # one per send, not per try
    with translation.override(language):
        if reminder:
            intro = _("A reminder: we would still like to hear about your experience.")
        else:
            intro = _("We would like to hear about your experience. It takes about a minute.")
        if channel.kind == ChannelKind.EMAIL:
            subject = _("Reminder: a short survey") if reminder else _("A short survey for you")
            greeting = _("Hello %(name)s,") % {"name": customer.name} if customer.name else ""
            opt_out_line = _("To stop receiving these e-mails: %(url)s") % {"url": opt_out}
            text = "\n\n".join(
                p for p in (greeting, intro, _("Answer here: %(url)s") % {"url": link}) if p
            )
            html = render_to_string(
                "surveys/messages/invitation_email.html",
                {
                    "language": language,
                    "dir": "rtl" if is_rtl(language) else "ltr",
                    "greeting": greeting,
                    "intro": intro,
                    "link": link,
                    "opt_out_url": opt_out,
                    "subject": subject,
                },
            )
            return OutboundMessage(
                channel="email",
                recipient=recipient,
                language=language,
                subject=subject,
                text=f"{text}\n\n--\n{opt_out_line}",
                html=html,
                url=link,
                opt_out_url=opt_out,
                idempotency_key=key,
            )
        if channel.kind == ChannelKind.SMS:
            # Short: Persian goes as UCS-2, 70 characters in one part and 67 per part after.
            lead = _("Reminder: your opinion matters") if reminder else _("Your opinion matters")
            text = f"{lead}: {link}\n{_('Opt out')}: {opt_out}"
            return OutboundMessage(
                channel="sms",
                recipient=recipient,
                language=language,
                text=text,
                idempotency_key=key,
            )
        first = next(
            (q for q in invitation.survey.questions.all() if q.type != QuestionType.HIDDEN), None
        )
        opt_out_line = _("Opt out: %(url)s") % {"url": opt_out}
        if first is not None and first.type == QuestionType.NPS:
            text = "\n\n".join(
                [intro, first.text_for(language), _("Tap a number below."), opt_out_line]
            )
            buttons: Any = nps_keyboard(invitation.key, language)
        else:
            text = "\n\n".join([intro, _("Answer here: %(url)s") % {"url": link}, opt_out_line])
            buttons = ()
        return OutboundMessage(
            channel="telegram",
            recipient=recipient,
            language=language,
            text=text,
            buttons=buttons,
            idempotency_key=key,
        )


def sms_parts(message: OutboundMessage) -> int:
    """How many SMS parts the message costs (for the preview and tests)."""
    return count_sms_parts(message.text_with_url()).parts


# ------------------------------------------------------------------------ sending one


def _facts(customer: Customer, now: dt.datetime, invitation: Invitation) -> ContactFacts:
    return ContactFacts.load([customer.pk], now=now, exclude_invitation_ids=[invitation.pk])


def _block(invitation: Invitation, decision: Decision, *, now: dt.datetime) -> None:
    """Record a block: a passing one (quiet hours) reschedules, any other is final."""
    invitation.blocked_reason = decision.reason_code
    invitation.blocked_message = decision.message[:300]
    if decision.reason_code == BlockReason.QUIET_HOURS and decision.retry_at is not None:
        invitation.next_attempt_at = decision.retry_at
    else:
        invitation.status = DeliveryState.BLOCKED
        invitation.next_attempt_at = None
    invitation.save(
        update_fields=[
            "status",
            "blocked_reason",
            "blocked_message",
            "next_attempt_at",
            "channel",
            "updated_at",
        ]
    )


def _precheck(invitation: Invitation, now: dt.datetime) -> Decision | None:
    survey = invitation.survey
    if survey.status != SurveyStatus.ACTIVE:
        return Decision.block(BlockReason.SURVEY_CLOSED)
    if invitation.expires_at <= now:
        return Decision.block(BlockReason.EXPIRED)
    if invitation.customer_id is None:
        return Decision.block(BlockReason.NO_CUSTOMER)
    if hasattr(invitation, "response"):
        return Decision.block(BlockReason.ALREADY_ANSWERED)
    return None


def invitation_send(*, invitation: Invitation, now: dt.datetime | None = None) -> Invitation:
    """Send a pending (or to-be-retried) invitation now, or record why it was not sent.

    Returns the invitation as stored. Does nothing to an invitation in any other state.
    Hides about ten queries and one call to the channel's sender.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the customer first (the budget is per customer), then the invitation.
        if invitation.customer_id is not None:
            Customer.objects.select_for_update().filter(pk=invitation.customer_id).exists()
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("survey", "customer", "customer__preferred_channel", "channel")
            .get(pk=invitation.pk)
        )
        if invitation.status not in DUE_STATES or invitation.sent_at is not None:
            return invitation
        if (decision := _precheck(invitation, now)) is not None:
            _block(invitation, decision, now=now)
            return invitation
        customer = invitation.customer
        assert customer is not None
        facts = _facts(customer, now, invitation)
        channel, decision = choose_channel(
            invitation.channel, customer, now=now, facts=facts, candidates=sending_channels()
        )
        if channel is not None:
            invitation.channel = channel
            decision = decide(
                customer,
                channel=channel,
                now=now,
                facts=facts,
                count_budget=invitation.survey.kind not in budget_exempt_kinds(),
            )
        assert decision is not None
        if not decision.allowed or channel is None:
            _block(invitation, decision, now=now)
            return invitation
        message = build_message(invitation, channel)
        # Reserve the budget before the network call; given back when nothing went out.
        invitation.sent_at = now
        invitation.status = DeliveryState.SENT
        invitation.attempts = F("attempts") + 1
        invitation.save(update_fields=["sent_at", "status", "attempts", "channel", "updated_at"])
        invitation.refresh_from_db(fields=["attempts"])
    result = _deliver(message)
    _record(invitation, channel, result, now=now, reminder=False)
    return invitation


def _deliver(message: OutboundMessage) -> DeliveryResult:
    try:
        return get_sender(message.channel).send(message)
    except Exception as exc:  # a misconfigured sender: keep the invitation, try again later
        logger.exception("Sender for %s failed", message.channel)
        return DeliveryResult.retry(f"{type(exc).__name__}: {exc}")


def retry_delay(attempts: int, retry_after: float | None) -> dt.timedelta:
    """The provider's `retry_after` when given, else 5, 10, 20 … minutes (at most a day)."""
    if retry_after is not None and retry_after > 0:
        return dt.timedelta(seconds=retry_after)
    return dt.timedelta(minutes=min(5 * 2 ** max(attempts - 1, 0), 24 * 60))


def _record(
    invitation: Invitation,
    channel: Channel,
    result: DeliveryResult,
    *,
    now: dt.datetime,
    reminder: bool,
) -> None:
    DeliveryAttempt.objects.create(
        invitation=invitation,
        channel=channel.code,
        is_reminder=reminder,
        at=now,
        status=result.status,
        error=result.error,
        provider_message_id=result.provider_message_id,
    )
    if reminder:
        if result.status == DeliveryStatus.RETRY:  # give the reminder back to the next run
            Invitation.objects.filter(pk=invitation.pk).update(reminder_sent_at=None)
        return
    fields = ["status", "last_error", "provider_message_id", "next_attempt_at", "updated_at"]
    invitation.last_error = result.error
    invitation.provider_message_id = result.provider_message_id
    if result.ok:
        invitation.status = DeliveryState.SENT
        invitation.next_attempt_at = None
        invitation.blocked_reason = invitation.blocked_message = ""
        fields += ["blocked_reason", "blocked_message"]
    else:
        invitation.sent_at = None  # nothing went out: the budget is not used
        fields.append("sent_at")
        max_attempts = int(getattr(settings, "CXM_INVITATION_MAX_ATTEMPTS", 5))
        if result.status == DeliveryStatus.RETRY and invitation.attempts < max_attempts:
            invitation.status = DeliveryState.RETRY
            invitation.next_attempt_at = now + retry_delay(invitation.attempts, result.retry_after)
        else:
            invitation.status = DeliveryState.FAILED
            invitation.next_attempt_at = None
    invitation.save(update_fields=fields)


# ------------------------------------------------------------------------ batches


def invitations_due(now: dt.datetime) -> QuerySet[Invitation]:
    """Pending or retry invitations whose `next_attempt_at` (else `send_after`; for those a
    survey event made, their creation) has come."""
    return (
        Invitation.objects.filter(status__in=DUE_STATES, sent_at__isnull=True)
        .annotate(
            due_at=Coalesce(
                "next_attempt_at",
                "send_after",
                Case(When(~Q(event=""), then=F("created_at")), default=None),
            )
        )
        .filter(due_at__lte=now)
        .order_by("due_at", "id")
    )


def invitations_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send up to `limit` due invitations; counts by resulting status (plus "remaining")."""
    now = now or timezone.now()
    invitations_sync_status()
    ids = list(invitations_due(now).values_list("id", flat=True)[:limit])
    counts: Counter[str] = Counter()
    for invitation in Invitation.objects.filter(pk__in=ids).order_by("id"):
        try:
            sent = invitation_send(invitation=invitation, now=now)
        except Exception:
            logger.exception("Invitation %s could not be sent", invitation.pk)
            counts["error"] += 1
            continue
        counts[sent.status] += 1
    counts["remaining"] = invitations_due(now).count() if len(ids) == limit else 0
    return dict(counts)


def invitations_sync_status() -> None:
    """Move sent invitations on to opened / answered (two UPDATEs)."""
    Invitation.objects.filter(status__in=REMINDABLE_STATES, response__isnull=False).update(
        status=DeliveryState.RESPONDED
    )
    Invitation.objects.filter(status=DeliveryState.SENT, opened_at__isnull=False).update(
        status=DeliveryState.OPENED
    )


def reminder_hours() -> int:
    return int(getattr(settings, "CXM_REMINDER_AFTER_HOURS", 72))


def reminders_due(now: dt.datetime) -> QuerySet[Invitation]:
    """Sent invitations, unanswered, with no reminder yet, sent long enough ago."""
    return Invitation.objects.filter(
        status__in=REMINDABLE_STATES,
        sent_at__lte=now - dt.timedelta(hours=reminder_hours()),
        reminder_sent_at__isnull=True,
        response__isnull=True,
        expires_at__gt=now,
        survey__status=SurveyStatus.ACTIVE,
        customer__isnull=False,
        channel__isnull=False,
    ).order_by("sent_at", "id")


def reminder_send(*, invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """Send the one reminder of an invitation when consent and quiet hours allow (not
    counted against the budget). True when it went out; claims it first, so never twice."""
    now = now or timezone.now()
    fresh = (
        Invitation.objects.select_related("survey", "customer", "channel")
        .filter(pk=invitation.pk)
        .first()
    )
    if fresh is None or fresh.customer is None or fresh.channel is None:
        return False
    invitation, customer, channel = fresh, fresh.customer, fresh.channel
    facts = _facts(customer, now, invitation)
    decision = decide(customer, channel=channel, now=now, facts=facts, count_budget=False)
    if not decision.allowed:
        return False  # quiet hours: the next run tries again; an opt-out: never
    claimed = Invitation.objects.filter(
        pk=invitation.pk, reminder_sent_at__isnull=True, response__isnull=True
    ).update(reminder_sent_at=now)
    if not claimed:
        return False
    message = build_message(invitation, channel, reminder=True)
    result = _deliver(message)
    _record(invitation, channel, result, now=now, reminder=True)
    return result.ok


def reminders_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send the due reminders (at most `limit`); returns how many went out."""
    now = now or timezone.now()
    invitations_sync_status()
    sent = 0
    for invitation in list(reminders_due(now)[:limit]):
        try:
            sent += reminder_send(invitation=invitation, now=now)
        except Exception:
            logger.exception("Reminder for invitation %s failed", invitation.pk)
    return sent


# ------------------------------------------------------------------------ the send form


@dataclass
class Audience:
    """Who a bulk send reaches: a segment and/or a lifecycle stage, and a channel (None:
    each customer's preferred channel, else the first one that works)."""

    survey: Survey
    segment_id: int | None = None
    lifecycle_stage: str = ""
    channel: Channel | None = None
    now: dt.datetime | None = None  # when "open invitation" is judged (default: now)

    def customers(self) -> QuerySet[Customer]:
        qs = Customer.objects.select_related("preferred_channel")
        if self.segment_id:
            qs = qs.filter(segments__id=self.segment_id)
        if self.lifecycle_stage:
            qs = qs.filter(lifecycle_stage=self.lifecycle_stage)
        already = Invitation.objects.filter(
            survey=self.survey, customer_id__isnull=False, expires_at__gt=self.now or timezone.now()
        ).exclude(status__in=[DeliveryState.BLOCKED, DeliveryState.FAILED])
        return qs.exclude(pk__in=already.values("customer_id")).order_by("id").distinct()


@dataclass
class Preview:
    total: int = 0
    will_send: int = 0
    later: int = 0  # quiet hours now: sent when they end
    blocked: Counter[str] = field(default_factory=Counter)

    def blocked_rows(self) -> list[tuple[str, str, int]]:
        """(code, translated reason, count), most frequent first."""
        return [(code, reason_message(code), n) for code, n in self.blocked.most_common()]


def _chunks(qs: QuerySet[Customer]) -> Iterable[list[Customer]]:
    chunk: list[Customer] = []
    for customer in qs.iterator(chunk_size=BATCH):
        chunk.append(customer)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def audience_preview(audience: Audience, *, now: dt.datetime | None = None) -> Preview:
    """How many invitations would go out now, later (quiet hours) and be blocked, by reason.
    A few queries per 1,000 customers."""
    now = now or timezone.now()
    preview = Preview()
    candidates = sending_channels()
    count_budget = audience.survey.kind not in budget_exempt_kinds()
    for chunk in _chunks(audience.customers()):
        facts = ContactFacts.load([c.pk for c in chunk], now=now)
        for customer in chunk:
            preview.total += 1
            channel, decision = choose_channel(
                audience.channel, customer, now=now, facts=facts, candidates=candidates
            )
            if channel is not None:
                decision = decide(
                    customer, channel=channel, now=now, facts=facts, count_budget=count_budget
                )
            assert decision is not None
            if decision.allowed:
                preview.will_send += 1
            elif decision.reason_code == BlockReason.QUIET_HOURS:
                preview.later += 1
            else:
                preview.blocked[decision.reason_code] += 1
    return preview


def audience_invite(audience: Audience, *, now: dt.datetime | None = None) -> int:
    """Create a pending invitation, due now, for each customer of the audience (blocked ones
    too: the send records why). Returns how many; the caller enqueues the sending."""
    now = now or timezone.now()
    survey = audience.survey
    if survey.status != SurveyStatus.ACTIVE:
        return 0
    created = 0
    for chunk in _chunks(audience.customers()):
        created += _invite(survey, chunk, channel=audience.channel, now=now)
    return created


def _invite(
    survey: Survey, customers: Sequence[Customer], *, channel: Channel | None, now: dt.datetime
) -> int:
    """Pending invitations, due now, for `customers` (one INSERT)."""
    rows = []
    for customer in customers:
        key = new_key()
        rows.append(
            Invitation(
                survey=survey,
                customer=customer,
                channel=channel,
                touchpoint=survey.touchpoint,
                language=survey.pick_language(customer.preferred_language),
                key=key,
                token=sign_key(key),
                expires_at=now + dt.timedelta(days=survey.invitation_valid_days),
                send_after=now,
                status=DeliveryState.PENDING,
            )
        )
    with transaction.atomic():
        Invitation.objects.bulk_create(rows)
    return len(rows)


def waves_due(now: dt.datetime) -> QuerySet[Survey]:
    """Active relationship surveys whose next wave has come."""
    return Survey.objects.filter(
        kind=SurveyKind.RELATIONSHIP,
        status=SurveyStatus.ACTIVE,
        wave_every_days__gt=0,
        wave_sample_size__gt=0,
    ).filter(Q(next_wave_at__isnull=True) | Q(next_wave_at__lte=now))


def wave_send(*, survey: Survey, now: dt.datetime | None = None, rng: Any = None) -> int:
    """Invite a random sample of `wave_sample_size` customers the contact policy allows
    (now, or after quiet hours); claims the wave first, so two workers never send it twice.
    Returns how many were invited."""
    import random

    now = now or timezone.now()
    claimed = (
        Survey.objects.filter(pk=survey.pk)
        .filter(Q(next_wave_at__isnull=True) | Q(next_wave_at__lte=now))
        .update(next_wave_at=now + dt.timedelta(days=survey.wave_every_days))
    )
    if not claimed:
        return 0
    audience = Audience(survey=survey, segment_id=survey.wave_segment_id, now=now)
    ids = list(audience.customers().values_list("pk", flat=True))
    (rng or random.SystemRandom()).shuffle(ids)
    candidates = sending_channels()
    count_budget = survey.kind not in budget_exempt_kinds()
    chosen: list[Customer] = []
    wanted = survey.wave_sample_size
    for start in range(0, len(ids), BATCH):
        if len(chosen) >= wanted:
            break
        batch_ids = ids[start : start + BATCH]
        customers = Customer.objects.select_related("preferred_channel").in_bulk(batch_ids)
        facts = ContactFacts.load(batch_ids, now=now)
        for customer_id in batch_ids:
            customer = customers.get(customer_id)
            if customer is None:
                continue
            channel, decision = choose_channel(
                None, customer, now=now, facts=facts, candidates=candidates
            )
            if channel is not None:
                decision = decide(
                    customer, channel=channel, now=now, facts=facts, count_budget=count_budget
                )
            if decision is not None and (
                decision.allowed or decision.reason_code == BlockReason.QUIET_HOURS
            ):
                chosen.append(customer)
                if len(chosen) >= wanted:
                    break
    return _invite(survey, chosen, channel=None, now=now) if chosen else 0


def waves_send_due(*, now: dt.datetime | None = None) -> int:
    """Send every due relationship wave; the invitations go out with the due batch."""
    now = now or timezone.now()
    return sum(wave_send(survey=survey, now=now) for survey in waves_due(now))


def invitation_status_filter(status: str) -> Q:
    """Filter by delivery status as shown (answered and opened are derived)."""
    if status == DeliveryState.RESPONDED:
        return Q(response__isnull=False)
    if status == DeliveryState.OPENED:
        return Q(response__isnull=True, opened_at__isnull=False)
    return Q(status=status, response__isnull=True)
