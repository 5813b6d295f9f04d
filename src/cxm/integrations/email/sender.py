"""Sends an OutboundMessage as a multipart e-mail through Django's e-mail backend."""

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.utils import DNS_NAME
from django.core.validators import validate_email

from cxm.integrations.base import DeliveryResult, OutboundMessage


def _is_temporary(exc: Exception) -> bool:
    """SMTP 4xx answers and lost connections may succeed later; anything else will not."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError)


class DjangoEmailSender:
    """Text body (with the link), optional HTML alternative, `List-Unsubscribe` when opted.

    `one_click_unsubscribe` adds RFC 8058 `List-Unsubscribe-Post`; turn it on only when the
    opt-out URL accepts a POST without confirmation.
    """

    def __init__(
        self,
        *,
        from_email: str | None = None,
        connection: BaseEmailBackend | None = None,
        one_click_unsubscribe: bool = False,
    ) -> None:
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL
        self.connection = connection
        self.one_click_unsubscribe = one_click_unsubscribe

    def send(self, message: OutboundMessage) -> DeliveryResult:
        try:
            validate_email(message.recipient)
        except ValidationError:
            return DeliveryResult.failed(f"Not an e-mail address: {message.recipient!r}")
        message_id = make_msgid(domain=str(DNS_NAME))
        headers = {"Message-ID": message_id}
        if message.language:
            headers["Content-Language"] = message.language
        if message.opt_out_url:
            headers["List-Unsubscribe"] = f"<{message.opt_out_url}>"
            if self.one_click_unsubscribe:
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if message.idempotency_key:
            headers["X-CXM-Idempotency-Key"] = message.idempotency_key
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text_with_url(),
            from_email=self.from_email,
            to=[message.recipient],
            headers=headers,
            connection=self.connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            sent = email.send()
        except BadHeaderError as exc:
            return DeliveryResult.failed(f"Invalid header: {exc}")
        except Exception as exc:  # backends raise anything from smtplib, ssl or socket
            error = f"{type(exc).__name__}: {exc}"
            if _is_temporary(exc):
                return DeliveryResult.retry(error)
            return DeliveryResult.failed(error)
        if not sent:
            return DeliveryResult.failed("The e-mail backend did not send the message.")
        return DeliveryResult.sent(message_id)
