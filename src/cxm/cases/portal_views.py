"""The customer portal: /portal/<token>/ — a customer's own cases, without signing in.

The signed token in the URL is the only authority (see `cxm.cases.portal_tokens`): every
case is looked up *within* the token's customer, so another customer's case number answers
404, never its data. Pages are in the customer's preferred language (RTL for fa/ar, Jalali
dates and Persian digits for fa), work without JavaScript, and are not cached, indexed or
leaked through the Referer header (the token is in the URL). Posting is rate-limited per
customer and client address; a hidden one-time key makes a double click harmless (it becomes
the message's external id, on which the services are idempotent).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_stubs_ext import StrOrPromise

from cxm.cases import services
from cxm.cases.models import (
    DONE_CATEGORIES,
    Case,
    CaseAttachment,
    CaseSource,
    CaseType,
    MessageKind,
)
from cxm.cases.portal_tokens import ExpiredToken, InvalidToken, customer_for_token
from cxm.channels.models import Channel, ChannelKind
from cxm.common.exceptions import ApplicationError
from cxm.common.forms import CxmForm
from cxm.common.pagination import CappedPaginator
from cxm.customers.models import Customer
from cxm.surveys.ratelimit import SubmissionLimiter, client_ip, ip_hash

LANGUAGES = ("fa", "ar", "hu", "en")
# Types the organisation opens itself; a customer does not pick them.
HIDDEN_TYPES = ("detractor_followup",)
POSTS_PER_WINDOW = 20
_NONCE = re.compile(r"^[0-9a-f]{32}$")
_R = TypeVar("_R", bound=HttpResponseBase)


@dataclass(frozen=True)
class PortalLimiter(SubmissionLimiter):
    """The survey limiter's fixed window, keyed by customer (`survey_id` holds its id)."""

    limit: int = POSTS_PER_WINDOW

    @property
    def _key(self) -> str:
        return f"cxm:portal-post:{self.survey_id}:{self.client}"


# ------------------------------------------------------------------------------ forms


class MessageForm(CxmForm):
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=services.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    nonce = forms.CharField(required=False, widget=forms.HiddenInput)


class NewCaseForm(MessageForm):
    case_type = forms.ModelChoiceField(
        label=gettext_lazy("What is it about?"), queryset=CaseType.objects.none(), empty_label=None
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)

    field_order = ["case_type", "subject", "message"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["case_type"]
        field.queryset = CaseType.objects.filter(is_active=True).exclude(code__in=HIDDEN_TYPES)
        field.label_from_instance = lambda t: t.name


class RateForm(CxmForm):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How well was your request resolved?"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ------------------------------------------------------------------------------ helpers


def _message_page(
    request: HttpRequest,
    *,
    title: StrOrPromise,
    message: StrOrPromise,
    status: int,
    language: str,
) -> HttpResponse:
    with translation.override(language):
        response = render(
            request,
            "cases/portal/message.html",
            {"title": str(title), "message": str(message), "language": language},
            status=status,
        )
    return _private(response, language)


def _private(response: _R, language: str) -> _R:
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _requested_language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in LANGUAGES else translation.get_language() or "en"


def portal_channel() -> Channel | None:
    """The channel portal messages arrive on: code `web`, else any active web channel."""
    return (
        Channel.objects.filter(code="web").first()
        or Channel.objects.filter(kind=ChannelKind.WEB, is_active=True).order_by("id").first()
    )


def _uploads(request: HttpRequest) -> list[UploadedFile]:
    return list(request.FILES.getlist("attachments"))


def _incoming(files: list[UploadedFile]) -> list[services.IncomingAttachment]:
    """Uploads as the services' attachments; call after `attachments_check` (sizes known)."""
    return [
        services.IncomingAttachment(
            name=str(f.name or "file"),
            content=f.read(),
            content_type=f.content_type or "application/octet-stream",
        )
        for f in files
    ]


def _message_id(nonce: str) -> str | None:
    return f"portal:{nonce}" if _NONCE.match(nonce or "") else None


def _new_nonce() -> str:
    return uuid.uuid4().hex


# ------------------------------------------------------------------------------ views


class _PortalView(View):
    """Resolves the token to a customer and renders in the customer's language."""

    customer: Customer
    language: str
    token: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.token = kwargs.pop("token")
        try:
            self.customer = customer_for_token(self.token)
        except ExpiredToken:
            return _message_page(
                request,
                title=gettext_lazy("Link expired"),
                message=gettext_lazy(
                    "This link has expired. Reply to our last message or contact us to get a "
                    "new one."
                ),
                status=410,
                language=_requested_language(request),
            )
        except InvalidToken:
            return _message_page(
                request,
                title=gettext_lazy("Link not valid"),
                message=gettext_lazy(
                    "This link is not valid. Please check that you copied all of it."
                ),
                status=403,
                language=_requested_language(request),
            )
        preferred = self.customer.preferred_language
        self.language = preferred if preferred in LANGUAGES else _requested_language(request)
        with translation.override(self.language):
            response = super().dispatch(request, *args, **kwargs)
        return _private(response, self.language)

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"cases_portal:{name}", args=[self.token, *args])

    def render(self, request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
        context.update(
            customer=self.customer,
            token=self.token,
            home_url=self.url("home"),
            new_url=self.url("new"),
            language=self.language,
        )
        return render(request, f"cases/portal/{template}", context, status=context.get("status"))

    def limited(self, request: HttpRequest) -> HttpResponse | None:
        """None when the post may go ahead, else the 429 page."""
        if PortalLimiter(self.customer.pk, ip_hash(client_ip(request))).hit():
            return None
        return _message_page(
            request,
            title=gettext_lazy("Too many messages"),
            message=gettext_lazy(
                "Too many messages came from your network. Please try again in a few minutes."
            ),
            status=429,
            language=self.language,
        )

    def own_case(self, pk: int) -> Case:
        """The customer's case `pk` (following merges within the customer); 404 otherwise."""
        case = (
            Case.objects.filter(pk=pk, customer=self.customer)
            .select_related("status", "type")
            .first()
        )
        if case is None:
            raise Http404
        return case


class PortalHomeView(_PortalView):
    """The customer's cases, newest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        cases = (
            Case.objects.filter(customer=self.customer, merged_into__isnull=True)
            .select_related("status", "type")
            .order_by("-id")
        )
        page = CappedPaginator(cases, 20).get_page(request.GET.get("page"))
        rows = [
            {
                "case": case,
                "url": self.url("case", case.pk),
                "status": case.status.name,
                "done": case.status_category in DONE_CATEGORIES,
            }
            for case in page.object_list
        ]
        return self.render(request, "home.html", {"rows": rows, "page_obj": page})


class PortalNewCaseView(_PortalView):
    """Open a new case: type, subject, message and attachments → case_create(source=portal)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = NewCaseForm(initial={"nonce": _new_nonce()})
        return self.render(request, "new.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        if (refused := self.limited(request)) is not None:
            return refused
        form = NewCaseForm(request.POST)
        files = _uploads(request)
        if form.is_valid():
            data = form.cleaned_data
            key = _message_id(data.get("nonce", ""))
            try:
                services.attachments_check(files)
                case = services.case_create(
                    subject=data["subject"],
                    case_type=data["case_type"],
                    customer=self.customer,
                    channel=portal_channel(),
                    language=self.language,
                    source=CaseSource.PORTAL,
                    external_id=key,
                    message=data["message"],
                    message_id=key,
                    attachments=_incoming(files),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Thank you. Your case %(ref)s was opened.") % {"ref": case.reference}
                )
                return HttpResponseRedirect(self.url("case", case.pk))
        return self.render(request, "new.html", {"form": form, "status": 400})


class PortalCaseView(_PortalView):
    """One case: its thread without internal notes, a reply form, and the rating."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.own_case(pk)
        if case.merged_into_id:
            target = Case.objects.filter(pk=case.merged_into_id, customer=self.customer).first()
            if target is not None:
                return HttpResponseRedirect(self.url("case", target.pk))
        return self.page(request, case)

    def page(
        self,
        request: HttpRequest,
        case: Case,
        *,
        reply_form: MessageForm | None = None,
        rate_form: RateForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        thread = [
            {
                "message": message,
                "files": [
                    (a.name, a.size, self.url("attachment", case.pk, a.pk))
                    for a in message.attachments.all()
                ],
            }
            for message in case.messages.filter(
                kind__in=(MessageKind.INBOUND, MessageKind.OUTBOUND)
            )
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        ]
        done = case.status_category in DONE_CATEGORIES
        context = {
            "case": case,
            "status_name": case.status.name,
            "type_name": case.type.name,
            "thread": thread,
            "reply_form": reply_form or MessageForm(initial={"nonce": _new_nonce()}),
            "reply_url": self.url("case", case.pk),
            "can_rate": done and case.resolution_rating is None,
            "rate_form": rate_form or RateForm(),
            "rate_errors": rate_form.non_field_errors() if rate_form is not None else [],
            "rate_url": self.url("rate", case.pk),
            "status": status,
        }
        return self.render(request, "case.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.own_case(pk)
        if (refused := self.limited(request)) is not None:
            return refused
        form = MessageForm(request.POST)
        files = _uploads(request)
        if not form.is_valid():
            return self.page(request, case, reply_form=form, status=400)
        try:
            services.attachments_check(files)
            target, _message = services.case_receive(
                case=case,
                body=form.cleaned_data["message"],
                channel=portal_channel(),
                external_id=_message_id(form.cleaned_data.get("nonce", "")),
                attachments=_incoming(files),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.page(request, case, reply_form=form, status=400)
        if target.pk != case.pk:
            messages.info(
                request,
                _("This case was already closed, so your message opened a new case %(ref)s.")
                % {"ref": target.reference},
            )
        else:
            messages.success(request, _("Your message was sent."))
        return HttpResponseRedirect(self.url("case", target.pk))


class PortalRateView(PortalCaseView):
    """Rate the resolution 1–5 with an optional comment (once the case is resolved)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(self.url("case", self.own_case(pk).pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.own_case(pk)
        if (refused := self.limited(request)) is not None:
            return refused
        form = RateForm(request.POST)
        if not form.is_valid():
            return self.page(request, case, rate_form=form, status=400)
        if case.resolution_rating is not None:
            form.add_error(None, _("You have already rated this case. Thank you!"))
            return self.page(request, case, rate_form=form, status=409)
        try:
            services.case_rate(
                case=case, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.page(request, case, rate_form=form, status=400)
        messages.success(request, _("Thank you for your rating."))
        return HttpResponseRedirect(self.url("case", case.pk))


class PortalAttachmentView(_PortalView):
    """Download a file of the customer's own thread (never of an internal note)."""

    def get(self, request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
        case = self.own_case(pk)
        attachment = (
            CaseAttachment.objects.filter(
                pk=attachment_pk,
                message__case=case,
                message__kind__in=(MessageKind.INBOUND, MessageKind.OUTBOUND),
            )
            .select_related("message")
            .first()
        )
        if attachment is None:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=attachment.name)
