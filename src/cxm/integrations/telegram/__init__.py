"""Telegram: a bot that sends messages (Bot API sendMessage) and takes answers by buttons.

The webhook (`views.TelegramWebhookView`) verifies the secret, answers each button press and
hands it to the handler registered for the callback data's prefix
(`register_callback_handler("nps", record_nps_answer)`); text messages go to the handlers
registered with `register_message_handler` (cases opens or continues a case).
"""

from cxm.integrations.telegram.callbacks import (
    CallbackQuery,
    register_callback_handler,
    unregister_callback_handler,
)
from cxm.integrations.telegram.keyboards import (
    nps_keyboard,
    sign_callback_data,
    verify_callback_data,
)
from cxm.integrations.telegram.messages import (
    TextMessage,
    register_message_handler,
    unregister_message_handler,
)
from cxm.integrations.telegram.sender import TelegramSender

__all__ = [
    "CallbackQuery",
    "TelegramSender",
    "TextMessage",
    "nps_keyboard",
    "register_callback_handler",
    "register_message_handler",
    "sign_callback_data",
    "unregister_callback_handler",
    "unregister_message_handler",
    "verify_callback_data",
]
