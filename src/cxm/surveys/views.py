"""Survey builder pages: the list, a new survey, settings, questions and their order,
activate/close, and the links (personal invitation, public link, QR code, embed snippet).
Everybody signed in reads; changes need `surveys.change`."""

from typing import Any

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.common.pagination import CappedPaginator
from cxm.surveys import selectors, services
from cxm.surveys.followups import followup_rule_create, followup_rule_delete
from cxm.surveys.forms import (
    FollowUpRuleForm,
    InvitationForm,
    QuestionForm,
    SurveyCreateForm,
    SurveyForm,
)
from cxm.surveys.models import FollowUpRule, Invitation, Question, Survey, SurveyStatus


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url` (no external request, no image file)."""
    qr = segno.make(url, error="m")
    return qr.svg_inline(scale=4, dark="#14213d", title=url)


class SurveyListView(CapabilityRequiredMixin, ListView):
    template_name = "surveys/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    context_object_name = "surveys"

    def get_queryset(self) -> Any:
        return selectors.survey_list()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_edit"] = user_can(self.request.user, Capability.SURVEYS_CHANGE)
        return context


class SurveyCreateView(CapabilityRequiredMixin, FormView):
    template_name = "common/form.html"
    form_class = SurveyCreateForm
    capability = Capability.SURVEYS_CHANGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "title": _("New survey"),
            "back_url": reverse("surveys:list"),
        }

    def form_valid(self, form: SurveyCreateForm) -> HttpResponse:
        data = form.cleaned_data
        if data["template"]:
            survey = services.survey_create_from_template(
                template=data["template"],
                name=data["name"],
                languages=data["languages"],
                created_by=self.request.user,
            )
        else:
            survey = services.survey_create(
                name=data["name"], languages=data["languages"], created_by=self.request.user
            )
        messages.success(self.request, _("Survey created."))
        return HttpResponseRedirect(reverse("surveys:detail", args=[survey.pk]))


class SurveyDetailView(CapabilityRequiredMixin, TemplateView):
    """Settings, questions (with edit/move/delete), status and the survey's links."""

    template_name = "surveys/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            survey = selectors.survey_get(kwargs["pk"])
        except Survey.DoesNotExist:
            raise Http404 from None
        public_url = self.request.build_absolute_uri(
            reverse("survey_public:public", args=[survey.public_slug])
        )
        context.update(
            survey=survey,
            questions=selectors.survey_questions(survey),
            can_edit=user_can(self.request.user, Capability.SURVEYS_CHANGE),
            public_url=public_url,
            qr=mark_safe(qr_svg(public_url)),  # noqa: S308  (segno escapes the title)
            embed=(
                f'<iframe src="{escape(public_url)}" title="{escape(survey.name)}" width="100%" '
                'height="520" style="border:0" loading="lazy"></iframe>'
            ),
            invitation_form=InvitationForm(survey=survey),
            invitations=[
                (invitation, invitation_url(self.request, invitation))
                for invitation in survey.invitations.select_related("customer", "response")[:20]
            ],
            new_invitation=self.request.GET.get("invitation", ""),
            response_count=survey.responses.count(),
            statuses=SurveyStatus,
            followup_rules=survey.followup_rules.select_related("followup_survey"),
            followup_form=FollowUpRuleForm(survey=survey),
        )
        return context


class _SurveyMixin(View):
    survey: Survey

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.survey = get_object_or_404(Survey, pk=kwargs["survey_pk"])
        return super().dispatch(request, *args, **kwargs)

    def detail_url(self) -> str:
        return reverse("surveys:detail", args=[self.survey.pk])


class SurveyEditView(CapabilityRequiredMixin, _SurveyMixin, FormView):
    template_name = "common/form.html"
    form_class = SurveyForm
    capability = Capability.SURVEYS_CHANGE

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": Survey.objects.get(pk=self.survey.pk)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "title": _("Survey settings"),
            "back_url": self.detail_url(),
        }

    def form_valid(self, form: SurveyForm) -> HttpResponse:
        services.survey_update(survey=form.save(commit=False))
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.detail_url())


class SurveyStatusView(CapabilityRequiredMixin, _SurveyMixin):
    capability = Capability.SURVEYS_CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            services.survey_set_status(survey=self.survey, status=request.POST.get("status", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Status changed."))
        return HttpResponseRedirect(self.detail_url())


class QuestionFormView(CapabilityRequiredMixin, FormView):
    """Add a question (survey in the URL) or edit/delete one (`pk`)."""

    template_name = "common/form.html"
    form_class = QuestionForm
    capability = Capability.SURVEYS_CHANGE

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = get_object_or_404(Question, pk=kwargs["pk"]) if "pk" in kwargs else None
        if self.object is not None:
            self.survey = self.object.survey
        else:
            self.survey = get_object_or_404(Survey, pk=kwargs["survey_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        instance = Question.objects.get(pk=self.object.pk) if self.object else None
        return {**super().get_form_kwargs(), "instance": instance, "survey": self.survey}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "title": _("Edit question") if self.object else _("New question"),
            "object": self.object,
            "can_delete": self.object is not None,
            "back_url": reverse("surveys:detail", args=[self.survey.pk]),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "delete" in request.POST and self.object is not None:
            try:
                services.question_delete(question=self.object)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Deleted."))
            return HttpResponseRedirect(reverse("surveys:detail", args=[self.survey.pk]))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: QuestionForm) -> HttpResponse:
        services.question_save(question=form.save(commit=False))
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(reverse("surveys:detail", args=[self.survey.pk]))


class QuestionMoveView(CapabilityRequiredMixin, View):
    capability = Capability.SURVEYS_CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = get_object_or_404(Question, pk=pk)
        services.question_move(
            question=question, direction=-1 if request.POST.get("direction") == "up" else 1
        )
        return HttpResponseRedirect(reverse("surveys:detail", args=[question.survey_id]))


class InvitationCreateView(CapabilityRequiredMixin, _SurveyMixin):
    """Creates a personal invitation and shows its link (sending comes later)."""

    capability = Capability.SURVEYS_CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = InvitationForm(request.POST, survey=self.survey)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return HttpResponseRedirect(self.detail_url())
        try:
            invitation = services.invitation_create(
                survey=self.survey,
                customer=form.cleaned_data["customer_external_id"],
                language=form.cleaned_data["language"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(self.detail_url())
        return HttpResponseRedirect(f"{self.detail_url()}?invitation={invitation.pk}#links")


def invitation_url(request: HttpRequest, invitation: Invitation) -> str:
    return request.build_absolute_uri(reverse("survey_public:invitation", args=[invitation.token]))


class FollowUpRuleCreateView(CapabilityRequiredMixin, _SurveyMixin):
    """Adds a follow-up rule (an answer invites to a deeper survey)."""

    capability = Capability.SURVEYS_CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = FollowUpRuleForm(request.POST, survey=self.survey)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return HttpResponseRedirect(f"{self.detail_url()}#followups")
        try:
            followup_rule_create(
                survey=self.survey,
                question_key=form.cleaned_data["question_key"],
                condition=form.condition(),
                followup_survey=form.cleaned_data["followup_survey"],
                delay_hours=form.cleaned_data["delay_hours"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Follow-up rule added."))
        return HttpResponseRedirect(f"{self.detail_url()}#followups")


class FollowUpRuleDeleteView(CapabilityRequiredMixin, View):
    capability = Capability.SURVEYS_CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = get_object_or_404(FollowUpRule, pk=pk)
        followup_rule_delete(rule=rule)
        messages.success(request, _("Follow-up rule removed."))
        return HttpResponseRedirect(reverse("surveys:detail", args=[rule.survey_id]) + "#followups")
