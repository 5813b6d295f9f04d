"""The sender interface every outbound channel implements, and the lookup of the configured one.

`CXM_SENDERS` maps a channel code to a dotted path, or to `{"BACKEND": path, "OPTIONS": {...}}`
whose options are passed to the class as keyword arguments. Senders never raise for a delivery
problem: they return a `DeliveryResult` whose status says whether to give up or try later.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    TELEGRAM = "telegram"


class DeliveryStatus(StrEnum):
    SENT = "sent"  # handed over to the provider
    FAILED = "failed"  # permanent: do not send this message again as it is
    RETRY = "retry"  # temporary: try again later, after `retry_after` seconds when given


Button = tuple[str, str]  # (label, callback_data)
ButtonRows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, kw_only=True)
class OutboundMessage:
    """One message to one recipient on one channel.

    `recipient` is an e-mail address, an E.164 phone number or a Telegram chat id.
    `buttons` are rows of (label, callback_data) shown as a Telegram inline keyboard.
    `url` is the link the message is about (e.g. the survey link): senders add it to the text
    when the text does not already contain it. `opt_out_url` becomes `List-Unsubscribe`.
    """

    channel: str
    recipient: str
    text: str
    language: str = ""
    subject: str = ""
    html: str = ""
    buttons: Sequence[Sequence[Button]] = ()
    url: str = ""
    opt_out_url: str = ""
    idempotency_key: str = ""

    def __post_init__(self) -> None:
        if self.channel not in set(Channel):
            raise ValueError(f"Unknown channel {self.channel!r}.")
        rows: ButtonRows = tuple(
            tuple((str(label), str(data)) for label, data in row) for row in self.buttons
        )
        object.__setattr__(self, "buttons", rows)  # frozen and hashable: lists become tuples

    def text_with_url(self) -> str:
        """The text, with `url` on a line of its own unless the text already contains it."""
        if self.url and self.url not in self.text:
            return f"{self.text}\n{self.url}" if self.text else self.url
        return self.text


@dataclass(frozen=True, kw_only=True)
class DeliveryResult:
    """What became of one send: `metadata` carries channel details (e.g. `sms_parts`)."""

    status: DeliveryStatus
    provider_message_id: str = ""
    error: str = ""
    retry_after: float | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == DeliveryStatus.SENT

    @classmethod
    def sent(cls, provider_message_id: str = "", **metadata: Any) -> "DeliveryResult":
        return cls(
            status=DeliveryStatus.SENT, provider_message_id=provider_message_id, metadata=metadata
        )

    @classmethod
    def failed(cls, error: str, **metadata: Any) -> "DeliveryResult":
        return cls(status=DeliveryStatus.FAILED, error=error, metadata=metadata)

    @classmethod
    def retry(
        cls, error: str, retry_after: float | None = None, **metadata: Any
    ) -> "DeliveryResult":
        return cls(
            status=DeliveryStatus.RETRY, error=error, retry_after=retry_after, metadata=metadata
        )


@runtime_checkable
class Sender(Protocol):
    """Delivers messages of one channel."""

    def send(self, message: OutboundMessage) -> DeliveryResult: ...


def get_sender(channel_code: str) -> Sender:
    """Build the sender configured for `channel_code` in `settings.CXM_SENDERS`."""
    senders: Mapping[str, Any] = getattr(settings, "CXM_SENDERS", {})
    config = senders.get(channel_code)
    if not config:
        raise ImproperlyConfigured(f"CXM_SENDERS has no sender for channel {channel_code!r}.")
    if isinstance(config, str):
        path, options = config, {}
    else:
        path, options = config["BACKEND"], dict(config.get("OPTIONS", {}))
    try:
        sender_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"CXM_SENDERS[{channel_code!r}]: {exc}") from exc
    sender = sender_class(**options)
    if not isinstance(sender, Sender):
        raise ImproperlyConfigured(f"CXM_SENDERS[{channel_code!r}]: {path} has no send().")
    return sender


def send_message(message: OutboundMessage) -> DeliveryResult:
    """Send `message` through the sender configured for its channel."""
    return get_sender(message.channel).send(message)
