"""The Telegram webhook: Telegram POSTs each update here."""

import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from cxm.integrations.telegram.callbacks import dispatch_callback_query, parse_callback_query
from cxm.integrations.telegram.messages import (
    TextMessage,
    dispatch_text_message,
    parse_text_message,
)

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
MAX_TOAST_LENGTH = 200  # answerCallbackQuery text limit
MAX_REPLY_LENGTH = 4096  # sendMessage text limit


@method_decorator(csrf_exempt, name="dispatch")
class TelegramWebhookView(View):
    """Verifies the secret (URL and header), answers button presses, dispatches them.

    Set the webhook with `setWebhook(url=…/integrations/telegram/webhook/<secret>/,
    secret_token=<secret>)`. Anything that is not a verified press is acknowledged with 200
    and ignored, since Telegram redelivers an update until it gets a 2xx. The press is
    answered in the webhook's reply (the Bot API runs `answerCallbackQuery` from it), so the
    web worker makes no outgoing request.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest, secret: str) -> HttpResponse:
        expected = str(getattr(settings, "TELEGRAM_WEBHOOK_SECRET", ""))
        path_ok = constant_time_compare(secret, expected)
        header_ok = constant_time_compare(request.headers.get(SECRET_HEADER, ""), expected)
        if not expected or not (path_ok and header_ok):
            return HttpResponseForbidden()
        update = self._read_update(request)
        if update is None:
            return HttpResponse()
        text_message = parse_text_message(update)
        if text_message is not None:
            return self._text_message(text_message)
        query = parse_callback_query(update)
        if query is None:
            callback = update.get("callback_query")
            if isinstance(callback, dict) and isinstance(callback.get("id"), str):
                # Not ours or altered: still stop the client's loading spinner.
                return self._answer(callback["id"], "")
            return HttpResponse()
        return self._answer(query.id, dispatch_callback_query(query))

    @staticmethod
    def _text_message(message: TextMessage) -> HttpResponse:
        """Hand a text message to the registered handlers; their answer goes back to the
        chat in the webhook's reply (sendMessage). A failure answers 500: Telegram delivers
        the update again and the handlers are idempotent, so nothing is lost."""
        try:
            answer = dispatch_text_message(message)
        except Exception:
            logger.exception("A Telegram text message handler failed")
            return HttpResponse(status=500)
        if not answer:
            return HttpResponse()
        return JsonResponse(
            {"method": "sendMessage", "chat_id": message.chat_id, "text": answer[:MAX_REPLY_LENGTH]}
        )

    @staticmethod
    def _read_update(request: HttpRequest) -> dict[str, Any] | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length > MAX_UPDATE_BYTES:
            logger.warning("Ignored a Telegram update of %s bytes", length)
            return None
        try:
            update = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            logger.info("Ignored a Telegram update that is not JSON")
            return None
        return update if isinstance(update, dict) else None

    @staticmethod
    def _answer(callback_query_id: str, text: str) -> JsonResponse:
        reply = {"method": "answerCallbackQuery", "callback_query_id": callback_query_id}
        if text:
            reply["text"] = text[:MAX_TOAST_LENGTH]
        return JsonResponse(reply)
