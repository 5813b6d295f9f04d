"""May we contact this customer on this channel now? One place answers it for every survey.

Rules, in the order they are checked (the first that blocks gives the reason):

1. A contact point for the channel: an e-mail address for e-mail, a phone for SMS, a chat id
   for Telegram. The channel must be active and able to send (`Channel.can_send`).
2. Consent: an opt-out on the channel always blocks. No record at all allows (the customer's
   existing relationship; every message carries an opt-out link), except on the channels
   listed in `CXM_CONSENT_REQUIRED_CHANNELS` (channel codes, e.g. "sms"), which need an
   explicit opt-in.
3. One contact budget per customer across all surveys and channels: at most one invitation
   sent in `CXM_CONTACT_BUDGET_DAYS` (default 30), and none for `CXM_RESPONSE_QUARANTINE_DAYS`
   (default 90) after the customer's last response. Surveys of a kind listed in
   `CXM_BUDGET_EXEMPT_SURVEY_KINDS` (e.g. "follow_up", for the call-back after a complaint)
   skip this rule, never the others. Reminders do not count against it.
4. Quiet hours (`CXM_QUIET_HOURS`, default "21:00-09:00", empty to turn off) in the
   customer's time zone (`customer.attributes["timezone"]`, else TIME_ZONE). A send in quiet
   hours is not dropped: the decision's `retry_at` is the end of the quiet period.

Decisions for many customers (the send preview, batches) load what they need in a fixed
number of queries through `ContactFacts.load`.
"""

import datetime as dt
import zoneinfo
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy

from cxm.channels.models import Channel
from cxm.customers.models import ChannelConsent, ConsentStatus, Customer


class BlockReason(StrEnum):
    """Stable codes of why a send was blocked (shown on the invitation list and in the API)."""

    NO_CUSTOMER = "no_customer"
    NO_CHANNEL = "no_channel"
    CHANNEL_DISABLED = "channel_disabled"
    NO_CONTACT_POINT = "no_contact_point"
    OPTED_OUT = "opted_out"
    NO_CONSENT = "no_consent"
    CONTACT_BUDGET = "contact_budget"
    QUARANTINE = "quarantine"
    QUIET_HOURS = "quiet_hours"
    EXPIRED = "expired"
    SURVEY_CLOSED = "survey_closed"
    ALREADY_ANSWERED = "already_answered"
    SEND_FAILED = "send_failed"


REASON_MESSAGES: dict[str, Any] = {
    BlockReason.NO_CUSTOMER: gettext_lazy("The invitation has no customer to send it to."),
    BlockReason.NO_CHANNEL: gettext_lazy("The customer has no channel we can send on."),
    BlockReason.CHANNEL_DISABLED: gettext_lazy("This channel is turned off for sending."),
    BlockReason.NO_CONTACT_POINT: gettext_lazy(
        "The customer has no address or number for this channel."
    ),
    BlockReason.OPTED_OUT: gettext_lazy("The customer opted out of this channel."),
    BlockReason.NO_CONSENT: gettext_lazy(
        "This channel needs the customer's opt-in, and there is none."
    ),
    BlockReason.CONTACT_BUDGET: ngettext_lazy(
        "The customer was already invited to a survey in the last %(days)s day.",
        "The customer was already invited to a survey in the last %(days)s days.",
        "days",
    ),
    BlockReason.QUARANTINE: ngettext_lazy(
        "The customer answered a survey in the last %(days)s day.",
        "The customer answered a survey in the last %(days)s days.",
        "days",
    ),
    BlockReason.QUIET_HOURS: gettext_lazy(
        "Quiet hours in the customer's time zone; it will be sent when they end."
    ),
    BlockReason.EXPIRED: gettext_lazy("The invitation has expired."),
    BlockReason.SURVEY_CLOSED: gettext_lazy("The survey is not active."),
    BlockReason.ALREADY_ANSWERED: gettext_lazy("The customer has already answered."),
    BlockReason.SEND_FAILED: gettext_lazy("The channel refused the message."),
}


def reason_message(code: str) -> str:
    """The reason in the active language ("" for an unknown or empty code)."""
    message = REASON_MESSAGES.get(code)
    if message is None:
        return ""
    days = {
        BlockReason.CONTACT_BUDGET: budget_days(),
        BlockReason.QUARANTINE: quarantine_days(),
    }.get(BlockReason(code))
    if days is not None:
        return message % {"days": days}  # ngettext_lazy picks the plural form by "days"
    return str(message)


@dataclass(frozen=True)
class Decision:
    """Whether a send may go now; when not, why (`reason_code`, `message`) and, for a block
    that passes (quiet hours), when to try again (`retry_at`, aware UTC)."""

    allowed: bool
    reason_code: str = ""
    message: str = ""
    retry_at: dt.datetime | None = None

    @classmethod
    def allow(cls) -> "Decision":
        return cls(allowed=True)

    @classmethod
    def block(cls, code: BlockReason, retry_at: dt.datetime | None = None) -> "Decision":
        return cls(allowed=False, reason_code=code, message=reason_message(code), retry_at=retry_at)


# ------------------------------------------------------------------------------- settings


def budget_days() -> int:
    return int(getattr(settings, "CXM_CONTACT_BUDGET_DAYS", 30))


def quarantine_days() -> int:
    return int(getattr(settings, "CXM_RESPONSE_QUARANTINE_DAYS", 90))


def budget_exempt_kinds() -> frozenset[str]:
    return frozenset(getattr(settings, "CXM_BUDGET_EXEMPT_SURVEY_KINDS", ()))


def consent_required_channels() -> frozenset[str]:
    return frozenset(getattr(settings, "CXM_CONSENT_REQUIRED_CHANNELS", ()))


def parse_quiet_hours(value: str) -> tuple[dt.time, dt.time] | None:
    """("21:00", "09:00") from "21:00-09:00"; None when empty; ValueError when malformed."""
    value = (value or "").strip()
    if not value:
        return None
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(f"Quiet hours must look like 21:00-09:00, not {value!r}.")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def customer_timezone(customer: Customer) -> zoneinfo.ZoneInfo:
    """The customer's time zone (`attributes["timezone"]`, an IANA name), else TIME_ZONE."""
    name = (customer.attributes or {}).get("timezone") if customer.attributes else None
    if isinstance(name, str) and name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def quiet_hours_end(customer: Customer, now: dt.datetime) -> dt.datetime | None:
    """When the quiet period `now` falls in ends (aware), or None when `now` is not quiet."""
    window = parse_quiet_hours(getattr(settings, "CXM_QUIET_HOURS", ""))
    if window is None:
        return None
    start, end = window
    if start == end:
        return None
    tz = customer_timezone(customer)
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:  # e.g. 13:00-14:00, within one day
        quiet = start <= t < end
        end_day = local.date()
    else:  # e.g. 21:00-09:00, across midnight
        quiet = t >= start or t < end
        end_day = local.date() + dt.timedelta(days=1) if t >= start else local.date()
    if not quiet:
        return None
    # Wall-clock end in the customer's zone (fold=0: the first 09:00 on a DST change day).
    return dt.datetime.combine(end_day, end, tzinfo=tz).astimezone(dt.UTC)


# ------------------------------------------------------------------------------- facts

CONTACT_FIELDS = {"email": "email", "sms": "phone", "telegram": "telegram"}


def contact_point(customer: Customer, channel: Channel) -> str:
    """The customer's address on the channel's kind ("" when none or not a sending kind)."""
    name = CONTACT_FIELDS.get(channel.kind)
    return str(getattr(customer, name, "") or "").strip() if name else ""


@dataclass
class ContactFacts:
    """What the policy needs to know about a set of customers, loaded in three queries."""

    consents: dict[tuple[int, int], str] = field(default_factory=dict)  # (customer, channel)
    last_sent: dict[int, dt.datetime] = field(default_factory=dict)
    last_response: dict[int, dt.datetime] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        customer_ids: Collection[int],
        *,
        now: dt.datetime,
        exclude_invitation_ids: Iterable[int] = (),
    ) -> "ContactFacts":
        from cxm.surveys.models import Invitation, Response

        ids = list(customer_ids)
        facts = cls()
        if not ids:
            return facts
        for customer_id, channel_id, status in ChannelConsent.objects.filter(
            customer_id__in=ids
        ).values_list("customer_id", "channel_id", "status"):
            facts.consents[(customer_id, channel_id)] = status
        since = now - dt.timedelta(days=budget_days())
        facts.last_sent = dict(
            Invitation.objects.filter(customer_id__in=ids, sent_at__gt=since)
            .exclude(pk__in=list(exclude_invitation_ids))
            .values("customer_id")
            .order_by()
            .annotate(last=Max("sent_at"))
            .values_list("customer_id", "last")
        )
        since = now - dt.timedelta(days=quarantine_days())
        facts.last_response = dict(
            Response.objects.filter(customer_id__in=ids, submitted_at__gt=since)
            .values("customer_id")
            .order_by()
            .annotate(last=Max("submitted_at"))
            .values_list("customer_id", "last")
        )
        return facts


def decide(
    customer: Customer,
    *,
    channel: Channel,
    now: dt.datetime,
    facts: ContactFacts,
    count_budget: bool = True,
) -> Decision:
    """The decision for one customer from preloaded `facts` (no query)."""
    if not channel.is_active or not channel.can_send:
        return Decision.block(BlockReason.CHANNEL_DISABLED)
    if not contact_point(customer, channel):
        return Decision.block(BlockReason.NO_CONTACT_POINT)
    consent = facts.consents.get((customer.pk, channel.pk))
    if consent == ConsentStatus.OPT_OUT:
        return Decision.block(BlockReason.OPTED_OUT)
    if consent != ConsentStatus.OPT_IN and channel.code in consent_required_channels():
        return Decision.block(BlockReason.NO_CONSENT)
    if count_budget:
        if (last := facts.last_response.get(customer.pk)) is not None:
            return Decision.block(
                BlockReason.QUARANTINE, retry_at=last + dt.timedelta(days=quarantine_days())
            )
        if (last := facts.last_sent.get(customer.pk)) is not None:
            return Decision.block(
                BlockReason.CONTACT_BUDGET, retry_at=last + dt.timedelta(days=budget_days())
            )
    if (end := quiet_hours_end(customer, now)) is not None:
        return Decision.block(BlockReason.QUIET_HOURS, retry_at=end)
    return Decision.allow()


def may_contact(
    customer: Customer,
    *,
    channel: Channel,
    now: dt.datetime | None = None,
    count_budget: bool = True,
    exclude_invitation_ids: Iterable[int] = (),
) -> Decision:
    """Whether `customer` may be sent a survey message on `channel` at `now` (three queries).

    `count_budget=False` for reminders and budget-exempt surveys: consent, contact point and
    quiet hours still apply.
    """
    now = now or timezone.now()
    facts = ContactFacts.load([customer.pk], now=now, exclude_invitation_ids=exclude_invitation_ids)
    return decide(customer, channel=channel, now=now, facts=facts, count_budget=count_budget)


def message_in_language(code: str, language: str) -> str:
    """The reason for `code` in `language` (for stored messages and logs)."""
    from django.utils import translation

    with translation.override(language):
        return reason_message(code) or gettext("Blocked.")
