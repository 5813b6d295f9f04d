"""CAPA pages under /cases/capa/: list (overdue highlighted), create/edit, detail with the
linked cases and pain points and the verification of effectiveness. Everybody signed in
reads; changes need `capa.change`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from cxm.accounts.models import User
from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.cases import capa_services, reports
from cxm.cases.models import Capa, CapaStatus, Case, CaseTopic, RootCause
from cxm.common.exceptions import ApplicationError
from cxm.common.forms import CxmForm, CxmModelForm
from cxm.common.pagination import CappedPaginator
from cxm.journeys.models import PainPoint

MAX_WINDOW_DAYS = 730


class CapaForm(CxmModelForm):
    class Meta:
        model = Capa
        fields = [*capa_services.FIELDS, "pain_points"]
        widgets = {
            "problem_statement": forms.Textarea(attrs={"rows": 3}),
            "analysis": forms.Textarea(attrs={"rows": 6}),
            "corrective_action": forms.Textarea(attrs={"rows": 3}),
            "preventive_action": forms.Textarea(attrs={"rows": 3}),
            "verification_notes": forms.Textarea(attrs={"rows": 3}),
            "pain_points": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "analysis": gettext_lazy(
                "Why did it happen? Ask why five times; or list the causes by fishbone "
                "category (people, process, product, place, policy, partners)."
            ),
            "implemented_on": gettext_lazy(
                "The effectiveness check compares the complaint rate before and after this day."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["topic"].queryset = CaseTopic.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.topic_id)
        )
        fields["root_cause"].queryset = RootCause.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.root_cause_id)
        )
        fields["owner"].queryset = User.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.owner_id)
        ).order_by("username")
        fields["owner"].label_from_instance = lambda u: u.display_name
        fields["pain_points"].queryset = PainPoint.objects.select_related(
            "touchpoint__stage__journey"
        ).order_by("touchpoint__stage__journey__name", "touchpoint__name", "title")
        fields["pain_points"].label_from_instance = lambda p: (
            f"{p.touchpoint.stage.journey.name} › {p.touchpoint.name} › {p.title}"
        )
        fields["pain_points"].required = False


class LinkCasesForm(CxmForm):
    numbers = forms.CharField(
        label=gettext_lazy("Case numbers"),
        max_length=5000,
        help_text=gettext_lazy("For example: 12, 15, #20"),
    )


def _overdue(capa: Capa, today: Any) -> bool:
    return bool(capa.due_on and capa.due_on < today and capa.status != CapaStatus.CLOSED)


class CapaListView(CapabilityRequiredMixin, ListView):
    template_name = "cases/capa/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    context_object_name = "capas"

    def get_queryset(self) -> Any:
        qs = (
            Capa.objects.select_related("topic", "owner", "root_cause")
            .annotate(case_count=Count("cases"))
            .order_by("-id")
        )
        status = self.request.GET.get("status", "")
        if status == "active":
            qs = qs.exclude(status=CapaStatus.CLOSED)
        elif status == "overdue":
            qs = qs.exclude(status=CapaStatus.CLOSED).filter(due_on__lt=timezone.localdate())
        elif status in CapaStatus.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            rows=[(c, _overdue(c, today)) for c in context["capas"]],
            statuses=CapaStatus.choices,
            status=self.request.GET.get("status", ""),
            can_edit=user_can(self.request.user, Capability.CAPA_CHANGE),
        )
        return context


class CapaFormView(CapabilityRequiredMixin, FormView):
    template_name = "common/form.html"
    form_class = CapaForm
    capability = Capability.CAPA_CHANGE
    object: Capa | None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.object = get_object_or_404(Capa, pk=kwargs["pk"]) if "pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        # The form validates a copy; the service writes.
        copy = Capa.objects.get(pk=self.object.pk) if self.object is not None else None
        return {**super().get_form_kwargs(), "instance": copy}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Edit CAPA") if self.object else _("New CAPA"),
            object=self.object,
            can_delete=False,
            back_url=(
                reverse("cases:cases_capa:detail", args=[self.object.pk])
                if self.object
                else reverse("cases:cases_capa:list")
            ),
        )
        return context

    def form_valid(self, form: CapaForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        pain_points = data.pop("pain_points", [])
        try:
            if self.object is None:
                capa = capa_services.capa_create(pain_points=pain_points, **data)
            else:
                capa = capa_services.capa_update(capa=self.object, pain_points=pain_points, **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(reverse("cases:cases_capa:detail", args=[capa.pk]))


class CapaDetailView(CapabilityRequiredMixin, TemplateView):
    template_name = "cases/capa/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        capa = (
            Capa.objects.select_related("topic", "root_cause", "owner")
            .filter(pk=kwargs["pk"])
            .first()
        )
        if capa is None:
            raise Http404
        try:
            window = int(self.request.GET.get("window") or reports.capa_window_days())
        except ValueError:
            window = reports.capa_window_days()
        window = max(1, min(window, MAX_WINDOW_DAYS))
        cases = Case.objects.filter(capa=capa).select_related("status", "type").order_by("-id")
        page = CappedPaginator(cases, 50).get_page(self.request.GET.get("page"))
        today = timezone.localdate()
        context.update(
            capa=capa,
            overdue=_overdue(capa, today),
            cases=page.object_list,
            page_obj=page,
            pain_points=capa.pain_points.select_related("touchpoint__stage__journey"),
            effectiveness=reports.capa_effectiveness(capa, window_days=window, today=today),
            window=window,
            link_form=LinkCasesForm(),
            can_edit=user_can(self.request.user, Capability.CAPA_CHANGE),
        )
        return context


class CapaLinkCasesView(CapabilityRequiredMixin, View):
    """POST numbers → link those cases; POST unlink=<n> → unlink one."""

    capability = Capability.CAPA_CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        capa = get_object_or_404(Capa, pk=pk)
        back = reverse("cases:cases_capa:detail", args=[capa.pk])
        try:
            if "unlink" in request.POST:
                numbers = capa_services.parse_case_numbers(request.POST["unlink"])
                if len(numbers) != 1:
                    raise ApplicationError(_("Enter one case number."))
                capa_services.capa_unlink_case(capa=capa, case_number=numbers[0])
                messages.success(request, _("Case #%(n)s unlinked.") % {"n": numbers[0]})
                return HttpResponseRedirect(back)
            form = LinkCasesForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Enter at least one case number."))
            numbers = capa_services.parse_case_numbers(form.cleaned_data["numbers"])
            count = capa_services.capa_link_cases(capa=capa, numbers=numbers)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(back)
        messages.success(request, _("%(n)s cases linked.") % {"n": count})
        return HttpResponseRedirect(back)
