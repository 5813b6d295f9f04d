"""A customer's message from outside (e-mail, Telegram …) → the customer and the case.

Channel-independent: the integrations parse what they receive into an `InboundMessage` and
call `inbound_receive`, which

- is idempotent by the message's `external_id` (an e-mail Message-ID, a Telegram chat and
  message id): a second delivery returns the first message and writes nothing;
- finds the case: by the ids of earlier messages the new one answers (`references`: our
  outbound replies carry their Message-ID in `CaseMessage.external_id`), by a "[case #123]"
  tag in the subject when the case belongs to the same customer, or, for chat channels
  (`continue_conversation`), the customer's newest case on that channel that is still
  active or resolved within the reopen window; otherwise it opens a new case;
- finds the customer by e-mail address or Telegram chat id / @username, or creates one;
- keeps every message: attachments that are too large, forbidden or too many are left out
  and an internal note says which; a text longer than the thread keeps is cut there and
  kept whole as a text attachment; a message without text gets a placeholder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.cases import services
from cxm.cases.models import (
    ACTIVE_CATEGORIES,
    Case,
    CaseMessage,
    CaseSource,
    CaseType,
    StatusCategory,
)
from cxm.cases.services import IncomingAttachment
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import Customer
from cxm.integrations.telegram.messages import TextMessage

logger = logging.getLogger(__name__)

EXTERNAL_ID_MAX = 255  # CaseMessage.external_id
CUSTOMER_EXTERNAL_ID_MAX = 100  # Customer.external_id
SUBJECT_MAX = 300
FULLWIDTH_AT = "\uff20"
_CASE_TAG = re.compile(r"\[[^\[\]#]{0,40}#\s*(\d{1,12})\s*\]")


@dataclass(frozen=True, kw_only=True)
class InboundMessage:
    """One message a customer sent us, as an integration understood it."""

    channel: str  # the channel's code in the catalogue: "email", "telegram" …
    source: str  # CaseSource of a case it opens
    external_id: str  # the outside system's id of this message (idempotency key)
    body: str = ""
    body_html: str = ""  # already sanitised
    subject: str = ""
    sender_name: str = ""
    email: str = ""
    telegram: str = ""  # chat id
    telegram_username: str = ""
    references: tuple[str, ...] = ()  # ids of earlier messages it answers
    continue_conversation: bool = False  # chat channels: no thread ids, follow the newest case
    language: str = ""
    attachments: tuple[IncomingAttachment, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RefusedAttachment:
    name: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class InboundResult:
    case: Case
    message: CaseMessage
    duplicate: bool = False  # delivered before: nothing was written
    case_created: bool = False
    refused: tuple[RefusedAttachment, ...] = field(default_factory=tuple)


def message_id_key(value: str) -> str:
    """A Message-ID (or any outside message id) as it is stored in `external_id`: without
    the angle brackets and surrounding space; ids longer than the column are hashed."""
    key = str(value or "").strip().strip("<>").strip()
    if len(key) > EXTERNAL_ID_MAX:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return key


def inbound_receive(message: InboundMessage, *, now: dt.datetime | None = None) -> InboundResult:
    """Record `message` on its case (opening one if needed); see the module docstring.

    Raises ApplicationError only for a message that cannot be recorded at all (no id)."""
    key = message_id_key(message.external_id)
    if not key:
        raise ApplicationError(_("The message has no id."), code="invalid")
    existing = _recorded(key)
    if existing is not None:
        return InboundResult(case=existing.case, message=existing, duplicate=True)
    try:
        return _receive(message, key=key, now=now or timezone.now())
    except IntegrityError:
        # The same message delivered twice at the same moment: the other delivery won.
        existing = _recorded(key)
        if existing is None:
            raise
        return InboundResult(case=existing.case, message=existing, duplicate=True)


def _recorded(key: str) -> CaseMessage | None:
    return CaseMessage.objects.filter(external_id=key).select_related("case").first()


@transaction.atomic
def _receive(message: InboundMessage, *, key: str, now: dt.datetime) -> InboundResult:
    channel = _channel(message.channel)
    body, extra = _body(message)
    accepted, refused = _split_attachments([*message.attachments, *extra])
    customer = _customer_find(message)
    case = _case_find(message, customer=customer, channel=channel, now=now)
    created = case is None
    if case is not None:
        found = case.pk
        case, recorded = services.case_receive(
            case=case,
            body=body,
            channel=channel,
            external_id=key,
            body_html=message.body_html,
            attachments=accepted,
            now=now,
        )
        created = case.pk != found  # closed (or resolved long ago): a linked new case
    else:
        if customer is None:
            customer = _customer_create(message)
        case = services.case_create(
            subject=_subject(message, body),
            case_type=_inbound_type(),
            customer=customer,
            channel=channel,
            language=message.language,
            source=message.source,
            message=body,
            message_id=key,
            message_html=message.body_html,
            attachments=accepted,
            now=now,
        )
        recorded = case.messages.get(external_id=key)
    if refused:
        # A file name must not @mention anybody in the note.
        listing = "; ".join(
            f"{item.name.replace('@', FULLWIDTH_AT)}: {item.reason}" for item in refused
        )
        services.case_note(
            case=case,
            author=None,
            body=_("Attachments of the customer's message that were not accepted: %(list)s")
            % {"list": listing},
        )
    return InboundResult(case=case, message=recorded, case_created=created, refused=tuple(refused))


def _channel(code: str) -> Channel | None:
    return (
        Channel.objects.filter(code=code).first()
        or Channel.objects.filter(kind=code, is_active=True).order_by("position", "id").first()
    )


def _inbound_type() -> CaseType:
    code = str(getattr(settings, "CXM_INBOUND_CASE_TYPE", "inquiry") or "inquiry")
    case_type = (
        CaseType.objects.filter(code=code).first()
        or CaseType.objects.filter(is_active=True).order_by("position", "id").first()
    )
    if case_type is None:
        raise ApplicationError(_("No case type exists."), code="invalid")
    return case_type


def _body(message: InboundMessage) -> tuple[str, list[IncomingAttachment]]:
    """The text for the thread; a text longer than the thread keeps is cut and kept whole
    as an attachment."""
    body = (message.body or "").strip()
    if not body and message.body_html:
        body = html_to_text(message.body_html)
    if not body:
        body = _("(The message has no text.)")
    if len(body) <= services.MAX_BODY:
        return body, []
    whole = IncomingAttachment(
        name="message.txt", content=body.encode("utf-8"), content_type="text/plain"
    )
    note = _("[The text was cut here; the whole message is attached as message.txt.]")
    return body[: services.MAX_BODY - len(note) - 2] + "\n\n" + note, [whole]


def html_to_text(html: str) -> str:
    """The visible text of (sanitised) HTML: tags dropped, block ends as line breaks."""
    import html as html_module

    import nh3

    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6]|blockquote)>", "\n", html)
    text = html_module.unescape(nh3.clean(text, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _split_attachments(
    files: list[IncomingAttachment],
) -> tuple[list[IncomingAttachment], list[RefusedAttachment]]:
    accepted: list[IncomingAttachment] = []
    refused: list[RefusedAttachment] = []
    limit = settings.CXM_ATTACHMENT_MAX_COUNT
    for item in files:
        if len(accepted) >= limit:
            refused.append(
                RefusedAttachment(
                    name=item.name, reason=_("more than %(n)s attachments") % {"n": limit}
                )
            )
            continue
        try:
            services.attachments_check([item])
        except ApplicationError as exc:
            refused.append(RefusedAttachment(name=item.name, reason=exc.message))
        else:
            accepted.append(item)
    return accepted, refused


def _subject(message: InboundMessage, body: str) -> str:
    subject = " ".join((message.subject or "").split())
    if not subject:
        first_line = next((line.strip() for line in body.splitlines() if line.strip()), "")
        subject = first_line[:80] or _("Message from a customer")
    return subject[:SUBJECT_MAX]


# --------------------------------------------------------------------------- customers


def _valid_email(address: str) -> str:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _customer_find(message: InboundMessage) -> Customer | None:
    """The customer with this e-mail address or Telegram chat id / @username (oldest first).

    Exact matches only, so that the indexed columns are used."""
    email = _valid_email(message.email)
    if email:
        return Customer.objects.filter(email__in={email, email.lower()}).order_by("id").first()
    if message.telegram:
        handles = {message.telegram}
        if message.telegram_username:
            name = message.telegram_username.lstrip("@")
            handles |= {name, f"@{name}"}
        found = Customer.objects.filter(telegram__in=handles).order_by("id").first()
        if found is not None and found.telegram != message.telegram:
            # Known by @username: keep the chat id, the only handle replies can be sent to.
            from cxm.customers.services import customer_save

            found.telegram = message.telegram
            customer_save(customer=found, source="telegram")
        return found
    return None


def _customer_create(message: InboundMessage) -> Customer | None:
    """A new customer from the sender's address and name (None without an address)."""
    from cxm.customers.services import customer_save

    email = _valid_email(message.email)
    if email:
        handle, contact = f"email:{email.lower()}", {"email": email}
        fallback_name = email.split("@", 1)[0]
    elif message.telegram:
        handle, contact = f"telegram:{message.telegram}", {"telegram": message.telegram}
        fallback_name = message.telegram_username or message.telegram
    else:
        return None
    if len(handle) > CUSTOMER_EXTERNAL_ID_MAX:
        handle = handle.split(":", 1)[0] + ":" + hashlib.sha256(handle.encode()).hexdigest()
    existing = Customer.objects.filter(external_id=handle).first()
    if existing is not None:
        return existing
    customer = Customer(
        external_id=handle,
        name=(" ".join(message.sender_name.split()) or fallback_name)[:200],
        preferred_language=_language(message.language),
        **contact,
    )
    try:
        with transaction.atomic():
            return customer_save(customer=customer, source=message.source)
    except (IntegrityError, ValidationError):
        # Another message from the same new sender made the customer a moment ago.
        existing = Customer.objects.filter(external_id=handle).first()
        if existing is None:
            raise
        return existing


def _language(code: str) -> str:
    code = (code or "").lower()[:2]
    return code if code in {lang for lang, _name in settings.LANGUAGES} else ""


# --------------------------------------------------------------------------- cases


def case_tag_id(subject: str) -> int | None:
    """The case number of a "[case #123]" tag (in any language) in a subject, or None."""
    match = _CASE_TAG.search(subject or "")
    return int(match.group(1)) if match else None


def _case_find(
    message: InboundMessage, *, customer: Customer | None, channel: Channel | None, now: Any
) -> Case | None:
    references = [key for key in (message_id_key(r) for r in message.references) if key]
    if references:
        earlier = (
            CaseMessage.objects.filter(external_id__in=references[-50:])
            .select_related("case")
            .order_by("-id")
            .first()
        )
        if earlier is not None:
            return earlier.case
    number = case_tag_id(message.subject)
    if number is not None:
        tagged = Case.objects.filter(pk=number).first()
        # Only the same customer may continue a case by its number: anybody can type one.
        if tagged is not None and customer is not None and tagged.customer_id == customer.pk:
            return tagged
    if message.continue_conversation and customer is not None:
        window = dt.timedelta(days=settings.CXM_CASE_REOPEN_DAYS)
        cases = Case.objects.filter(customer=customer, merged_into__isnull=True)
        if channel is not None:
            cases = cases.filter(channel=channel)
        recent_resolved = {
            "status_category": StatusCategory.RESOLVED,
            "resolved_at__gte": now - window,
        }
        return (
            cases.filter(Q(status_category__in=ACTIVE_CATEGORIES) | Q(**recent_resolved))
            .order_by("-id")
            .first()
        )
    return None


# --------------------------------------------------------------------------- Telegram


def telegram_message_received(message: TextMessage) -> str | None:
    """A text message to the bot (registered in CasesConfig.ready()): appended to the
    customer's newest Telegram case that is active (or resolved within the reopen window),
    else a new case. Private chats only; bot commands open no case. The answer is sent
    back to the chat."""
    if message.chat_type != "private":
        return None
    if message.is_command:
        command = message.text.split()[0].split("@")[0].lower()
        if command == "/start":
            return _("Hello! Write your question or problem here and we will answer in this chat.")
        return None
    result = inbound_receive(
        InboundMessage(
            channel="telegram",
            source=CaseSource.TELEGRAM,
            external_id=f"telegram:{message.chat_id}:{message.message_id}",
            body=message.text,
            sender_name=message.sender_name,
            telegram=str(message.chat_id),
            telegram_username=message.username,
            continue_conversation=True,
            language=message.language,
        )
    )
    if result.duplicate or not result.case_created:
        return None
    return _("Thank you, we received your message. Your case number is %(ref)s.") % {
        "ref": result.case.reference
    }


__all__ = [
    "CaseSource",
    "InboundMessage",
    "InboundResult",
    "RefusedAttachment",
    "case_tag_id",
    "html_to_text",
    "inbound_receive",
    "message_id_key",
    "telegram_message_received",
]
