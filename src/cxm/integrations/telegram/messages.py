"""Text messages to the bot (Telegram `message` updates, and `channel_post` updates of a
channel the bot administers): parsing and a registry of handlers.

An app registers a handler under a name, usually in its AppConfig.ready():

    register_message_handler("cases", receive_customer_message)

Each handler gets a `TextMessage`, runs with the sender's language active, and may return a
short text that the bot sends back to the chat (None: no answer). Handlers must be
idempotent by (chat_id, message_id): Telegram delivers an update again until the webhook
answers 2xx, and the webhook answers 500 when a handler fails so that nothing is lost.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from cxm.integrations.telegram.callbacks import supported_language

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class TextMessage:
    """One text message (or a media message's caption) sent to the bot."""

    update_id: int | None
    message_id: int
    chat_id: int
    chat_type: str  # private, group, supergroup, channel
    from_user_id: int | None
    username: str  # without "@"; "" when the sender has none
    first_name: str
    last_name: str
    text: str
    language: str  # one of settings.LANGUAGES
    chat_title: str = ""  # of a group or channel
    date: int | None = None  # Unix time the message was sent

    @property
    def sender_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_command(self) -> bool:
        return self.text.startswith("/")


MessageHandler = Callable[[TextMessage], str | None]
_handlers: dict[str, MessageHandler] = {}


def register_message_handler(name: str, func: MessageHandler) -> MessageHandler:
    """Give every text message to `func` as well; one handler per name."""
    current = _handlers.get(name)
    if current is not None and current is not func:
        raise ValueError(f"A message handler named {name!r} is already registered.")
    _handlers[name] = func
    return func


def unregister_message_handler(name: str) -> None:
    _handlers.pop(name, None)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_text_message(update: Mapping[str, Any]) -> TextMessage | None:
    """The text message in an update, or None (another kind of update, or malformed).
    A channel post has chat_type "channel" and no sender (the channel speaks)."""
    message = update.get("message")
    if message is None:
        message = update.get("channel_post")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat")
    chat = chat if isinstance(chat, dict) else {}
    chat_id, message_id = _integer(chat.get("id")), _integer(message.get("message_id"))
    text = _string(message.get("text")) or _string(message.get("caption"))
    if chat_id is None or message_id is None or not text.strip():
        return None
    sender = message.get("from")
    sender = sender if isinstance(sender, dict) else {}
    return TextMessage(
        update_id=_integer(update.get("update_id")),
        message_id=message_id,
        chat_id=chat_id,
        chat_type=_string(chat.get("type")),
        from_user_id=_integer(sender.get("id")),
        username=_string(sender.get("username")) or _string(chat.get("username")),
        first_name=_string(sender.get("first_name")) or _string(chat.get("first_name")),
        last_name=_string(sender.get("last_name")) or _string(chat.get("last_name")),
        text=text.strip(),
        language=supported_language(_string(sender.get("language_code")) or None),
        chat_title=_string(chat.get("title")),
        date=_integer(message.get("date")),
    )


def dispatch_text_message(message: TextMessage) -> str:
    """Run every handler; the first answer is what the bot replies ("" for none).

    A handler's exception propagates (the webhook answers 500 and Telegram delivers the
    update again)."""
    answer = ""
    with translation.override(message.language):
        if not _handlers:
            logger.info("No handler for Telegram text messages")
        for func in list(_handlers.values()):
            reply = func(message)
            if reply and not answer:
                answer = str(reply)
    return answer
