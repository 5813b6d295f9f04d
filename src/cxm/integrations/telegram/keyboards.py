"""Inline keyboards and signed callback data.

Telegram gives a button's `callback_data` (1–64 bytes) back when it is pressed, but a client
can send any data for a bot's message, so the data is signed: `prefix:arg…:signature`, with
an HMAC of the rest keyed by SECRET_KEY, cut to 8 bytes (11 base64url characters). That is
plenty against guessing: each guess is a request through Telegram.
"""

import base64

from django.utils.crypto import constant_time_compare, salted_hmac

from cxm.common.i18n import is_rtl
from cxm.core.text import localize_digits
from cxm.integrations.base import Button

CALLBACK_DATA_MAX_BYTES = 64
SEPARATOR = ":"
_SALT = "cxm.integrations.telegram.callback_data"


def _signature(payload: str) -> str:
    digest = salted_hmac(_SALT, payload, algorithm="sha256").digest()[:8]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign_callback_data(prefix: str, *args: str) -> str:
    """`prefix:arg…:signature`; ValueError if a part is empty, holds ":" or the total > 64 bytes."""
    parts = [prefix, *args]
    if any(not part or SEPARATOR in part for part in parts):
        raise ValueError(f"Callback data parts must be non-empty and free of {SEPARATOR!r}.")
    payload = SEPARATOR.join(parts)
    data = f"{payload}{SEPARATOR}{_signature(payload)}"
    size = len(data.encode("utf-8"))
    if size > CALLBACK_DATA_MAX_BYTES:
        raise ValueError(
            f"Callback data is {size} bytes; Telegram allows {CALLBACK_DATA_MAX_BYTES}. "
            "Use a shorter id."
        )
    return data


def verify_callback_data(data: str) -> list[str] | None:
    """The [prefix, arg…] of signed callback data, or None when it is not ours or was altered."""
    payload, _, signature = data.rpartition(SEPARATOR)
    if not payload or not constant_time_compare(signature, _signature(payload)):
        return None
    return payload.split(SEPARATOR)


def nps_keyboard(token_id: str, language: str, *, rtl: bool | None = None) -> list[list[Button]]:
    """A one-tap NPS keyboard 0–10 in two rows (0–5, 6–10), data `nps:<token_id>:<score>:<sig>`.

    Telegram lays out every row left to right whatever the reader's language (the Bot API has
    no RTL option: tdlib/telegram-bot-api#882), so for fa/ar each row is reversed to put 0 on
    the right, the way a right-to-left reader reads a scale. Labels use Persian digits for fa.
    """
    rtl = is_rtl(language) if rtl is None else rtl
    digits = "persian" if language.lower().startswith("fa") else "latin"
    rows = [range(0, 6), range(6, 11)]
    keyboard = [
        [
            (localize_digits(str(score), digits), sign_callback_data("nps", token_id, str(score)))
            for score in row
        ]
        for row in rows
    ]
    if rtl:
        keyboard = [list(reversed(row)) for row in keyboard]
    return keyboard
