"""Telegram text messages to the bot → cases: a new customer and case, a second message on
the same case, idempotent redelivery, known customers by chat id or @username, commands and
group chats, and the agent's reply going back to the chat id."""

import json
from typing import Any

import httpx
import pytest
from django.urls import reverse

from cxm.cases import services
from cxm.cases.models import Case, CaseMessage, CaseSource, MessageKind, StatusCategory
from cxm.customers.models import Customer
from cxm.integrations.telegram import messages

SECRET = "tg-Secret_1"


@pytest.fixture(autouse=True)
def _telegram(settings):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET


def update(
    text: str,
    *,
    message_id: int = 10,
    chat_id: int = 4242,
    update_id: int = 9001,
    username: str = "arash_t",
    chat_type: str = "private",
) -> dict[str, Any]:
    sender = {
        "id": chat_id,
        "is_bot": False,
        "first_name": "Arash",
        "last_name": "Tehrani",
        "username": username,
        "language_code": "fa",
    }
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": sender,
            "chat": {"id": chat_id, "type": chat_type},
            "date": 1_700_000_000,
            "text": text,
        },
    }


def post(client, body: dict[str, Any]):
    return client.post(
        reverse("telegram-webhook", args=[SECRET]),
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )


@pytest.mark.django_db
def test_first_message_opens_a_case_and_the_second_continues_it(client):
    first = post(client, update("سلام، سفارشم نرسیده"))
    assert first.status_code == 200
    reply = first.json()
    assert reply["method"] == "sendMessage" and reply["chat_id"] == 4242
    case = Case.objects.get()
    assert case.reference in reply["text"]
    assert case.source == CaseSource.TELEGRAM
    assert case.channel is not None and case.channel.code == "telegram"
    assert case.subject == "سلام، سفارشم نرسیده"
    customer = Customer.objects.get()
    assert case.customer == customer
    assert customer.telegram == "4242" and customer.name == "Arash Tehrani"
    assert customer.preferred_language == "fa"

    second = post(client, update("کد سفارش ۱۲۳", message_id=11, update_id=9002))
    assert second.status_code == 200 and second.content == b""  # no second acknowledgement
    assert Case.objects.count() == 1
    bodies = list(case.messages.filter(kind=MessageKind.INBOUND).values_list("body", flat=True))
    assert bodies == ["سلام، سفارشم نرسیده", "کد سفارش ۱۲۳"]


@pytest.mark.django_db
def test_redelivered_update_is_recorded_once(client):
    post(client, update("Hello"))
    again = post(client, update("Hello"))
    assert again.status_code == 200
    assert Case.objects.count() == 1 and CaseMessage.objects.count() == 1
    assert CaseMessage.objects.get().external_id == "telegram:4242:10"


@pytest.mark.django_db
def test_known_customer_by_username_gets_the_chat_id(client):
    known = Customer.objects.create(external_id="C-1", name="Arash", telegram="@arash_t")
    post(client, update("Hi"))
    known.refresh_from_db()
    assert Case.objects.get().customer == known
    assert known.telegram == "4242"  # replies can only be sent to the chat id
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_message_after_the_case_is_closed_opens_a_new_case(client, status_of):
    post(client, update("First problem"))
    case = Case.objects.get()
    services.case_set_status(case=case, status=status_of(StatusCategory.CLOSED))
    response = post(client, update("Another problem", message_id=12, update_id=9003))
    assert response.json()["method"] == "sendMessage"
    assert Case.objects.count() == 2
    newest = Case.objects.order_by("-id").first()
    assert newest is not None and newest.pk != case.pk
    assert newest.messages.get().body == "Another problem"


@pytest.mark.django_db
def test_commands_and_group_chats_open_no_case(client):
    start = post(client, update("/start"))
    assert start.json()["method"] == "sendMessage" and start.json()["text"]
    assert post(client, update("/help", message_id=2)).content == b""
    group = post(client, update("hello all", chat_id=-100123, chat_type="supergroup"))
    assert group.status_code == 200 and group.content == b""
    assert Case.objects.count() == 0 and Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_failing_handler_answers_500_so_telegram_retries(client, monkeypatch):
    def broken(message: messages.TextMessage) -> str | None:
        raise RuntimeError("database is down")

    monkeypatch.setitem(messages._handlers, "cases", broken)
    assert post(client, update("Hello")).status_code == 500
    monkeypatch.undo()
    assert post(client, update("Hello")).status_code == 200
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_agent_reply_goes_to_the_chat_id(client, settings, django_capture_on_commit_callbacks):
    sent: list[dict[str, Any]] = []

    def bot_api(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"ok": True, "result": {"message_id": 77}})

    settings.CXM_SENDERS = {
        **settings.CXM_SENDERS,
        "telegram": {
            "BACKEND": "cxm.integrations.telegram.TelegramSender",
            "OPTIONS": {"token": "123:abc", "transport": httpx.MockTransport(bot_api)},
        },
    }
    post(client, update("Where is my order?"))
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.case_reply(case=case, author=None, body="It ships today.")
    assert sent == [{"chat_id": 4242, "text": "It ships today."}]
    reply.refresh_from_db()
    assert reply.delivery_status == "sent"
