"""Writes of referrals: a customer's referral code, the invitation to refer sent to promoters,
visits of the public link and the attribution of new customers (conversions).

The invitation is queued from the surveys' `responses_saved` signal (see `apps.py`): the
response write only enqueues a task after commit. `promoter_invites_queue` marks the
promoters of a batch of responses as pending (a fixed number of queries per batch), and
`referral_invites_send_due` sends the pending ones, asking the surveys' contact policy
(contact point, opt-out, consent, quiet hours; not the survey budget nor the quarantine after
a response: this is a thank-you, not a survey) and the pluggable senders.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import Customer
from cxm.integrations.base import DeliveryResult, OutboundMessage, send_message
from cxm.referrals.error_codes import ReferralErrorCode as Code
from cxm.referrals.models import (
    InviteStatus,
    Referral,
    ReferralConversion,
    ReferralInviteRule,
    ReferralVisit,
)
from cxm.surveys.contact_policy import BlockReason, ContactFacts, contact_point, decide
from cxm.surveys.models import Answer, QuestionType, Response

log = logging.getLogger(__name__)

# No look-alikes (0/O, 1/l/I): codes are read aloud and typed from SMS.
CODE_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
PROMOTER_MIN = 9
BATCH = 500
MAX_ATTEMPTS = 5


def new_code() -> str:
    """Eight characters from a 56-letter alphabet with `secrets` (≈ 46 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def referral_for(
    *,
    customer: Customer,
    source_response: Response | None = None,
    channel: Channel | None = None,
) -> Referral:
    """The customer's referral, created with a fresh unique code the first time."""
    existing = Referral.objects.filter(customer=customer).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Referral.objects.create(
                    customer=customer,
                    code=new_code(),
                    source_response=source_response,
                    channel=channel,
                )
        except IntegrityError:
            # Either another worker created the customer's referral, or (rarely) the code
            # was taken: look again, else draw another code.
            existing = Referral.objects.filter(customer=customer).first()
            if existing is not None:
                return existing
    raise ApplicationError(_("No free referral code could be drawn; try again."))


def referral_link(referral: Referral) -> str:
    """The public link of a referral (absolute, `CXM_PUBLIC_URL`)."""
    path = reverse("referrals_public:landing", args=[referral.code])
    return f"{str(settings.CXM_PUBLIC_URL).rstrip('/')}{path}"


def target_url(code: str) -> str | None:
    """Where a visit goes: `CXM_REFERRAL_TARGET_URL` with `ref=<code>` added; None when not
    configured (the landing page then thanks the visitor itself)."""
    base = str(getattr(settings, "CXM_REFERRAL_TARGET_URL", "") or "").strip()
    if not base:
        return None
    parts = urlsplit(base)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"ref": code})))


def referral_visit_record(
    *, referral: Referral, ip_hash: str = "", now: dt.datetime | None = None
) -> ReferralVisit:
    """Count one visit of the referral link."""
    return ReferralVisit.objects.create(
        referral=referral, at=now or timezone.now(), ip_hash=ip_hash[:64]
    )


@dataclass(frozen=True)
class ConversionResult:
    conversion: ReferralConversion
    created: bool


@transaction.atomic
def referral_convert(
    *, code: str, customer: Customer, now: dt.datetime | None = None
) -> ConversionResult:
    """Attribute a new customer to the referral `code`.

    Idempotent: the same code and customer again returns the first conversion. An unknown
    code, a customer referring themselves, or a customer already brought by another
    referral is refused with a clear error."""
    code = (code or "").strip()
    referral = Referral.objects.filter(code=code).first() if code else None
    if referral is None:
        raise ApplicationError(
            _("Unknown referral code “%(code)s”.") % {"code": code[:40]}, code=Code.UNKNOWN_CODE
        )
    if referral.customer_id == customer.pk:
        raise ApplicationError(
            _("A customer cannot be referred by their own code."), code=Code.SELF_REFERRAL
        )
    existing = ReferralConversion.objects.filter(customer=customer).first()
    if existing is not None:
        if existing.referral_id == referral.pk:
            return ConversionResult(existing, created=False)
        raise ApplicationError(
            _("This customer was already brought by another referral."),
            code=Code.ALREADY_REFERRED,
        )
    try:
        with transaction.atomic():
            conversion = ReferralConversion.objects.create(
                referral=referral, customer=customer, at=now or timezone.now()
            )
    except IntegrityError:  # a concurrent request recorded it first
        conversion = ReferralConversion.objects.get(customer=customer)
        if conversion.referral_id != referral.pk:
            raise ApplicationError(
                _("This customer was already brought by another referral."),
                code=Code.ALREADY_REFERRED,
            ) from None
        return ConversionResult(conversion, created=False)
    return ConversionResult(conversion, created=True)


# ------------------------------------------------------------------------ invitations


def _rule_for(rules: list[ReferralInviteRule], survey_id: int) -> ReferralInviteRule | None:
    return next((r for r in rules if r.survey_id is None or r.survey_id == survey_id), None)


def promoter_invites_queue(
    *, response_ids: Collection[int], now: dt.datetime | None = None
) -> list[int]:
    """Mark the promoters (NPS 9–10) of these responses as due an invitation to refer, once
    per customer. Returns the ids of the referrals queued. A fixed number of queries plus one
    insert per new referral."""
    rules = list(ReferralInviteRule.objects.filter(is_active=True))
    if not rules or not response_ids:
        return []
    now = now or timezone.now()
    promoter = Answer.objects.filter(
        response_id=OuterRef("pk"),
        question__type=QuestionType.NPS,
        number_value__gte=PROMOTER_MIN,
    )
    already = Referral.objects.filter(customer_id=OuterRef("customer_id")).exclude(
        invite_status=InviteStatus.NONE
    )
    responses = (
        Response.objects.filter(pk__in=list(response_ids), customer__isnull=False)
        .filter(Exists(promoter))
        .exclude(Exists(already))
        .select_related("customer", "channel")
        .order_by("submitted_at", "id")
    )
    queued: list[int] = []
    seen: set[int] = set()
    for response in responses:
        customer = response.customer
        assert customer is not None
        if customer.pk in seen:
            continue
        rule = _rule_for(rules, response.survey_id)
        if rule is None:
            continue
        seen.add(customer.pk)
        referral = referral_for(customer=customer, source_response=response)
        # Claim: only a referral never invited moves to pending (once per customer).
        claimed = Referral.objects.filter(pk=referral.pk, invite_status=InviteStatus.NONE).update(
            invite_status=InviteStatus.PENDING,
            invite_due_at=now,
            rule=rule,
            source_response=referral.source_response_id or response.pk,
            updated_at=now,
        )
        if claimed:
            queued.append(referral.pk)
    return queued


def _language(customer: Customer, response: Response | None) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    for code in (customer.preferred_language, getattr(response, "language", "")):
        if code and code in known:
            return str(code)
    return str(settings.LANGUAGE_CODE)


def invite_message(
    referral: Referral, channel: Channel, *, review_url: str = ""
) -> OutboundMessage:
    """The invitation to refer (and optionally to review), in the customer's language."""
    from cxm.surveys.optout import optout_url

    customer = referral.customer
    language = _language(customer, referral.source_response)
    link = referral_link(referral)
    opt_out = optout_url(customer=customer, channel=channel)
    key = f"referral-invite-{referral.pk}"
    with translation.override(language):
        thanks = _("Thank you for recommending us!")
        share = _("Share your personal link with friends: %(url)s") % {"url": link}
        review = _("Would you also leave us a review? %(url)s") % {"url": review_url}
        if channel.kind == "email":
            greeting = _("Hello %(name)s,") % {"name": customer.name} if customer.name else ""
            paragraphs = [greeting, thanks, share, review if review_url else ""]
            text = "\n\n".join(p for p in paragraphs if p)
            footer = _("To stop receiving these e-mails: %(url)s") % {"url": opt_out}
            return OutboundMessage(
                channel="email",
                recipient=contact_point(customer, channel),
                language=language,
                subject=_("Share us with your friends"),
                text=f"{text}\n\n--\n{footer}",
                url=link,
                opt_out_url=opt_out,
                idempotency_key=key,
            )
        lines = [thanks, share]
        if review_url:
            lines.append(review)
        lines.append(_("Opt out: %(url)s") % {"url": opt_out})
        return OutboundMessage(
            channel=channel.kind,
            recipient=contact_point(customer, channel),
            language=language,
            text="\n".join(lines),
            idempotency_key=key,
        )


def _deliver(message: OutboundMessage) -> DeliveryResult:
    try:
        return send_message(message)
    except Exception as exc:  # a misconfigured sender: try again later
        log.exception("Sender for %s failed", message.channel)
        return DeliveryResult.retry(f"{type(exc).__name__}: {exc}")


def referral_invite_send(
    referral: Referral, *, now: dt.datetime, facts: ContactFacts, candidates: list[Channel]
) -> str:
    """Send one pending invitation (or record why not). Returns the resulting status."""
    from cxm.surveys.distribution import choose_channel

    customer = referral.customer
    channel, decision = choose_channel(None, customer, now=now, facts=facts, candidates=candidates)
    if channel is not None:
        decision = decide(customer, channel=channel, now=now, facts=facts, count_budget=False)
    assert decision is not None
    if not decision.allowed or channel is None:
        if decision.reason_code == BlockReason.QUIET_HOURS and decision.retry_at is not None:
            Referral.objects.filter(pk=referral.pk).update(invite_due_at=decision.retry_at)
            return InviteStatus.PENDING
        Referral.objects.filter(pk=referral.pk, invite_status=InviteStatus.PENDING).update(
            invite_status=InviteStatus.BLOCKED,
            invite_reason=decision.message[:300],
            invite_due_at=None,
            updated_at=now,
        )
        return InviteStatus.BLOCKED
    # Claim before the network call so that two workers never both send it.
    claimed = Referral.objects.filter(
        pk=referral.pk, invite_status=InviteStatus.PENDING, invite_due_at=referral.invite_due_at
    ).update(invite_due_at=None, channel=channel, updated_at=now)
    if not claimed:
        return "skipped"
    review_url = referral.rule.review_url if referral.rule else ""
    result = _deliver(invite_message(referral, channel, review_url=review_url))
    attempts = referral.invite_attempts + 1
    if result.ok:
        Referral.objects.filter(pk=referral.pk).update(
            invite_status=InviteStatus.SENT,
            invited_at=now,
            invite_reason="",
            invite_attempts=attempts,
        )
        return InviteStatus.SENT
    if result.status == "retry" and attempts < MAX_ATTEMPTS:
        delay = dt.timedelta(seconds=result.retry_after or 300 * 2 ** (attempts - 1))
        Referral.objects.filter(pk=referral.pk).update(
            invite_due_at=now + delay, invite_reason=result.error[:300], invite_attempts=attempts
        )
        return InviteStatus.PENDING
    Referral.objects.filter(pk=referral.pk).update(
        invite_status=InviteStatus.FAILED,
        invite_reason=result.error[:300],
        invite_attempts=attempts,
    )
    return InviteStatus.FAILED


def referral_invites_send_due(
    *, now: dt.datetime | None = None, limit: int = BATCH, ids: Collection[int] | None = None
) -> dict[str, int]:
    """Send the due invitations to refer (at most `limit`; only `ids` when given), loading
    the contact facts of the batch in three queries. Counts by resulting status."""
    from cxm.surveys.distribution import sending_channels

    now = now or timezone.now()
    qs = Referral.objects.filter(
        invite_status=InviteStatus.PENDING, invite_due_at__lte=now
    ).select_related("customer__preferred_channel", "rule", "source_response")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    batch = list(qs.order_by("invite_due_at", "id")[:limit])
    counts: dict[str, int] = {}
    if not batch:
        return counts
    facts = ContactFacts.load([r.customer_id for r in batch], now=now)
    candidates = sending_channels()
    for referral in batch:
        try:
            status = referral_invite_send(referral, now=now, facts=facts, candidates=candidates)
        except Exception:
            log.exception("Referral invitation %s failed", referral.pk)
            status = "error"
        counts[status] = counts.get(status, 0) + 1
    return counts


def rule_save(*, rule: ReferralInviteRule) -> ReferralInviteRule:
    rule.full_clean()
    rule.save()
    return rule


def rule_delete(*, rule: ReferralInviteRule) -> None:
    rule.delete()
