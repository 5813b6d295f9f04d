"""The HTTP SMS gateway adapter against a real HTTP server on 127.0.0.1, and the console sender."""

import io
import socket
from typing import Any

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from cxm.integrations.base import DeliveryStatus, OutboundMessage, get_sender
from cxm.integrations.sms import ConsoleSmsSender, HttpGatewaySmsSender
from cxm.integrations.sms.gateway import json_lookup, national_number

from .conftest import LocalServer

PERSIAN_TEXT = 'سلام "علی"، نظرتان {to} برای ما مهم است & 100% \\ <b>'


def sms(text: str = PERSIAN_TEXT, **kwargs: Any) -> OutboundMessage:
    kwargs.setdefault("recipient", "+989121234567")
    return OutboundMessage(channel="sms", text=text, **kwargs)


def gateway(server: LocalServer, waits: list[float] | None = None, **options: Any):
    options.setdefault("url", server.url + "/send")
    options.setdefault(
        "body_template", '{"key": "{api_key}", "to": "{to}", "from": "{sender}", "text": "{text}"}'
    )
    options.setdefault("api_key", "KEY-123")
    options.setdefault("sender", "3000505")
    options.setdefault("backoff", 0)
    return HttpGatewaySmsSender(
        sleep=(waits.append if waits is not None else lambda _s: None), **options
    )


def test_json_body_escapes_persian_text_quotes_and_braces(local_server: LocalServer) -> None:
    local_server.add(200, {"ok": True})
    result = gateway(local_server, headers='{"Authorization": "Bearer {api_key}"}').send(
        sms(url="https://cxm.example/s/ab12", idempotency_key="inv-7")
    )
    assert result.status == DeliveryStatus.SENT
    [request] = local_server.requests
    assert request.method == "POST" and request.path == "/send"
    assert request.headers["authorization"] == "Bearer KEY-123"
    assert request.headers["content-type"].startswith("application/json")
    assert request.json() == {
        "key": "KEY-123",
        "to": "+989121234567",
        "from": "3000505",
        # The "{to}" inside the customer's text is text, not a placeholder.
        "text": PERSIAN_TEXT + "\nhttps://cxm.example/s/ab12",
    }
    assert "سلام".encode() in request.body  # UTF-8, not \u escapes
    assert result.metadata["sms_encoding"] == "UCS-2"
    assert result.metadata["sms_parts"] == 2  # 80 characters with the link
    assert result.metadata["attempts"] == 1


def test_form_body_url_encodes_values(local_server: LocalServer) -> None:
    local_server.add(200, {"ok": True})
    result = gateway(
        local_server,
        body_format="form",
        body_template="receptor={to_national}&sender={sender}&message={text}&key={api_key}",
    ).send(sms(recipient="09121234567", text="a=b&c+d " + PERSIAN_TEXT))
    assert result.ok
    [request] = local_server.requests
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form() == {
        "receptor": ["09121234567"],
        "sender": ["3000505"],
        "message": ["a=b&c+d " + PERSIAN_TEXT],
        "key": ["KEY-123"],
    }


def test_get_with_values_in_the_url(local_server: LocalServer) -> None:
    local_server.add(200, {"return": {"status": 200}, "entries": [{"messageid": 8792343}]})
    result = gateway(
        local_server,
        method="GET",
        url=local_server.url + "/v1/{api_key}/sms/send.json?receptor={to}&message={text}",
        success_path="return.status",
        success_value="200",
        message_id_path="entries.0.messageid",
    ).send(sms(text="Hi & bye"))
    assert result.ok and result.provider_message_id == "8792343"
    [request] = local_server.requests
    assert request.method == "GET" and request.body == b""
    assert (
        request.path == "/v1/KEY-123/sms/send.json?receptor=%2B989121234567&message=Hi%20%26%20bye"
    )
    assert result.metadata["sms_encoding"] == "GSM-7" and result.metadata["sms_parts"] == 1


def test_success_rule_refusal_is_a_failure_without_retry(local_server: LocalServer) -> None:
    local_server.add(200, {"return": {"status": 418, "message": "اعتبار کافی نیست"}})
    result = gateway(local_server, success_path="return.status", success_value="200").send(sms())
    assert result.status == DeliveryStatus.FAILED
    assert "اعتبار کافی نیست" in result.error
    assert len(local_server.requests) == 1


def test_success_rule_matches_strings_and_booleans(local_server: LocalServer) -> None:
    local_server.add(200, {"data": {"sent": True}})
    assert gateway(local_server, success_path="data.sent", success_value="true").send(sms()).ok
    local_server.add(200, text="not json")
    result = gateway(local_server, success_path="data.sent", success_value="true").send(sms())
    assert result.status == DeliveryStatus.FAILED


def test_retries_503_then_succeeds(local_server: LocalServer) -> None:
    local_server.add(503, text="busy")
    local_server.add(503, text="busy")
    local_server.add(200, {"ok": True})
    waits: list[float] = []
    result = gateway(local_server, waits, max_attempts=3).send(sms())
    assert result.ok
    assert len(local_server.requests) == 3
    assert waits == [0, 0]  # backoff=0 in tests: no real sleeping
    assert result.metadata["attempts"] == 3
    assert local_server.requests[0].body == local_server.requests[2].body


def test_backoff_grows_between_attempts(local_server: LocalServer) -> None:
    for _ in range(3):
        local_server.add(502)
    waits: list[float] = []
    gateway(local_server, waits, max_attempts=3, backoff=1).send(sms())
    assert len(waits) == 2 and 1 <= waits[0] <= 2 and 2 <= waits[1] <= 3  # 1·2ⁿ + jitter ≤ 1


def test_gives_up_after_max_attempts(local_server: LocalServer) -> None:
    for _ in range(4):
        local_server.add(503, text="KEY-123 overloaded")
    result = gateway(local_server, max_attempts=3).send(sms())
    assert result.status == DeliveryStatus.FAILED
    assert result.error.startswith("Gave up after 3 attempts: HTTP 503")
    assert "KEY-123" not in result.error  # the API key never reaches a delivery record
    assert len(local_server.requests) == 3


def test_client_errors_are_not_retried(local_server: LocalServer) -> None:
    local_server.add(400, {"error": "invalid receptor"})
    result = gateway(local_server).send(sms())
    assert result.status == DeliveryStatus.FAILED
    assert result.error.startswith("HTTP 400") and "invalid receptor" in result.error
    assert len(local_server.requests) == 1


def test_429_retry_after_is_honoured_or_handed_to_the_queue(local_server: LocalServer) -> None:
    local_server.add(429, headers={"Retry-After": "2"})
    local_server.add(200, {"ok": True})
    waits: list[float] = []
    assert gateway(local_server, waits).send(sms()).ok
    assert waits == [2.0]

    local_server.add(429, headers={"Retry-After": "3600"})
    result = gateway(local_server, waits).send(sms())
    assert result.status == DeliveryStatus.RETRY and result.retry_after == 3600.0
    assert len(local_server.requests) == 3


def test_connection_refused_is_retried_then_fails() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    sender = HttpGatewaySmsSender(
        url=f"http://127.0.0.1:{port}/send",
        body_template='{"t": "{text}"}',
        backoff=0,
        sleep=waits.append,
        max_attempts=2,
    )
    result = sender.send(sms())
    assert result.status == DeliveryStatus.FAILED and "ConnectError" in result.error
    assert len(waits) == 1


def test_read_timeout_is_not_retried() -> None:
    calls: list[httpx.Request] = []

    def no_answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("timed out", request=request)

    sender = HttpGatewaySmsSender(
        url="http://127.0.0.1:9/send",
        body_template='{"t": "{text}"}',
        transport=httpx.MockTransport(no_answer),
        sleep=lambda _s: None,
    )
    result = sender.send(sms())
    assert result.status == DeliveryStatus.FAILED and "ReadTimeout" in result.error
    assert len(calls) == 1  # the gateway may have sent it: no duplicate SMS


def test_bad_recipient_and_bad_template_fail_before_any_request(local_server: LocalServer) -> None:
    assert gateway(local_server).send(sms(recipient="not a phone")).status == "failed"
    result = gateway(local_server, body_template='{"to": {to}}').send(sms())
    assert result.status == DeliveryStatus.FAILED and "not JSON" in result.error
    assert local_server.requests == []


def test_configuration_from_settings(settings: Any, local_server: LocalServer) -> None:
    settings.CXM_SENDERS = {
        **settings.CXM_SENDERS,
        "sms": {"BACKEND": "cxm.integrations.sms.HttpGatewaySmsSender", "OPTIONS": {"backoff": 0}},
    }
    settings.SMS_GATEWAY_URL = local_server.url + "/api"
    settings.SMS_GATEWAY_HEADERS = '{"X-Api-Key": "{api_key}"}'
    settings.SMS_GATEWAY_API_KEY = "S3CRET"
    settings.SMS_GATEWAY_BODY_TEMPLATE = '{"mobile": "{to_national}", "message": "{text}"}'
    local_server.add(200, {"ok": True})
    sender = get_sender("sms")
    assert isinstance(sender, HttpGatewaySmsSender)
    assert sender.send(sms(text="hi")).ok
    assert local_server.requests[0].headers["x-api-key"] == "S3CRET"
    assert local_server.requests[0].json() == {"mobile": "09121234567", "message": "hi"}

    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        get_sender("sms")
    settings.SMS_GATEWAY_URL = local_server.url
    settings.SMS_GATEWAY_HEADERS = "[1]"
    with pytest.raises(ImproperlyConfigured):
        get_sender("sms")


def test_helpers() -> None:
    assert national_number("+989121234567") == "09121234567"
    assert json_lookup({"a": [{"b": 0}]}, "a.0.b") == (True, 0)
    assert json_lookup({"a": []}, "a.0") == (False, None)
    assert json_lookup(None, "a") == (False, None)


def test_console_sender_prints_the_sms(capsys: pytest.CaptureFixture[str]) -> None:
    result = ConsoleSmsSender().send(sms(text="سلام", url="https://cxm.example/s/x"))
    assert result.ok and result.provider_message_id.startswith("console-")
    assert result.metadata == {"sms_parts": 1, "sms_encoding": "UCS-2"}
    out = capsys.readouterr().out
    assert "+989121234567" in out and "سلام\nhttps://cxm.example/s/x" in out

    stream = io.StringIO()
    assert ConsoleSmsSender(stream=stream).send(sms(recipient="12")).status == "failed"
    assert stream.getvalue() == ""


def test_default_sms_sender_is_the_console() -> None:
    assert isinstance(get_sender("sms"), ConsoleSmsSender)
