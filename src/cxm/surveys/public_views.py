"""The public survey page: /s/<token>/ (personal invitation) and /s/p/<slug>/ (anonymous).

Server-rendered, no JavaScript, no cookies: the answers of earlier pages travel in a signed
hidden field (`state`) rather than in the session, so the page also works embedded in an
iframe on another site (where browsers drop third-party cookies), and nothing is written
until the last page is submitted, all at once. For the same reason the views are exempt
from CSRF: they carry no ambient authority (no sign-in, no session), and submissions are
rate-limited per client address.
"""

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from cxm.common.exceptions import ApplicationError
from cxm.core.text import localize_digits
from cxm.surveys import selectors, services
from cxm.surveys.models import Answer, Invitation, Question, QuestionType, Survey, SurveyStatus
from cxm.surveys.ratelimit import SubmissionLimiter, client_ip, ip_hash
from cxm.surveys.tokens import InvalidToken
from cxm.surveys.validation import InputError, clean_answers, clean_hidden

STATE_SALT = "cxm.surveys.page-state"
FONT_PATH = "vendor/vazirmatn/misc/Non-Latin/fonts/webfonts/Vazirmatn-NL-Regular.woff2"


def scale_end_labels(question: Question) -> tuple[str, str]:
    """The translated words under the two ends of a scale."""
    if question.type == QuestionType.NPS:
        return _("Not at all likely"), _("Extremely likely")
    if question.type == QuestionType.CSAT:
        return _("Very dissatisfied"), _("Very satisfied")
    if question.type == QuestionType.CES:
        return _("Strongly disagree"), _("Strongly agree")
    return _("Poor"), _("Excellent")


def _digits(language: str) -> str:
    return "persian" if language == "fa" else "latin"


@dataclass
class _Context:
    survey: Survey
    questions: list[Question]
    invitation: Invitation | None = None
    hidden: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> list[int]:
        return sorted({q.page for q in self.questions if q.type != QuestionType.HIDDEN})

    def on_page(self, page: int) -> list[Question]:
        return [q for q in self.questions if q.page == page and q.type != QuestionType.HIDDEN]

    def before(self, page: int) -> list[Question]:
        return [q for q in self.questions if q.page < page and q.type != QuestionType.HIDDEN]


def _message(
    request: HttpRequest, *, title: str, message: str, status: int, language: str = ""
) -> HttpResponse:
    with translation.override(language or translation.get_language()):
        return render(
            request,
            "surveys/public/message.html",
            {"title": title, "message": message, **_page_look(translation.get_language())},
            status=status,
        )


def _page_look(language: str) -> dict[str, Any]:
    rtl = language in ("fa", "ar")
    return {
        "language": language,
        "dir": "rtl" if rtl else "ltr",
        "font_url": static(FONT_PATH) if rtl else "",
    }


class _SurveyPageView(View, metaclass=ABCMeta):
    """Shared GET (first page) and POST (next page, back, or final submit)."""

    @abstractmethod
    def load(self, request: HttpRequest, **kwargs: Any) -> _Context | HttpResponse:
        """The survey (and invitation) the URL names, or the page that says why not."""

    @abstractmethod
    def thanks_url(self, language: str) -> str:
        """Where a finished response goes."""

    def language(self, request: HttpRequest, ctx: _Context) -> str:
        invitation = ctx.invitation
        customer_language = (
            invitation.customer.preferred_language if invitation and invitation.customer else ""
        )
        return ctx.survey.pick_language(
            invitation.language if invitation else "",
            customer_language,
            request.POST.get("lang") or request.GET.get("lang"),
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        ctx = self.load(request, **kwargs)
        if isinstance(ctx, HttpResponse):
            return ctx
        language = self.language(request, ctx)
        answers: dict[str, Any] = {}
        if ctx.invitation is not None:
            services.invitation_mark_opened(invitation=ctx.invitation)
            response = getattr(ctx.invitation, "response", None)
            if response is not None:  # editing within the window: start from the answers
                for answer in Answer.objects.filter(response=response).select_related("question"):
                    answers[answer.question.key] = _raw_value(answer)
        hidden = ctx.hidden
        if ctx.invitation is None:  # anonymous links pass hidden fields in the query string
            keys = [q.key for q in ctx.questions if q.type == QuestionType.HIDDEN]
            try:
                hidden = clean_hidden({k: request.GET[k] for k in keys if k in request.GET})
            except InputError:
                hidden = {}
        state = {"a": answers, "h": hidden}
        first = ctx.pages[0] if ctx.pages else 1
        services.page_reached(survey_id=ctx.survey.pk, page=first)
        return self.render_page(request, ctx, language, first, state)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        ctx = self.load(request, **kwargs)
        if isinstance(ctx, HttpResponse):
            return ctx
        language = self.language(request, ctx)
        with translation.override(language):
            try:
                state = signing.loads(
                    request.POST.get("state", ""), salt=self._state_salt(ctx), max_age=86400
                )
            except signing.BadSignature:
                return _message(
                    request,
                    title=_("Please start again"),
                    message=_(
                        "This page was open too long or was changed. Please start the survey again."
                    ),
                    status=400,
                    language=language,
                )
            pages = ctx.pages
            try:
                page = int(request.POST.get("page", ""))
            except ValueError:
                page = pages[0]
            if page not in pages:
                page = pages[0]
            raw = self._posted_answers(request, ctx.on_page(page))
            state["a"].update(raw)
            if "back" in request.POST:
                index = pages.index(page)
                return self.render_page(request, ctx, language, pages[max(index - 1, 0)], state)
            known = self._known(ctx, page, state)
            try:
                clean_answers(ctx.on_page(page), raw, known=known, strict=False)
            except InputError as exc:
                return self.render_page(request, ctx, language, page, state, errors=exc.errors)
            following = [p for p in pages if p > page]
            for next_page in following:
                known_next = self._known(ctx, next_page, state)
                if any(q.is_shown(known_next) for q in ctx.on_page(next_page)):
                    services.page_reached(survey_id=ctx.survey.pk, page=next_page)
                    return self.render_page(request, ctx, language, next_page, state)
            return self.submit(request, ctx, language, state)

    def submit(
        self, request: HttpRequest, ctx: _Context, language: str, state: dict[str, Any]
    ) -> HttpResponse:
        client = ip_hash(client_ip(request))
        if not SubmissionLimiter(ctx.survey.pk, client).hit():
            return _message(
                request,
                title=_("Too many answers"),
                message=_(
                    "Too many answers came from your network. Please try again in a few minutes."
                ),
                status=429,
                language=language,
            )
        try:
            answers = clean_answers(ctx.questions, state["a"], strict=False)
        except InputError as exc:
            first = min(
                (q.page for q in ctx.questions if _has_error(q, exc.errors)),
                default=ctx.pages[0],
            )
            return self.render_page(request, ctx, language, first, state, errors=exc.errors)
        try:
            services.response_submit(
                survey=ctx.survey,
                answers=answers,
                language=language,
                invitation=ctx.invitation,
                hidden=state.get("h") or {},
                ip_hash=client,
            )
        except ApplicationError as exc:
            return _message(
                request, title=_("Not saved"), message=exc.message, status=409, language=language
            )
        return HttpResponseRedirect(self.thanks_url(language))

    def _state_salt(self, ctx: _Context) -> str:
        return f"{STATE_SALT}:{ctx.survey.pk}:{ctx.invitation.pk if ctx.invitation else 0}"

    @staticmethod
    def _posted_answers(request: HttpRequest, questions: list[Question]) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for q in questions:
            if q.type == QuestionType.MULTIPLE:
                raw[q.key] = request.POST.getlist(q.key)
            elif q.is_matrix:
                raw[q.key] = {row: request.POST.get(f"{q.key}.{row}", "") for row in q.option_codes}
            else:
                raw[q.key] = request.POST.get(q.key, "")
        return raw

    @staticmethod
    def _known(ctx: _Context, page: int, state: dict[str, Any]) -> dict[str, Any]:
        """Logic values of the answers on earlier pages (for show_if and variants)."""
        earlier = ctx.before(page)
        raw = {q.key: state["a"].get(q.key) for q in earlier}
        try:
            clean = clean_answers(earlier, raw, strict=False)
        except InputError:
            return {}
        return {key: answer.logic_value for key, answer in clean.items()}

    def render_page(
        self,
        request: HttpRequest,
        ctx: _Context,
        language: str,
        page: int,
        state: dict[str, Any],
        *,
        errors: dict[str, tuple[str, str]] | None = None,
    ) -> HttpResponse:
        errors = errors or {}
        with translation.override(language):
            known = self._known(ctx, page, state)
            digits = _digits(language)
            items = []
            values = dict(known)
            for q in ctx.on_page(page):
                if not q.is_shown(values):
                    continue
                current = state["a"].get(q.key)
                item: dict[str, Any] = {
                    "q": q,
                    "text": q.text_for(language, known),
                    "error": errors.get(q.key, ("", ""))[1],
                    "current": "" if current is None else str(current),
                }
                if q.is_scale:
                    low, high = scale_end_labels(q)
                    item["points"] = [
                        (str(n), localize_digits(str(n), digits))
                        for n in range(q.scale_min, (q.scale_max or 10) + 1)
                    ]
                    item["low"], item["high"] = low, high
                elif q.is_matrix:
                    item.update(_matrix_item(q, language, current, errors))
                elif q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
                    chosen = current if isinstance(current, list) else [current]
                    item["options"] = [
                        (code, label, code in chosen) for code, label in q.option_labels(language)
                    ]
                items.append(item)
            pages = ctx.pages
            index = pages.index(page) if page in pages else 0
            context = {
                "survey": ctx.survey,
                "items": items,
                "page": page,
                "page_number": localize_digits(str(index + 1), digits),
                "page_count": localize_digits(str(len(pages)), digits),
                "multi_page": len(pages) > 1,
                "is_first": index == 0,
                "is_last": index == len(pages) - 1,
                "errors": bool(errors),
                "state": signing.dumps(state, salt=self._state_salt(ctx), compress=True),
                **_page_look(language),
            }
            return render(request, "surveys/public/page.html", context)


def _has_error(question: Question, errors: dict[str, tuple[str, str]]) -> bool:
    """Whether `errors` name the question or (a matrix) one of its rows."""
    return question.key in errors or any(k.startswith(f"{question.key}.") for k in errors)


def _matrix_item(
    question: Question, language: str, current: Any, errors: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """What the page shows of a matrix: its columns (numbers in the page's digits), the
    words under the ends of a numeric scale, and each row with its answer and error."""
    chosen = current if isinstance(current, dict) else {}
    numeric = not question.matrix_columns
    columns = [
        (value, localize_digits(label, _digits(language)) if numeric else label)
        for value, label in question.column_labels(language)
    ]
    low, high = question.end_labels(language)
    if numeric and not (low or high):
        low, high = _("Strongly disagree"), _("Strongly agree")
    return {
        "matrix_numeric": numeric,
        "columns": columns,
        "low": low,
        "high": high,
        "rows": [
            {
                "code": code,
                "label": label,
                "current": "" if chosen.get(code) is None else str(chosen[code]),
                "error": errors.get(f"{question.key}.{code}", ("", ""))[1],
            }
            for code, label in question.option_labels(language)
        ],
    }


def _raw_value(answer: Answer) -> Any:
    if answer.question.is_matrix:
        return {row: str(value) for row, value in dict(answer.choices or {}).items()}
    if answer.number_value is not None:
        return str(int(answer.number_value))
    if answer.choices:
        return (
            list(answer.choices)
            if answer.question.type == QuestionType.MULTIPLE
            else answer.choices[0]
        )
    return answer.text_value


def _closed(request: HttpRequest, survey: Survey, language: str) -> HttpResponse | None:
    if survey.status == SurveyStatus.ACTIVE:
        return None
    return _message(
        request,
        title=_("Survey closed"),
        message=_("This survey is not open for answers."),
        status=410 if survey.status == SurveyStatus.CLOSED else 404,
        language=language,
    )


@method_decorator([csrf_exempt, xframe_options_exempt], name="dispatch")
class InvitationSurveyView(_SurveyPageView):
    """A personal link: one response per token, editable within the survey's window."""

    def load(self, request: HttpRequest, **kwargs: Any) -> _Context | HttpResponse:
        language = request.GET.get("lang", "")
        try:
            invitation = selectors.invitation_for_token(kwargs["token"])
        except (InvalidToken, Invitation.DoesNotExist):
            return _message(
                request,
                title=_("Link not valid"),
                message=_("This survey link is not valid. Please check that you copied all of it."),
                status=400,
                language=language if language in ("fa", "ar", "hu", "en") else "",
            )
        survey = invitation.survey
        customer = invitation.customer
        language = survey.pick_language(
            invitation.language, customer.preferred_language if customer else "", language
        )
        if invitation.is_expired:
            return _message(
                request,
                title=_("Link expired"),
                message=_("This survey link has expired. Thank you for your interest."),
                status=410,
                language=language,
            )
        if closed := _closed(request, survey, language):
            return closed
        response = getattr(invitation, "response", None)
        if response is not None:
            response.survey = survey
            if timezone.now() > response.editable_until():
                return _message(
                    request,
                    title=_("Already answered"),
                    message=_("You have already answered this survey. Thank you!"),
                    status=409,
                    language=language,
                )
        return _Context(
            survey=survey,
            questions=selectors.survey_questions(survey),
            invitation=invitation,
            hidden=dict(invitation.hidden),
        )

    def thanks_url(self, language: str) -> str:
        url = reverse("survey_public:thanks", args=[self.kwargs["token"]])
        return f"{url}?{urlencode({'lang': language})}"


@method_decorator([csrf_exempt, xframe_options_exempt], name="dispatch")
class PublicSurveyView(_SurveyPageView):
    """The anonymous link (also used by the QR code and the embedded widget)."""

    def load(self, request: HttpRequest, **kwargs: Any) -> _Context | HttpResponse:
        survey = Survey.objects.filter(public_slug=kwargs["slug"]).first()
        language = request.GET.get("lang", "")
        if survey is None:
            return _message(
                request,
                title=_("Link not valid"),
                message=_("This survey link is not valid. Please check that you copied all of it."),
                status=404,
                language=language if language in ("fa", "ar", "hu", "en") else "",
            )
        if closed := _closed(request, survey, survey.pick_language(language)):
            return closed
        return _Context(survey=survey, questions=selectors.survey_questions(survey))

    def thanks_url(self, language: str) -> str:
        url = reverse("survey_public:public-thanks", args=[self.kwargs["slug"]])
        return f"{url}?{urlencode({'lang': language})}"


@xframe_options_exempt
def thanks(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """The thank-you page, in the language the survey was answered in."""
    language = request.GET.get("lang", "")
    if language not in ("fa", "ar", "hu", "en"):
        language = translation.get_language()
    with translation.override(language):
        return _message(
            request,
            title=_("Thank you!"),
            message=_("Your answers were saved. Thank you for your time."),
            status=200,
            language=language,
        )
