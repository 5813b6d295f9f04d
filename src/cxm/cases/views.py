"""The agent's case pages: the list, one case with its thread and actions, a new case by hand,
attachments, notifications.

Everybody signed in reads; every action needs `cases.work`. Actions are plain POST forms
(htmx boosts them when it is there); each calls one service, and a refusal (ApplicationError
or a bad field) shows the case again with the message and what was typed, writing nothing.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

import nh3
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.cases import selectors, services
from cxm.cases.canned import canned_render
from cxm.cases.forms import (
    AssignForm,
    CaseCreateForm,
    CaseEditForm,
    CaseFilterForm,
    MergeForm,
    NoteForm,
    ReplyForm,
    StatusForm,
)
from cxm.cases.models import (
    ActivityKind,
    CannedReply,
    Case,
    CaseActivity,
    CaseAttachment,
    CaseSource,
    CaseStatus,
    Priority,
)
from cxm.common.exceptions import ApplicationError
from cxm.common.i18n import format_number
from cxm.common.pagination import CappedPaginator


class CaseListPaginator(CappedPaginator):
    """Counts stop at 1,000 ("1,000+"): an agent works a queue by filtering and sorting it,
    not by paging to its end, and on a table of a million cases counting further costs more
    than the page itself (a filter on a non-leading column reads the heap for every match)."""

    count_cap = 1_000

    def page(self, number: Any) -> Any:
        # Past the cap the matches may be many: LIMIT/OFFSET, never all their keys.
        if self.count_capped:
            return Paginator.page(self, number)
        return super().page(number)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def business_duration(minutes: float | None) -> str:
    """`95` → "1 h 35 min" of business time, digits in the user's style; negative → overdue."""
    if minutes is None:
        return ""
    total = round(abs(minutes))
    hours, mins = divmod(total, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": format_number(hours)})
    if mins or not hours:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", mins) % {"n": format_number(mins)})
    text = " ".join(parts)
    if minutes < 0:
        return _("overdue by %(t)s") % {"t": text}
    return _("%(t)s left") % {"t": text}


class CaseListView(CapabilityRequiredMixin, ListView):
    template_name = "cases/list.html"
    paginate_by = 50
    paginator_class = CaseListPaginator

    def get_queryset(self) -> Any:
        self.filter_form = CaseFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        self.now = timezone.now()
        return selectors.case_list(user=self.request.user, filters=filters, now=self.now)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            rows=[(c, selectors.sla_badge(c, now=self.now)) for c in context["object_list"]],
            filter_form=self.filter_form,
            show_contacts=user_can(self.request.user, Capability.CUSTOMERS_VIEW_CONTACTS),
            can_work=user_can(self.request.user, Capability.CASES_WORK),
            now=self.now,
        )
        return context


def _optional_url(name: str, *args: Any) -> str:
    """The URL of a page another part of the product may or may not provide yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _message_html(body_html: str) -> SafeString:
    """Sanitised again at display (nh3), whatever stored it."""
    return mark_safe(nh3.clean(body_html))  # noqa: S308 (nh3 output)


def _activity_text(
    activity: CaseActivity, *, users: dict[int, Any], statuses: dict[str, str]
) -> str:
    data: dict[str, Any] = activity.data or {}
    kind = activity.kind
    if kind == ActivityKind.CREATED:
        source = str(data.get("source") or "")
        label = dict(CaseSource.choices).get(source, source)
        return _("Case opened (%(source)s)") % {"source": label} if label else _("Case opened")
    if kind == ActivityKind.STATUS:
        return _("Status: %(old)s → %(new)s") % {
            "old": statuses.get(str(data.get("from")), data.get("from") or "—"),
            "new": statuses.get(str(data.get("to")), data.get("to") or "—"),
        }
    if kind == ActivityKind.ASSIGNED:
        to = data.get("to")
        user = users.get(to) if isinstance(to, int) else None
        if user is None:
            return _("Returned to the team queue")
        return _("Assigned to %(name)s") % {"name": user.display_name}
    if kind == ActivityKind.PRIORITY:
        names = dict(Priority.choices)
        old, new = str(data.get("from") or ""), str(data.get("to") or "")
        return _("Priority: %(old)s → %(new)s") % {
            "old": names.get(old, old),
            "new": names.get(new, new),
        }
    if kind == ActivityKind.MERGED:
        return _("Case #%(id)s was merged into this case") % {"id": data.get("from")}
    if kind in (ActivityKind.SLA_BREACH, ActivityKind.SLA_WARNING):
        target = _("first response") if activity.key == "response" else _("resolution")
        return f"{activity.get_kind_display()}: {target}"
    if kind == ActivityKind.ESCALATED and activity.key:
        return _("Escalated (%(level)s)") % {"level": activity.key}
    if kind == ActivityKind.RATED:
        return _("Rated %(n)s of 5 by the customer") % {"n": format_number(data.get("rating"))}
    return str(activity.get_kind_display())


class CaseContext:
    """What the case page shows; the action views reuse it to show a refused form again."""

    def __init__(self, request: HttpRequest, case: Case):
        self.request = request
        self.case = case

    @cached_property
    def can_work(self) -> bool:
        return user_can(self.request.user, Capability.CASES_WORK)

    def build(self, forms: dict[str, Any] | None = None) -> dict[str, Any]:
        case, request = self.case, self.request
        now = timezone.now()
        thread = selectors.case_thread(case)
        for message in thread:
            message.safe_html = _message_html(message.body_html) if message.body_html else ""  # type: ignore[attr-defined]
        history = selectors.case_history(case)
        ids: set[int] = set()
        for activity in history:
            if activity.kind == ActivityKind.ASSIGNED:
                ids |= {v for v in (activity.data or {}).values() if isinstance(v, int)}
        users = selectors.users_by_id(ids)
        statuses = {s.code: s.name for s in CaseStatus.objects.all()}
        events = [(a, _activity_text(a, users=users, statuses=statuses)) for a in history]
        timers = [
            (timer, business_duration(timer.remaining_minutes))
            for timer in selectors.sla_timers(case, now=now)
        ]
        context: dict[str, Any] = {
            "case": case,
            "now": now,
            "badge": selectors.sla_badge(case, now=now),
            "timers": timers,
            "thread": thread,
            "events": events,
            "relations": selectors.case_relations(case),
            "show_contacts": user_can(request.user, Capability.CUSTOMERS_VIEW_CONTACTS),
            "can_work": self.can_work,
            "customer_url": (
                reverse("customers:detail", args=[case.customer_id]) if case.customer_id else ""
            ),
            "response_url": (
                _optional_url("analytics:survey-responses", case.source_response.survey_id)
                if case.source_response is not None
                else ""
            ),
            "capa_url": (
                _optional_url("cases:cases_capa:detail", case.capa_id) if case.capa_id else ""
            ),
        }
        if self.can_work:
            initial_body = ""
            canned_id = selectors.case_reference_id(request.GET.get("canned"))
            if canned_id:
                reply = CannedReply.objects.filter(pk=canned_id, is_active=True).first()
                if reply is not None:
                    initial_body = canned_render(reply, case=case, agent=request.user)
            context.update(
                canned=selectors.canned_replies(),
                reply_form=ReplyForm(prefix="reply", initial={"body": initial_body}),
                note_form=NoteForm(prefix="note"),
                status_form=StatusForm(prefix="status", initial={"status": case.status_id}),
                assign_form=AssignForm(prefix="assign", initial={"assignee": case.assignee_id}),
                edit_form=CaseEditForm(prefix="edit", case=case),
                merge_form=MergeForm(prefix="merge"),
            )
            context.update(forms or {})
        return context


def _case_or_404(pk: int) -> Case:
    try:
        return selectors.case_get(pk)
    except Case.DoesNotExist:
        raise Http404 from None


class CaseDetailView(CapabilityRequiredMixin, View):
    template_name = "cases/detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_or_404(pk)
        return render(request, self.template_name, CaseContext(request, case).build())


class CaseActionView(CapabilityRequiredMixin, View, metaclass=ABCMeta):
    """POST one form about one case; `act` calls the service and returns the success text."""

    capability = Capability.CASES_WORK
    http_method_names = ["post"]
    form_class: type[Any]
    form_name = ""  # the form's name in the page context and its prefix
    anchor = ""

    def get_form(self, case: Case) -> Any:
        return self.form_class(self.request.POST, self.request.FILES, prefix=self.form_name)

    @abstractmethod
    def act(self, case: Case, form: Any) -> tuple[str, Case]:
        """Call the service; return the success message and the case to show next."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_or_404(pk)
        form = self.get_form(case)
        if not form.is_valid():
            return self.refused(case, form, _("Nothing was saved: check the fields marked below."))
        try:
            text, target = self.act(case, form)
        except ApplicationError as error:
            return self.refused(case, form, error.message)
        messages.success(request, text)
        url = reverse("cases:detail", args=[target.pk])
        return HttpResponseRedirect(f"{url}#{self.anchor}" if self.anchor else url)

    def refused(self, case: Case, form: Any, text: str) -> HttpResponse:
        """The case page again, with the message and the form as it was filled in."""
        messages.error(self.request, text)
        context = CaseContext(self.request, case).build({f"{self.form_name}_form": form})
        status = 200 if _is_htmx(self.request) else 400
        return render(self.request, "cases/detail.html", context, status=status)


class CaseReplyView(CaseActionView):
    form_class = ReplyForm
    form_name = "reply"
    anchor = "thread"

    def act(self, case: Case, form: Any) -> tuple[str, Case]:
        then = form.cleaned_data.get("then") or ""
        status = services.default_status(then) if then else None
        services.case_reply(
            case=case,
            author=self.request.user,
            body=form.cleaned_data.get("body") or "",
            status=status,
            attachments=form.cleaned_data.get("attachments") or [],
        )
        if status is not None:
            return _("Reply sent; the case is now %(status)s.") % {"status": status.name}, case
        return _("Reply sent."), case


class CaseNoteView(CaseActionView):
    form_class = NoteForm
    form_name = "note"
    anchor = "thread"

    def act(self, case: Case, form: Any) -> tuple[str, Case]:
        services.case_note(
            case=case,
            author=self.request.user,
            body=form.cleaned_data.get("body") or "",
            attachments=form.cleaned_data.get("attachments") or [],
        )
        return _("Note added."), case


class CaseStatusView(CaseActionView):
    form_class = StatusForm
    form_name = "status"

    def act(self, case: Case, form: Any) -> tuple[str, Case]:
        status = form.cleaned_data["status"]
        services.case_set_status(case=case, status=status, actor=self.request.user)
        return _("Status changed to %(status)s.") % {"status": status.name}, case


class CaseAssignView(CaseActionView):
    form_class = AssignForm
    form_name = "assign"

    def act(self, case: Case, form: Any) -> tuple[str, Case]:
        data = form.cleaned_data
        assignee: Any = self.request.user if data.get("to_me") else data.get("assignee")
        services.case_assign(
            case=case, assignee=assignee, team=data.get("team"), actor=self.request.user
        )
        if assignee is None:
            return _("The case is back in the team queue."), case
        return _("Assigned to %(name)s.") % {"name": assignee.display_name}, case


class CaseEditView(CaseActionView):
    form_class = CaseEditForm
    form_name = "edit"

    def get_form(self, case: Case) -> Any:
        return CaseEditForm(self.request.POST, prefix=self.form_name, case=case)

    def act(self, case: Case, form: Any) -> tuple[str, Case]:
        changes = form.changes()
        if not changes:
            return _("Nothing changed."), case
        services.case_update(case=case, actor=self.request.user, **changes)
        return _("Saved."), case


class CaseMergeView(CaseActionView):
    form_class = MergeForm
    form_name = "merge"

    def act(self, case: Case, form: Any) -> tuple[str, Case]:
        target = form.cleaned_data["target"]
        merged = services.case_merge(source=case, target=target, actor=self.request.user)
        return (
            _("Case %(ref)s was merged into %(into)s.")
            % {"ref": case.reference, "into": merged.reference},
            merged,
        )


class CannedReplyView(CapabilityRequiredMixin, View):
    """GET: the reply box filled with a canned reply for this case (htmx swaps it in)."""

    capability = Capability.CASES_WORK

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_or_404(pk)
        reply = get_object_or_404(
            CannedReply, pk=selectors.case_reference_id(request.GET.get("canned")) or 0
        )
        form = ReplyForm(
            prefix="reply", initial={"body": canned_render(reply, case=case, agent=request.user)}
        )
        return render(request, "cases/_reply_body.html", {"reply_form": form})


class AttachmentDownloadView(CapabilityRequiredMixin, View):
    """Serves an attachment to signed-in users, always as a download (never shown inline)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        attachment = get_object_or_404(CaseAttachment, pk=pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CaseCreateView(CapabilityRequiredMixin, FormView):
    """A case opened by hand (phone call, walk-in): case_create(source=manual)."""

    capability = Capability.CASES_WORK
    template_name = "cases/new.html"
    form_class = CaseCreateForm

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        customer = selectors.case_reference_id(self.request.GET.get("customer"))
        if customer:
            initial["customer"] = customer
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from cxm.customers.models import Customer
        from cxm.customers.selectors import customer_list

        context = super().get_context_data(**kwargs)
        query = (self.request.GET.get("customer_q") or "").strip()
        matches = list(customer_list(filters={"q": query})[:10]) if query else []
        chosen_id = selectors.case_reference_id(
            self.request.POST.get("customer") or self.request.GET.get("customer")
        )
        context.update(
            customer_q=query,
            customer_matches=matches,
            chosen_customer=Customer.objects.filter(pk=chosen_id).first() if chosen_id else None,
            show_contacts=user_can(self.request.user, Capability.CUSTOMERS_VIEW_CONTACTS),
        )
        return context

    def form_valid(self, form: CaseCreateForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            case = services.case_create(
                subject=data["subject"],
                description=data.get("description") or "",
                case_type=data["type"],
                customer=data.get("customer"),
                channel=data.get("channel"),
                topic=data.get("topic"),
                priority=data.get("priority") or None,
                team=data.get("team"),
                assignee=data.get("assignee"),
                source=CaseSource.MANUAL,
                actor=self.request.user,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Case %(ref)s opened.") % {"ref": case.reference})
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


class NotificationListView(CapabilityRequiredMixin, ListView):
    template_name = "cases/notifications.html"
    paginate_by = 30
    paginator_class = CappedPaginator
    context_object_name = "notifications"

    def get_queryset(self) -> Any:
        return selectors.notification_list(user=self.request.user)


class NotificationReadView(CapabilityRequiredMixin, View):
    """POST `notification=<id>` marks one read; without it, all of the user's."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        pk = selectors.case_reference_id(request.POST.get("notification"))
        if request.POST.get("notification") and pk is None:
            messages.error(request, _("Unknown notification."))
            return HttpResponseRedirect(reverse("cases:notifications"))
        count = services.notifications_mark_read(
            user=request.user, ids=[pk] if pk is not None else None
        )
        if pk is None:
            messages.success(
                request,
                ngettext(
                    "%(n)s notification marked as read.",
                    "%(n)s notifications marked as read.",
                    count,
                )
                % {"n": format_number(count)},
            )
        next_url = request.POST.get("next") or ""
        if next_url.startswith("/") and not next_url.startswith("//"):
            return HttpResponseRedirect(next_url)
        return HttpResponseRedirect(reverse("cases:notifications"))
