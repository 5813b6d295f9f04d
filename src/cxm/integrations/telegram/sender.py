"""Sends an OutboundMessage through the Telegram Bot API `sendMessage` method."""

import html
import logging
import re
from typing import Any

import httpx
from django.conf import settings

from cxm.integrations.base import DeliveryResult, OutboundMessage
from cxm.integrations.provider_http import (
    NOT_DELIVERED_ERRORS,
    describe_transport_error,
    parse_retry_after,
    redact,
)
from cxm.integrations.telegram.keyboards import CALLBACK_DATA_MAX_BYTES

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
MAX_TEXT_LENGTH = 4096  # Bot API limit for a message's text


def build_send_message_payload(message: OutboundMessage, parse_mode: str = "") -> dict[str, Any]:
    """The JSON body of `sendMessage`; ValueError when Telegram would refuse it."""
    text = message.text_with_url()
    if not text.strip():
        raise ValueError("A Telegram message needs text.")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"Telegram messages are at most {MAX_TEXT_LENGTH} characters.")
    recipient = message.recipient.strip()
    chat_id: int | str = int(recipient) if re.fullmatch(r"-?\d+", recipient) else recipient
    payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if parse_mode == "HTML":
        payload["text"] = html.escape(text, quote=False)  # Telegram's HTML: escape < > &
        payload["parse_mode"] = "HTML"
    elif parse_mode:
        raise ValueError('parse_mode must be "" or "HTML".')
    if message.buttons:
        for row in message.buttons:
            for label, data in row:
                if not label or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
                    raise ValueError(f"Invalid button {label!r}: callback data of 1–64 bytes.")
        payload["reply_markup"] = {
            "inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row]
                for row in message.buttons
            ]
        }
    return payload


class TelegramSender:
    """A bot's `sendMessage`; 429 comes back as a `retry` result with Telegram's retry_after."""

    def __init__(
        self,
        *,
        token: str | None = None,
        api_base: str | None = None,
        parse_mode: str = "",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.token: str = token if token is not None else settings.TELEGRAM_BOT_TOKEN
        base = api_base if api_base is not None else settings.TELEGRAM_API_BASE
        self.api_base: str = (base or DEFAULT_API_BASE).rstrip("/")
        self.parse_mode = parse_mode
        self.timeout = timeout
        self.transport = transport

    def method_url(self, method: str) -> str:
        return f"{self.api_base}/bot{self.token}/{method}"

    def send(self, message: OutboundMessage) -> DeliveryResult:
        if not self.token:
            return DeliveryResult.failed("TELEGRAM_BOT_TOKEN is not set.")
        try:
            payload = build_send_message_payload(message, self.parse_mode)
        except ValueError as exc:
            return DeliveryResult.failed(str(exc))
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(self.method_url("sendMessage"), json=payload)
        except NOT_DELIVERED_ERRORS as exc:
            return DeliveryResult.retry(self._redact(describe_transport_error(exc)))
        except httpx.TransportError as exc:
            # The request may have reached Telegram: do not send the message a second time.
            return DeliveryResult.failed(
                self._redact(f"No answer from Telegram: {describe_transport_error(exc)}")
            )
        return self._result(response)

    def _result(self, response: httpx.Response) -> DeliveryResult:
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.is_success and data.get("ok"):
            result = data.get("result")
            message_id = result.get("message_id") if isinstance(result, dict) else None
            return DeliveryResult.sent(str(message_id) if message_id is not None else "")
        description = str(data.get("description") or response.reason_phrase)
        error = self._redact(f"{data.get('error_code', response.status_code)}: {description}")
        if response.status_code == 429:
            parameters = data.get("parameters")
            retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
            if not isinstance(retry_after, int | float):
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return DeliveryResult.retry(error, retry_after)
        if response.status_code >= 500:
            return DeliveryResult.retry(error)
        logger.info("Telegram refused a message: %s", error)
        return DeliveryResult.failed(error)

    def _redact(self, text: str) -> str:
        return redact(text, self.token)
