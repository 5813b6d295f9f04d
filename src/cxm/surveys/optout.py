"""The opt-out link every survey message carries: /s/optout/<token>/, no sign-in.

The token names the customer and the channel, signed with a salted HMAC of SECRET_KEY cut to
12 bytes (16 characters), so the link stays short enough for an SMS; forging one would take
a request per guess. GET shows a confirmation page with a button; POST records the opt-out
through `consent_set` (source "opt-out link"), on that channel or on every sending channel.
Like the survey pages the view is exempt from CSRF: it carries no ambient authority (no
session), the token in the URL is the only credential.
"""

import base64
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from cxm.channels.models import Channel
from cxm.common.i18n import is_rtl
from cxm.customers.models import ConsentStatus, Customer
from cxm.customers.services import consent_set

SALT = "cxm.surveys.optout"
SOURCE = "opt-out link"
FONT_PATH = "vendor/vazirmatn/misc/Non-Latin/fonts/webfonts/Vazirmatn-NL-Regular.woff2"


class InvalidOptOutToken(Exception):
    """The token was altered or never issued here."""


def _signature(payload: str) -> str:
    digest = salted_hmac(SALT, payload, algorithm="sha256").digest()[:12]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def optout_token(*, customer: Customer, channel: Channel) -> str:
    """`<customer id base 36>.<channel code>.<signature>`."""
    payload = f"{_b36(customer.pk)}.{channel.code}"
    return f"{payload}.{_signature(payload)}"


def read_optout_token(token: str) -> tuple[int, str]:
    """(customer id, channel code) of a token; InvalidOptOutToken when it is not ours."""
    payload, _sep, signature = token.rpartition(".")
    customer, _sep2, channel = payload.partition(".")
    if not (payload and customer and channel) or not constant_time_compare(
        signature, _signature(payload)
    ):
        raise InvalidOptOutToken(token)
    try:
        return int(customer, 36), channel
    except ValueError:
        raise InvalidOptOutToken(token) from None


def optout_url(*, customer: Customer, channel: Channel) -> str:
    from cxm.surveys.distribution import public_url

    return public_url(
        reverse("survey_public:optout", args=[optout_token(customer=customer, channel=channel)])
    )


@transaction.atomic
def optout_record(*, customer: Customer, channel: Channel, all_channels: bool) -> list[Channel]:
    """Opt the customer out of `channel`, or of every channel that can send. Returns them."""
    channels = [channel]
    if all_channels:
        channels = list(Channel.objects.filter(can_send=True).order_by("position", "code"))
        if channel not in channels:
            channels.append(channel)
    for each in channels:
        consent_set(customer=customer, channel=each, status=ConsentStatus.OPT_OUT, source=SOURCE)
    return channels


@method_decorator(csrf_exempt, name="dispatch")
class OptOutView(View):
    """GET: a page with the opt-out button(s); POST: record the opt-out and confirm."""

    http_method_names = ["get", "post"]

    def _load(self, token: str) -> tuple[Customer, Channel] | None:
        try:
            customer_id, code = read_optout_token(token)
        except InvalidOptOutToken:
            return None
        customer = Customer.objects.filter(pk=customer_id).first()
        channel = Channel.objects.filter(code=code).first()
        if customer is None or channel is None:
            return None
        return customer, channel

    def _render(
        self, request: HttpRequest, language: str, context: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        with translation.override(language):
            rtl = is_rtl(language)
            return render(
                request,
                "surveys/public/optout.html",
                {
                    "language": language,
                    "dir": "rtl" if rtl else "ltr",
                    "font_url": static(FONT_PATH) if rtl else "",
                    **context,
                },
                status=status,
            )

    def _language(self, request: HttpRequest, customer: Customer | None) -> str:
        codes = ("fa", "ar", "hu", "en")
        asked = request.GET.get("lang", "")
        if asked in codes:
            return asked
        if customer is not None and customer.preferred_language in codes:
            return customer.preferred_language
        return translation.get_language() or "fa"

    def _invalid(self, request: HttpRequest) -> HttpResponse:
        language = self._language(request, None)
        with translation.override(language):
            return self._render(
                request,
                language,
                {
                    "title": _("Link not valid"),
                    "message": _("This link is not valid. Please check that you copied all of it."),
                },
                status=400,
            )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        loaded = self._load(token)
        if loaded is None:
            return self._invalid(request)
        customer, channel = loaded
        language = self._language(request, customer)
        with translation.override(language):
            return self._render(
                request,
                language,
                {
                    "title": _("Stop survey messages?"),
                    "message": _("You will no longer receive our survey messages on %(channel)s.")
                    % {"channel": channel.label},
                    "ask": True,
                },
            )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        loaded = self._load(token)
        if loaded is None:
            return self._invalid(request)
        customer, channel = loaded
        all_channels = request.POST.get("scope") == "all"
        optout_record(customer=customer, channel=channel, all_channels=all_channels)
        language = self._language(request, customer)
        with translation.override(language):
            if all_channels:
                message = _("You will not receive messages from us on any channel.")
            else:
                message = _("You will no longer receive messages from us on %(channel)s.") % {
                    "channel": channel.label
                }
            return self._render(
                request, language, {"title": _("You have opted out"), "message": message}
            )
