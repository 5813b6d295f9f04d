"""The Telegram webhook: secret checks, answering presses and dispatching them."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cxm.integrations.telegram import (
    CallbackQuery,
    callbacks,
    register_callback_handler,
    sign_callback_data,
    unregister_callback_handler,
)

SECRET = "s3cret-Token_1"


@pytest.fixture(autouse=True)
def webhook_secret(settings: Any) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET


@pytest.fixture
def received() -> Iterator[list[tuple[CallbackQuery, str]]]:
    calls: list[tuple[CallbackQuery, str]] = []

    def record(query: CallbackQuery) -> str | None:
        calls.append((query, translation.get_language()))
        return None

    # The surveys app registers the real "nps" handler at start-up: stand in for it here.
    previous = callbacks._handlers.pop("nps", None)
    register_callback_handler("nps", record)
    yield calls
    unregister_callback_handler("nps")
    if previous is not None:
        register_callback_handler("nps", previous)


def press(data: str, language: str = "fa", query_id: str = "cb-1") -> dict[str, Any]:
    return {
        "update_id": 1001,
        "callback_query": {
            "id": query_id,
            "from": {"id": 555, "is_bot": False, "first_name": "Sara", "language_code": language},
            "message": {"message_id": 77, "chat": {"id": 555, "type": "private"}, "date": 0},
            "chat_instance": "1",
            "data": data,
        },
    }


def post(client: Client, body: Any, secret: str = SECRET, header: str | None = SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header is not None else {}
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    url = reverse("telegram-webhook", kwargs={"secret": secret})
    return client.post(url, content, content_type="application/json", headers=headers)


def test_url() -> None:
    assert reverse("telegram-webhook", kwargs={"secret": "x"}) == (
        "/integrations/telegram/webhook/x/"
    )


def test_secret_must_match_in_path_and_header(client: Client, received: list[Any]) -> None:
    update = press(sign_callback_data("nps", "t1", "9"))
    assert post(client, update, secret="wrong").status_code == 403
    assert post(client, update, header=None).status_code == 403
    assert post(client, update, header="wrong").status_code == 403
    assert received == []
    assert post(client, update).status_code == 200
    assert len(received) == 1


def test_no_configured_secret_refuses_everything(
    client: Client, settings: Any, received: list[Any]
) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    assert post(client, press(sign_callback_data("nps", "t1", "9")), header="").status_code == 403
    assert received == []


def test_only_post(client: Client) -> None:
    assert client.get(reverse("telegram-webhook", kwargs={"secret": SECRET})).status_code == 405


def test_press_is_answered_and_dispatched(client: Client, received: list[Any]) -> None:
    response = post(client, press(sign_callback_data("nps", "t1", "9"), language="en-US"))
    assert response.status_code == 200
    assert response.json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": "cb-1",
        "text": "Thank you!",
    }
    [(query, language)] = received
    assert (query.prefix, query.args) == ("nps", ("t1", "9"))
    assert (query.from_user_id, query.chat_id, query.message_id) == (555, 555, 77)
    assert query.language == language == "en"


def test_handler_runs_in_the_pressers_language(
    client: Client, settings: Any, received: list[Any]
) -> None:
    settings.LANGUAGE_CODE = "hu"
    post(client, press(sign_callback_data("nps", "t1", "3"), language="fa"))
    post(client, press(sign_callback_data("nps", "t1", "3"), language="xx"))
    assert [language for _, language in received] == ["fa", "hu"]  # unknown → LANGUAGE_CODE


def test_handler_text_and_errors(client: Client) -> None:
    register_callback_handler("ok", lambda query: f"Got {query.args[0]}")

    def broken(query: CallbackQuery) -> str:
        raise RuntimeError("database down")

    register_callback_handler("bad", broken)
    try:
        assert post(client, press(sign_callback_data("ok", "7"))).json()["text"] == "Got 7"
        response = post(client, press(sign_callback_data("bad", "7"), language="en"))
        assert response.status_code == 200
        assert "could not be saved" in response.json()["text"]
        with pytest.raises(ValueError):
            register_callback_handler("ok", lambda query: None)
    finally:
        unregister_callback_handler("ok")
        unregister_callback_handler("bad")


def test_forged_or_unhandled_presses_are_answered_silently(
    client: Client, received: list[Any]
) -> None:
    forged = sign_callback_data("nps", "t1", "3").replace(":3:", ":10:")
    response = post(client, press(forged, query_id="cb-2"))
    assert response.json() == {"method": "answerCallbackQuery", "callback_query_id": "cb-2"}
    response = post(client, press(sign_callback_data("menu", "x"), query_id="cb-3"))
    assert response.json() == {"method": "answerCallbackQuery", "callback_query_id": "cb-3"}
    assert received == []


@pytest.mark.parametrize(
    "body",
    [
        "not json {",
        b"\xff\xfe",
        [1, 2],
        {"update_id": 1, "message": {"message_id": 1, "text": "/start"}},
        {"update_id": 1, "callback_query": "nonsense"},
        {"update_id": 1, "callback_query": {"data": "nps:x:1"}},
    ],
)
def test_malformed_or_other_updates_are_ignored(
    client: Client, received: list[Any], body: Any
) -> None:
    response = post(client, body)
    assert response.status_code == 200 and response.content == b""
    assert received == []


def test_press_without_sender_is_answered_but_not_dispatched(
    client: Client, received: list[Any]
) -> None:
    update = press(sign_callback_data("nps", "t1", "3"))
    del update["callback_query"]["from"]
    assert post(client, update).json()["callback_query_id"] == "cb-1"
    assert received == []
