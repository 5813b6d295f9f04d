"""The sender interface and the lookup of the configured sender."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from cxm.integrations.base import (
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
    Sender,
    get_sender,
    send_message,
)
from cxm.integrations.email import DjangoEmailSender
from cxm.integrations.telegram import TelegramSender


def test_message_is_frozen_and_buttons_become_tuples() -> None:
    message = OutboundMessage(
        channel="telegram", recipient="42", text="hi", buttons=[[("1", "a"), ("2", "b")]]
    )
    assert message.buttons == ((("1", "a"), ("2", "b")),)
    hash(message)
    with pytest.raises(AttributeError):
        message.text = "changed"  # type: ignore[misc]
    with pytest.raises(ValueError, match="Unknown channel"):
        OutboundMessage(channel="fax", recipient="1", text="hi")


def test_text_with_url() -> None:
    def make(text: str, url: str) -> OutboundMessage:
        return OutboundMessage(channel="sms", recipient="1", text=text, url=url)

    assert make("Hi", "https://x/s/1").text_with_url() == "Hi\nhttps://x/s/1"
    assert make("Open https://x/s/1 now", "https://x/s/1").text_with_url() == (
        "Open https://x/s/1 now"
    )
    assert make("", "https://x/s/1").text_with_url() == "https://x/s/1"


def test_results() -> None:
    assert DeliveryResult.sent("m1", sms_parts=2).metadata == {"sms_parts": 2}
    assert DeliveryResult.sent().ok
    retry = DeliveryResult.retry("slow down", 5)
    assert retry.status == DeliveryStatus.RETRY == "retry" and retry.retry_after == 5
    assert not DeliveryResult.failed("no").ok


def test_get_sender_defaults() -> None:
    assert isinstance(get_sender("email"), DjangoEmailSender)
    telegram = get_sender("telegram")
    assert isinstance(telegram, TelegramSender) and isinstance(telegram, Sender)
    assert telegram.api_base == "https://api.telegram.org"


def test_get_sender_errors(settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="no sender"):
        get_sender("fax")
    settings.CXM_SENDERS = {"sms": "cxm.integrations.sms.NoSuchSender"}
    with pytest.raises(ImproperlyConfigured):
        get_sender("sms")
    settings.CXM_SENDERS = {"sms": "cxm.integrations.base.OutboundMessage"}
    with pytest.raises((ImproperlyConfigured, TypeError)):
        get_sender("sms")


def test_send_message_uses_the_channel(settings: Any) -> None:
    settings.TELEGRAM_BOT_TOKEN = ""
    result = send_message(OutboundMessage(channel="telegram", recipient="42", text="hi"))
    assert result.status == DeliveryStatus.FAILED and "TELEGRAM_BOT_TOKEN" in result.error
