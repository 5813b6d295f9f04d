"""The inbound e-mail webhook: a mail provider POSTs each received e-mail here.

`POST /integrations/email/inbound/<secret>/` with
- a raw RFC 822 message (`Content-Type: message/rfc822`), or a multipart form whose field
  (or file) `email` holds it (SendGrid Inbound Parse in "raw" mode; `body-mime` as Mailgun
  names it), or
- a JSON object (see `inbound.parse_json`).

Answers 201 with the case when the message was recorded, 200 for a message delivered before
(nothing is written twice), 400 for something that is not an e-mail, 404 for a wrong secret
or when `CXM_INBOUND_EMAIL_SECRET` is empty (the webhook is off), 413 over
`CXM_INBOUND_EMAIL_MAX_BYTES`, 503 when the cases setup cannot take it (no case type). The
answer comes after the case is committed, so a 2xx means
the message is safe; on a 5xx the provider delivers it again, which is harmless.
"""

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from cxm.common.exceptions import ApplicationError
from cxm.integrations.email.inbound import (
    EmailParseError,
    ParsedEmail,
    parse_json,
    parse_raw,
    receive_email,
)

logger = logging.getLogger(__name__)

RAW_FIELDS = ("email", "body-mime")


def _error(status: int, message: str, code: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"message": message, "code": code, "extra": extra}, status=status)


class _TooLarge(Exception):
    pass


@method_decorator(csrf_exempt, name="dispatch")
class InboundEmailWebhookView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, secret: str) -> JsonResponse:
        expected = str(getattr(settings, "CXM_INBOUND_EMAIL_SECRET", "") or "")
        if not expected or not constant_time_compare(secret, expected):
            return _error(404, _("Not found."), "not_found")
        limit = int(settings.CXM_INBOUND_EMAIL_MAX_BYTES)
        too_large = _error(
            413,
            _("The message is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            "too_large",
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large
        try:
            parsed = self._parse(request, limit)
        except (_TooLarge, RequestDataTooBig):
            return too_large
        except EmailParseError as exc:
            return _error(
                400, _("This is not an e-mail we can read: %(e)s") % {"e": exc}, "invalid"
            )
        try:
            result = receive_email(parsed)
        except ApplicationError as exc:
            # A setup problem on our side (no case type or status): 503 makes the provider
            # deliver the message again later instead of dropping it.
            logger.error("Inbound e-mail %s not recorded: %s", parsed.message_id, exc.message)
            return _error(503, exc.message, exc.code, **exc.extra)
        if result.duplicate:
            logger.info("Inbound e-mail %s was delivered before", parsed.message_id)
        return JsonResponse(
            {
                "case": result.case.pk,
                "message": result.message.pk,
                "case_created": result.case_created,
                "duplicate": result.duplicate,
                "refused_attachments": [
                    {"name": item.name, "reason": item.reason} for item in result.refused
                ],
            },
            status=200 if result.duplicate else 201,
        )

    @staticmethod
    def _parse(request: HttpRequest, limit: int) -> ParsedEmail:
        content_type = (request.content_type or "").lower()
        if content_type == "multipart/form-data":
            for name in RAW_FIELDS:
                upload = request.FILES.get(name)
                if upload is not None:
                    if upload.size and upload.size > limit:
                        raise _TooLarge
                    return parse_raw(upload.read())
                value = request.POST.get(name)
                if value:
                    return parse_raw(value.encode("utf-8", errors="surrogateescape"))
            raise EmailParseError('The form has no "email" field with the raw message.')
        body = request.read(limit + 1)
        if len(body) > limit:
            raise _TooLarge
        if content_type == "application/json":
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise EmailParseError("The body is not JSON.") from exc
            return parse_json(data)
        if content_type in ("message/rfc822", "application/octet-stream", "text/plain", ""):
            return parse_raw(body)
        raise EmailParseError(f"Unsupported content type {content_type!r}.")
