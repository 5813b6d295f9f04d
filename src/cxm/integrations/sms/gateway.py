"""A generic HTTP SMS gateway adapter, configured by a request template.

Most gateways (Kavenegar, Ghasedak, SMS.ir, Melipayamak, Twilio-like APIs …) take "an API key,
a receiver and a text" as JSON, a form or query parameters. The URL, headers and body are
templates with the placeholders `{to}` (E.164), `{to_national}` (09121234567), `{text}`,
`{sender}`, `{api_key}` and `{idempotency_key}`. Values are escaped for where they land
(JSON string, form field, URL) and substituted by name, so a quote or a brace in a customer's
text cannot change the request's shape. Example for Kavenegar:

    SMS_GATEWAY_URL=https://api.kavenegar.com/v1/{api_key}/sms/send.json
    SMS_GATEWAY_BODY_FORMAT=form
    SMS_GATEWAY_BODY_TEMPLATE=receptor={to_national}&sender={sender}&message={text}
    SMS_GATEWAY_SUCCESS_PATH=return.status  SMS_GATEWAY_SUCCESS_VALUE=200
    SMS_GATEWAY_MESSAGE_ID_PATH=entries.0.messageid
"""

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import quote, quote_plus

import httpx
import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from cxm.core.phones import InvalidPhoneNumber, normalize_phone
from cxm.core.sms_parts import count_sms_parts
from cxm.integrations.base import DeliveryResult, OutboundMessage
from cxm.integrations.provider_http import (
    NOT_DELIVERED_ERRORS,
    describe_transport_error,
    parse_retry_after,
    redact,
)

logger = logging.getLogger(__name__)

BodyFormat = Literal["json", "form"]
PLACEHOLDER = re.compile(r"\{(to|to_national|text|sender|api_key|idempotency_key)\}")
MAX_ERROR_BODY = 300


def _json_string_content(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _form_value(value: str) -> str:
    return quote_plus(value, safe="")


def _header_value(value: str) -> str:
    return re.sub(r"[\r\n]+", " ", value)  # a line break would end the header


def _url_value(value: str) -> str:
    return quote(value, safe="")


def render_template(template: str, values: Mapping[str, str], escape: Callable[[str], str]) -> str:
    """Replace the known `{name}` placeholders with escaped values; other text stays as it is."""
    return PLACEHOLDER.sub(lambda match: escape(values[match.group(1)]), template)


def json_lookup(data: Any, path: str) -> tuple[bool, Any]:
    """Follow a dotted path (`return.status`, `entries.0.messageid`); (found, value)."""
    current = data
    for key in path.split("."):
        if isinstance(current, list) and key.lstrip("-").isdigit():
            index = int(key)
            if not -len(current) <= index < len(current):
                return False, None
            current = current[index]
        elif isinstance(current, dict) and key in current:
            current = current[key]
        else:
            return False, None
    return True, current


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def response_excerpt(response: httpx.Response) -> str:
    """The start of the response body for an error message; JSON shown with readable text."""
    try:
        return json.dumps(response.json(), ensure_ascii=False)[:MAX_ERROR_BODY]
    except ValueError:
        return response.text[:MAX_ERROR_BODY]


def national_number(e164: str) -> str:
    """`+989121234567` → `09121234567`: the national form with its trunk prefix, digits only."""
    parsed = phonenumbers.parse(e164, None)
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", formatted)


class _Transient(Exception):
    """A response or error worth another attempt (429, 5xx, connection not made)."""

    def __init__(self, error: str, retry_after: float | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


class _RetryLater(Exception):
    """The gateway asked us to wait longer than we are willing to block a worker."""

    def __init__(self, error: str, retry_after: float) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


class HttpGatewaySmsSender:
    """Sends SMS through an HTTP gateway described by settings (or keyword options).

    Retries 429 and 5xx answers and failed connections with exponential backoff (tenacity),
    honouring `Retry-After` up to `max_retry_wait` seconds; a longer wait is returned as a
    `retry` result for the task queue. A read timeout is not retried: the gateway may have
    sent the SMS already, and a customer should not get the invitation twice.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        method: str | None = None,
        headers: Mapping[str, str] | str | None = None,
        body_template: str | None = None,
        body_format: str | None = None,
        api_key: str | None = None,
        sender: str | None = None,
        success_path: str | None = None,
        success_value: str | None = None,
        message_id_path: str | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
        backoff: float = 1.0,
        max_retry_wait: float = 30.0,
        default_region: str = "IR",
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        def setting(name: str, value: Any, default: Any) -> Any:
            return value if value is not None else getattr(settings, name, default)

        self.url: str = setting("SMS_GATEWAY_URL", url, "")
        self.method: str = setting("SMS_GATEWAY_METHOD", method, "POST").upper()
        raw_headers = setting("SMS_GATEWAY_HEADERS", headers, {})
        self.body_template: str = setting("SMS_GATEWAY_BODY_TEMPLATE", body_template, "")
        self.body_format: str = setting("SMS_GATEWAY_BODY_FORMAT", body_format, "json").lower()
        self.api_key: str = setting("SMS_GATEWAY_API_KEY", api_key, "")
        self.sender: str = setting("SMS_GATEWAY_SENDER", sender, "")
        self.success_path: str = setting("SMS_GATEWAY_SUCCESS_PATH", success_path, "")
        self.success_value: str = setting("SMS_GATEWAY_SUCCESS_VALUE", success_value, "")
        self.message_id_path: str = setting("SMS_GATEWAY_MESSAGE_ID_PATH", message_id_path, "")
        self.timeout = float(setting("SMS_GATEWAY_TIMEOUT", timeout, 10))
        self.max_attempts = int(setting("SMS_GATEWAY_MAX_ATTEMPTS", max_attempts, 3))
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.default_region = default_region
        self.sleep = sleep
        self.transport = transport
        # backoff·2ⁿ⁻¹ plus up to `backoff` of jitter, so workers do not retry in step.
        self._backoff_wait = wait_exponential(multiplier=backoff, max=max_retry_wait) + wait_random(
            0, backoff
        )

        if not self.url:
            raise ImproperlyConfigured("Set SMS_GATEWAY_URL to use the HTTP SMS gateway.")
        if self.method not in {"GET", "POST", "PUT"}:
            raise ImproperlyConfigured("SMS_GATEWAY_METHOD must be GET, POST or PUT.")
        if self.body_format not in {"json", "form"}:
            raise ImproperlyConfigured('SMS_GATEWAY_BODY_FORMAT must be "json" or "form".')
        if self.max_attempts < 1:
            raise ImproperlyConfigured("SMS_GATEWAY_MAX_ATTEMPTS must be at least 1.")
        if isinstance(raw_headers, str):
            try:
                raw_headers = json.loads(raw_headers or "{}")
            except json.JSONDecodeError as exc:
                raise ImproperlyConfigured(f"SMS_GATEWAY_HEADERS is not JSON: {exc}") from exc
        if not isinstance(raw_headers, dict):
            raise ImproperlyConfigured("SMS_GATEWAY_HEADERS must be a JSON object.")
        self.headers: dict[str, str] = {str(k): str(v) for k, v in raw_headers.items()}

    # -- request ---------------------------------------------------------------------------

    def build_request(self, values: Mapping[str, str]) -> httpx.Request:
        """The HTTP request for one SMS; ValueError when the body template is not valid JSON."""
        url = render_template(self.url, values, _url_value)
        headers = {k: render_template(v, values, _header_value) for k, v in self.headers.items()}
        content: bytes | None = None
        if self.method != "GET" and self.body_template:
            if self.body_format == "json":
                body = render_template(self.body_template, values, _json_string_content)
                json.loads(body)  # a broken template fails here, not at the gateway
                content_type = "application/json; charset=utf-8"
            else:
                body = render_template(self.body_template, values, _form_value)
                content_type = "application/x-www-form-urlencoded"
            content = body.encode("utf-8")
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = content_type
        return httpx.Request(self.method, url, headers=headers, content=content)

    def _values(self, message: OutboundMessage, to: str, text: str) -> dict[str, str]:
        return {
            "to": to,
            "to_national": national_number(to),
            "text": text,
            "sender": self.sender,
            "api_key": self.api_key,
            "idempotency_key": message.idempotency_key,
        }

    # -- sending ---------------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        return self._backoff_wait(state)

    def _attempt(self, client: httpx.Client, request: httpx.Request) -> httpx.Response:
        try:
            response = client.send(request)
        except NOT_DELIVERED_ERRORS as exc:
            raise _Transient(describe_transport_error(exc)) from exc
        if response.status_code == 429 or response.status_code >= 500:
            error = f"HTTP {response.status_code}: {response_excerpt(response)}"
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > self.max_retry_wait:
                raise _RetryLater(error, retry_after)
            raise _Transient(error, retry_after)
        return response

    def send(self, message: OutboundMessage) -> DeliveryResult:
        text = message.text_with_url()
        parts = count_sms_parts(text)
        metadata: dict[str, Any] = {"sms_parts": parts.parts, "sms_encoding": parts.encoding}
        try:
            to = normalize_phone(message.recipient, self.default_region)
        except InvalidPhoneNumber:
            to = ""
        if not to:
            return DeliveryResult.failed(f"Not a phone number: {message.recipient!r}", **metadata)
        try:
            request = self.build_request(self._values(message, to, text))
        except ValueError as exc:
            return DeliveryResult.failed(f"SMS_GATEWAY_BODY_TEMPLATE is not JSON: {exc}")

        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = retrying(self._attempt, client, request)
        except _Transient as exc:
            metadata["attempts"] = retrying.statistics.get("attempt_number", self.max_attempts)
            return DeliveryResult.failed(
                self._redact(f"Gave up after {metadata['attempts']} attempts: {exc.error}"),
                **metadata,
            )
        except _RetryLater as exc:
            return DeliveryResult.retry(self._redact(exc.error), exc.retry_after, **metadata)
        except httpx.TransportError as exc:
            # Sent but no answer: report it instead of retrying into a duplicate SMS.
            return DeliveryResult.failed(
                self._redact(f"No answer from the SMS gateway: {describe_transport_error(exc)}"),
                **metadata,
            )
        metadata["attempts"] = retrying.statistics.get("attempt_number", 1)
        metadata["http_status"] = response.status_code
        return self._result(response, metadata)

    def _result(self, response: httpx.Response, metadata: dict[str, Any]) -> DeliveryResult:
        if not response.is_success:
            return DeliveryResult.failed(
                self._redact(f"HTTP {response.status_code}: {response_excerpt(response)}"),
                **metadata,
            )
        data: Any = None
        if self.success_path or self.message_id_path:
            try:
                data = response.json()
            except ValueError:
                data = None
        if self.success_path:
            found, value = json_lookup(data, self.success_path)
            if not found or _as_text(value) != self.success_value:
                return DeliveryResult.failed(
                    self._redact(f"Gateway refused the SMS: {response_excerpt(response)}"),
                    **metadata,
                )
        message_id = ""
        if self.message_id_path:
            found, value = json_lookup(data, self.message_id_path)
            message_id = _as_text(value) if found and value is not None else ""
        logger.info("SMS accepted by the gateway (id %s)", message_id or "unknown")
        return DeliveryResult.sent(message_id, **metadata)

    def _redact(self, text: str) -> str:
        return redact(text, self.api_key)
