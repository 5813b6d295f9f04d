"""The public referral link /r/<code>/: no sign-in. It counts a visit (at most one per
address and referral in `VISIT_WINDOW_SECONDS`, so reloads do not inflate the figures) and
sends the visitor on to `CXM_REFERRAL_TARGET_URL` with `?ref=<code>`; without that setting
it shows a short welcome page in the visitor's language."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from cxm.common.i18n import is_rtl
from cxm.referrals import services
from cxm.referrals.models import Referral
from cxm.surveys.optout import FONT_PATH
from cxm.surveys.ratelimit import client_ip, ip_hash

LANGUAGES = ("fa", "ar", "hu", "en")
VISIT_WINDOW_SECONDS = 30 * 60


def _language(request: HttpRequest, referral: Referral | None) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    if request.headers.get("accept-language"):
        current = (translation.get_language() or "")[:2]
        if current in LANGUAGES:
            return current
    if referral is not None and referral.customer.preferred_language in LANGUAGES:
        return referral.customer.preferred_language
    return (translation.get_language() or "fa")[:2]


class LandingView(View):
    http_method_names = ["get", "head"]

    def _render(
        self, request: HttpRequest, language: str, context: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        rtl = is_rtl(language)
        with translation.override(language):
            response = render(
                request,
                "referrals/landing.html",
                {
                    "language": language,
                    "dir": "rtl" if rtl else "ltr",
                    "font_url": static(FONT_PATH) if rtl else "",
                    **context,
                },
                status=status,
            )
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        referral = (
            Referral.objects.select_related("customer").filter(code=code).first()
            if len(code) <= 16
            else None
        )
        language = _language(request, referral)
        if referral is None:
            with translation.override(language):
                context = {
                    "title": _("Link not valid"),
                    "message": _("This link is not valid. Please check that you copied all of it."),
                }
            return self._render(request, language, context, status=404)
        hashed = ip_hash(client_ip(request))
        if cache.add(f"cxm:referral-visit:{referral.pk}:{hashed}", 1, VISIT_WINDOW_SECONDS):
            services.referral_visit_record(referral=referral, ip_hash=hashed)
        target = services.target_url(referral.code)
        if target is not None:
            response = HttpResponseRedirect(target)
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response
        with translation.override(language):
            context = {
                "title": _("Welcome!"),
                "message": _(
                    "A friend invited you. Mention the code below when you sign up or order, "
                    "and we will know who to thank."
                ),
                "code": referral.code,
            }
        return self._render(request, language, context)
