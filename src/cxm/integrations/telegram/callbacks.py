"""Button presses (Telegram `callback_query` updates): parsing and a registry of handlers.

An app registers one handler per callback-data prefix, usually in its AppConfig.ready():

    register_callback_handler("nps", record_nps_answer)

The handler gets a `CallbackQuery` whose signature has been checked, runs with the presser's
language active, and returns the short text Telegram shows as a toast (None: "Thank you!").
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from cxm.integrations.telegram.keyboards import verify_callback_data

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class CallbackQuery:
    """One verified button press: `prefix` picks the handler, `args` are the rest of the data."""

    id: str
    prefix: str
    args: tuple[str, ...]
    from_user_id: int
    chat_id: int | None
    message_id: int | None
    language: str  # one of settings.LANGUAGES


CallbackHandler = Callable[[CallbackQuery], str | None]
_handlers: dict[str, CallbackHandler] = {}


def register_callback_handler(prefix: str, func: CallbackHandler) -> CallbackHandler:
    """Route presses whose data starts with `prefix` to `func`; one handler per prefix."""
    current = _handlers.get(prefix)
    if current is not None and current is not func:
        raise ValueError(f"A callback handler for {prefix!r} is already registered.")
    _handlers[prefix] = func
    return func


def unregister_callback_handler(prefix: str) -> None:
    _handlers.pop(prefix, None)


def supported_language(code: str | None) -> str:
    """The site language closest to Telegram's `language_code` (IETF tag), or the default."""
    if code:
        try:
            return translation.get_supported_language_variant(code.lower())
        except LookupError:
            pass
    return str(settings.LANGUAGE_CODE)


def parse_callback_query(update: Mapping[str, Any]) -> CallbackQuery | None:
    """The verified press in an update, or None (not a press, malformed, or unsigned data)."""
    query = update.get("callback_query")
    if not isinstance(query, dict):
        return None
    query_id, data, sender = query.get("id"), query.get("data"), query.get("from")
    if not isinstance(query_id, str) or not isinstance(data, str) or not isinstance(sender, dict):
        return None
    user_id = sender.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    parts = verify_callback_data(data)
    if not parts:
        return None
    message = query.get("message")
    message = message if isinstance(message, dict) else {}
    chat = message.get("chat")
    chat = chat if isinstance(chat, dict) else {}
    chat_id, message_id = chat.get("id"), message.get("message_id")
    lang = sender.get("language_code")
    return CallbackQuery(
        id=query_id,
        prefix=parts[0],
        args=tuple(parts[1:]),
        from_user_id=user_id,
        chat_id=chat_id if isinstance(chat_id, int) else None,
        message_id=message_id if isinstance(message_id, int) else None,
        language=supported_language(lang if isinstance(lang, str) else None),
    )


def dispatch_callback_query(query: CallbackQuery) -> str:
    """Run the handler for the press and return the toast text ("" when nobody handles it)."""
    handler = _handlers.get(query.prefix)
    with translation.override(query.language):
        if handler is None:
            logger.info("No handler for Telegram callback prefix %r", query.prefix)
            return ""
        try:
            answer = handler(query)
        except Exception:
            # Answer anyway: an error status would make Telegram redeliver the same press.
            logger.exception("Telegram callback handler for %r failed", query.prefix)
            return gettext("Sorry, your answer could not be saved. Please try again.")
        return str(answer) if answer is not None else gettext("Thank you!")
