"""Helpers of the distribution tests: a recording sender, customers, a frozen daytime."""

import datetime as dt
from typing import Any, ClassVar

import pytest

from cxm.channels.models import Channel
from cxm.customers.models import Customer
from cxm.integrations.base import DeliveryResult, OutboundMessage

# 11:30 in Tehran (UTC+3:30): outside the default quiet hours 21:00-09:00.
DAYTIME = dt.datetime(2025, 3, 10, 8, 0, tzinfo=dt.UTC)


class FakeSender:
    """Records every message; answers with the queued results (then "sent")."""

    sent: ClassVar[list[OutboundMessage]] = []
    results: ClassVar[list[DeliveryResult]] = []

    def __init__(self, **options: Any) -> None:
        pass

    def send(self, message: OutboundMessage) -> DeliveryResult:
        FakeSender.sent.append(message)
        if FakeSender.results:
            return FakeSender.results.pop(0)
        return DeliveryResult.sent(f"fake-{len(FakeSender.sent)}")


FAKE = "cxm.surveys.tests.distribution_helpers.FakeSender"


@pytest.fixture
def fake_senders(settings):
    """SMS and Telegram through FakeSender; e-mail through Django's locmem backend."""
    FakeSender.sent = []
    FakeSender.results = []
    settings.CXM_SENDERS = {
        "email": "cxm.integrations.email.DjangoEmailSender",
        "sms": FAKE,
        "telegram": FAKE,
    }
    settings.CXM_PUBLIC_URL = "https://cx.example.com"
    return FakeSender


def channel(code: str) -> Channel:
    return Channel.objects.get(code=code)


_counter = iter(range(1, 10**6))


def make_customer(**fields: Any) -> Customer:
    number = next(_counter)
    values: dict[str, Any] = {
        "external_id": f"C-{number}",
        "name": f"Customer {number}",
        "email": f"c{number}@example.com",
        "preferred_language": "fa",
    }
    values.update(fields)
    return Customer.objects.create(**values)
