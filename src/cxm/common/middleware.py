"""Per-request language and digit style: the user's saved choice, else the browser's."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from cxm.common.i18n import activate_digits


class UserLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (cookie, then Accept-Language) under the project's name."""


class UserPreferenceLanguageMiddleware:
    """After authentication: a signed-in user's saved language and digits win."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        digits = ""
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            digits = user.digits
        activate_digits(digits)
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
