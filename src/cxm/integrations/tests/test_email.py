"""The e-mail sender through Django's locmem backend (the test settings' EMAIL_BACKEND)."""

import smtplib
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from cxm.integrations.base import DeliveryStatus, OutboundMessage, get_sender
from cxm.integrations.email import DjangoEmailSender


def email(**kwargs: Any) -> OutboundMessage:
    fields: dict[str, Any] = {
        "channel": "email",
        "recipient": "sara@example.com",
        "subject": "نظر شما برای ما مهم است",
        "text": "لطفاً به نظرسنجی پاسخ دهید.",
        "language": "fa",
    }
    return OutboundMessage(**{**fields, **kwargs})


def test_text_html_and_list_unsubscribe() -> None:
    result = get_sender("email").send(
        email(
            html="<p>لطفاً <a href='https://cxm.example/s/ab'>پاسخ دهید</a></p>",
            url="https://cxm.example/s/ab",
            opt_out_url="https://cxm.example/optout/ab",
            idempotency_key="inv-1",
        )
    )
    assert result.status == DeliveryStatus.SENT
    [sent] = mail.outbox
    assert sent.to == ["sara@example.com"]
    assert sent.subject == "نظر شما برای ما مهم است"
    assert sent.body == "لطفاً به نظرسنجی پاسخ دهید.\nhttps://cxm.example/s/ab"
    assert sent.alternatives[0][1] == "text/html"  # type: ignore[attr-defined]
    assert sent.extra_headers["List-Unsubscribe"] == "<https://cxm.example/optout/ab>"
    assert "List-Unsubscribe-Post" not in sent.extra_headers
    assert sent.extra_headers["Content-Language"] == "fa"
    assert sent.extra_headers["X-CXM-Idempotency-Key"] == "inv-1"
    message = sent.message()
    assert message["Message-ID"] == result.provider_message_id
    assert message["List-Unsubscribe"] == "<https://cxm.example/optout/ab>"


def test_no_opt_out_url_no_header_and_one_click_option() -> None:
    DjangoEmailSender().send(email())
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert mail.outbox[0].alternatives == []  # type: ignore[attr-defined]
    DjangoEmailSender(one_click_unsubscribe=True).send(email(opt_out_url="https://x.example/o"))
    assert mail.outbox[1].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_bad_address_and_header_injection_fail() -> None:
    assert DjangoEmailSender().send(email(recipient="not-an-address")).status == "failed"
    result = DjangoEmailSender().send(email(subject="Hi\nBcc: victim@example.com"))
    assert result.status == DeliveryStatus.FAILED and "header" in result.error.lower()
    assert mail.outbox == []


class _FailingBackend(BaseEmailBackend):
    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def send_messages(self, email_messages: Any) -> int:
        raise self.exc


def test_backend_errors_become_results_with_the_exception_text() -> None:
    refused = smtplib.SMTPDataError(554, b"Message rejected")
    result = DjangoEmailSender(connection=_FailingBackend(refused)).send(email())
    assert result.status == DeliveryStatus.FAILED and "Message rejected" in result.error

    busy = smtplib.SMTPDataError(451, b"Try again later")
    assert DjangoEmailSender(connection=_FailingBackend(busy)).send(email()).status == "retry"
    down = ConnectionRefusedError("Connection refused")
    assert DjangoEmailSender(connection=_FailingBackend(down)).send(email()).status == "retry"
