"""TelegramSender against a fake Bot API on 127.0.0.1, and the NPS keyboard."""

import socket
from typing import Any

import pytest

from cxm.integrations.base import DeliveryStatus, OutboundMessage
from cxm.integrations.telegram import (
    TelegramSender,
    nps_keyboard,
    sign_callback_data,
    verify_callback_data,
)

from .conftest import LocalServer

TOKEN = "123456:ABC-secret"


def telegram(**kwargs: Any) -> OutboundMessage:
    fields: dict[str, Any] = {"channel": "telegram", "recipient": "987654321", "text": "سلام"}
    return OutboundMessage(**{**fields, **kwargs})


def sender(server: LocalServer, **options: Any) -> TelegramSender:
    return TelegramSender(token=TOKEN, api_base=server.url + "/", **options)


def test_send_message_with_an_nps_keyboard(local_server: LocalServer) -> None:
    local_server.add(200, {"ok": True, "result": {"message_id": 77, "chat": {"id": 987654321}}})
    keyboard = nps_keyboard("t42", "fa")
    result = sender(local_server).send(
        telegram(
            text="چقدر ما را به دوستانتان پیشنهاد می‌کنید؟",
            buttons=keyboard,
            url="https://cxm.example/s/t42",
        )
    )
    assert result.status == DeliveryStatus.SENT and result.provider_message_id == "77"
    [request] = local_server.requests
    assert request.method == "POST" and request.path == f"/bot{TOKEN}/sendMessage"
    payload = request.json()
    assert payload["chat_id"] == 987654321
    assert payload["text"] == "چقدر ما را به دوستانتان پیشنهاد می‌کنید؟\nhttps://cxm.example/s/t42"
    assert "parse_mode" not in payload
    rows = payload["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in rows] == [
        ["۵", "۴", "۳", "۲", "۱", "۰"],
        ["۱۰", "۹", "۸", "۷", "۶"],
    ]
    assert verify_callback_data(rows[0][-1]["callback_data"]) == ["nps", "t42", "0"]


def test_html_parse_mode_escapes_text(local_server: LocalServer) -> None:
    local_server.add(200, {"ok": True, "result": {"message_id": 1}})
    sender(local_server, parse_mode="HTML").send(telegram(text="a < b & <script>", recipient="@cx"))
    payload = local_server.requests[0].json()
    assert payload == {
        "chat_id": "@cx",
        "text": "a &lt; b &amp; &lt;script&gt;",
        "parse_mode": "HTML",
    }


def test_429_is_a_retry_with_telegrams_retry_after(local_server: LocalServer) -> None:
    local_server.add(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )
    result = sender(local_server).send(telegram())
    assert result.status == DeliveryStatus.RETRY and result.retry_after == 7
    assert "Too Many Requests" in result.error
    assert len(local_server.requests) == 1


def test_refusals_fail_and_server_errors_retry(local_server: LocalServer) -> None:
    local_server.add(
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    result = sender(local_server).send(telegram())
    assert result.status == DeliveryStatus.FAILED and "blocked" in result.error
    local_server.add(502, text="<html>Bad Gateway</html>")
    assert sender(local_server).send(telegram()).status == DeliveryStatus.RETRY


def test_nothing_is_sent_without_token_or_with_bad_input(local_server: LocalServer) -> None:
    assert TelegramSender(token="", api_base=local_server.url).send(telegram()).status == "failed"
    assert sender(local_server).send(telegram(text="x" * 4097)).status == "failed"
    assert sender(local_server).send(telegram(text=" ")).status == "failed"
    too_long = [[("1", "x" * 65)]]
    assert sender(local_server).send(telegram(buttons=too_long)).status == "failed"
    assert local_server.requests == []


def test_unreachable_api_is_a_retry_and_hides_the_token() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = TelegramSender(token=TOKEN, api_base=f"http://127.0.0.1:{port}").send(telegram())
    assert result.status == DeliveryStatus.RETRY and TOKEN not in result.error


def test_nps_keyboard_rows_labels_and_data() -> None:
    english = nps_keyboard("abc", "en")
    assert [[label for label, _ in row] for row in english] == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
    ]
    assert [verify_callback_data(data) for _, data in english[1]] == [
        ["nps", "abc", str(score)] for score in range(6, 11)
    ]
    arabic = nps_keyboard("abc", "ar")
    assert [label for label, _ in arabic[0]] == ["5", "4", "3", "2", "1", "0"]
    assert nps_keyboard("abc", "fa", rtl=False)[0][0][0] == "۰"
    assert all(len(data.encode()) <= 64 for row in english for _, data in row)


def test_callback_data_is_bounded_and_signed() -> None:
    assert len(sign_callback_data("nps", "t" * 45, "10").encode()) == 64
    with pytest.raises(ValueError, match="64"):
        nps_keyboard("t" * 46, "en")
    with pytest.raises(ValueError):
        sign_callback_data("nps", "a:b", "1")
    data = sign_callback_data("nps", "abc", "3")
    assert data.startswith("nps:abc:3:")
    forged = data.replace(":3:", ":9:")
    assert verify_callback_data(forged) is None
    assert verify_callback_data("nps:abc:9") is None
    assert verify_callback_data("") is None
