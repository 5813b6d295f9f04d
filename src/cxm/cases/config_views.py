"""Case settings pages under /cases/settings/: case types, statuses, topics, root causes,
routing rules (with a "test a case" helper), team assignment and agent profiles, feedback
rules, SLA policies and canned replies.

Everybody signed in reads them; changes need `cases.manage` (SLA policies: `sla.change`;
root causes: `capa.change` or `cases.manage`). Writes go through
`cxm.cases.config_services`, which the API shares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from cxm.accounts.models import Team, User
from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.cases import config_services as services
from cxm.cases.config_forms import (
    AgentProfileForm,
    CannedReplyForm,
    CaseStatusForm,
    CaseTopicForm,
    CaseTypeForm,
    FeedbackRuleForm,
    RootCauseForm,
    RoutingRuleForm,
    RoutingTrialForm,
    SlaPolicyForm,
    TeamRoutingForm,
    apply_service_error,
    language_choices,
)
from cxm.cases.models import (
    AssignmentStrategy,
    CannedReply,
    CaseStatus,
    CaseTopic,
    CaseType,
    FeedbackRule,
    Priority,
    RootCause,
    RoutingRule,
    SlaPolicy,
    TeamRouting,
)
from cxm.common.crud import CatalogueFormView, CatalogueListView
from cxm.common.exceptions import ApplicationError
from cxm.common.pagination import CappedPaginator

NS = "cases:cases_config"


def url(name: str, *args: Any) -> str:
    return reverse(f"{NS}:{name}", args=args or None)


def root_cause_capability(user: Any) -> str:
    """Root causes are changed by CAPA owners or case managers."""
    return (
        Capability.CAPA_CHANGE
        if user_can(user, Capability.CAPA_CHANGE)
        else (Capability.CASES_MANAGE)
    )


# --- the index -----------------------------------------------------------------------------


class SettingsIndexView(CapabilityRequiredMixin, TemplateView):
    template_name = "cases/settings/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sections"] = [
            (url("types"), _("Case types"), CaseType.objects.count(),
             _("Complaint, return, inquiry …: default priority, team and survey.")),
            (url("statuses"), _("Statuses"), CaseStatus.objects.count(),
             _("Editable statuses in fixed categories; the SLA pause and the defaults.")),
            (url("topics"), _("Topics"), CaseTopic.objects.count(),
             _("What a case is about; rules and skills route on it.")),
            (url("root-causes"), _("Root causes"), RootCause.objects.count(),
             _("Root-cause codes set on cases (ISO 10002).")),
            (url("routing-rules"), _("Routing rules"), RoutingRule.objects.count(),
             _("Which team gets a new case; test a case against them.")),
            (url("teams"), _("Teams and agents"), Team.objects.count(),
             _("Assignment inside each team; agents' capacity, skills and languages.")),
            (url("feedback-rules"), _("Feedback rules"), FeedbackRule.objects.count(),
             _("Survey answers that open a case (close the loop).")),
            (url("sla-policies"), _("SLA policies"), SlaPolicy.objects.count(),
             _("Targets per priority in business time, warnings and escalations.")),
            (url("canned-replies"), _("Canned replies"), CannedReply.objects.count(),
             _("Reply templates in four languages with variables.")),
        ]  # fmt: skip
        return context


# --- generic catalogue pages on top of cxm.common.crud -----------------------------------


class ConfigListView(CatalogueListView):
    """A catalogue list whose rows link to edit pages of the `cases_config` namespace."""

    edit_capability = Capability.CASES_MANAGE


class ConfigFormView(CatalogueFormView):
    """Create (no pk) or edit (pk) through the services; their refusals show on the form."""

    template_name = "cases/settings/form.html"
    capability = Capability.CASES_MANAGE
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    object_kwarg = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.object is None:
            context["title"] = _("New: %(what)s") % {"what": self.title}
        else:
            context["title"] = f"{self.title}: {self.object}"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "delete" in request.POST and self.object is not None:
            try:
                type(self).delete(**{self.object_kwarg: self.object})
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return HttpResponseRedirect(request.path)
            messages.success(request, _("Deleted."))
            return HttpResponseRedirect(reverse(self.success_url_name))
        return super(CatalogueFormView, self).post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.save_form(form)
        except ApplicationError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(reverse(self.success_url_name))

    def save_form(self, form: Any) -> Any:
        data = form.service_data()
        if self.object is None:
            return type(self).create(**data)
        return type(self).update(**{self.object_kwarg: self.object, "data": data})


# Case types


class CaseTypeListView(ConfigListView):
    model = CaseType
    title = gettext_lazy("Case types")
    columns = [
        ("position", gettext_lazy("Order")),
        ("code", gettext_lazy("Code")),
        ("name", gettext_lazy("Name")),
        ("get_default_priority_display", gettext_lazy("Default priority")),
        ("default_team", gettext_lazy("Default team")),
        ("followup_survey", gettext_lazy("Survey after resolution")),
        ("is_active", gettext_lazy("Active")),
    ]
    create_url_name = f"{NS}:type-create"
    edit_url_name = f"{NS}:type-edit"

    def get_queryset(self) -> Any:
        return CaseType.objects.select_related("default_team", "followup_survey")


class CaseTypeFormView(ConfigFormView):
    model = CaseType
    form_class = CaseTypeForm
    title = gettext_lazy("Case type")
    success_url_name = f"{NS}:types"
    create = staticmethod(services.case_type_create)
    update = staticmethod(services.case_type_update)
    delete = staticmethod(services.case_type_delete)
    object_kwarg = "case_type"


# Statuses


class CaseStatusListView(ConfigListView):
    model = CaseStatus
    title = gettext_lazy("Statuses")
    columns = [
        ("position", gettext_lazy("Order")),
        ("code", gettext_lazy("Code")),
        ("name", gettext_lazy("Name")),
        ("get_category_display", gettext_lazy("Category")),
        ("pauses_sla", gettext_lazy("Pauses the SLA clock")),
        ("is_default", gettext_lazy("Default of its category")),
    ]
    create_url_name = f"{NS}:status-create"
    edit_url_name = f"{NS}:status-edit"


class CaseStatusFormView(ConfigFormView):
    model = CaseStatus
    form_class = CaseStatusForm
    title = gettext_lazy("Status")
    success_url_name = f"{NS}:statuses"
    create = staticmethod(services.case_status_create)
    update = staticmethod(services.case_status_update)
    delete = staticmethod(services.case_status_delete)
    object_kwarg = "status"


# Topics and root causes


class CaseTopicListView(ConfigListView):
    model = CaseTopic
    title = gettext_lazy("Topics")
    columns = [
        ("code", gettext_lazy("Code")),
        ("name", gettext_lazy("Name")),
        ("is_active", gettext_lazy("Active")),
    ]
    create_url_name = f"{NS}:topic-create"
    edit_url_name = f"{NS}:topic-edit"


class CaseTopicFormView(ConfigFormView):
    model = CaseTopic
    form_class = CaseTopicForm
    title = gettext_lazy("Topic")
    success_url_name = f"{NS}:topics"
    create = staticmethod(services.case_topic_create)
    update = staticmethod(services.case_topic_update)
    delete = staticmethod(services.case_topic_delete)
    object_kwarg = "topic"


class RootCauseListView(ConfigListView):
    model = RootCause
    title = gettext_lazy("Root causes")
    columns = CaseTopicListView.columns
    create_url_name = f"{NS}:root-cause-create"
    edit_url_name = f"{NS}:root-cause-edit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.edit_capability = root_cause_capability(self.request.user)
        return super().get_context_data(**kwargs)


class RootCauseFormView(ConfigFormView):
    model = RootCause
    form_class = RootCauseForm
    title = gettext_lazy("Root cause")
    success_url_name = f"{NS}:root-causes"
    create = staticmethod(services.root_cause_create)
    update = staticmethod(services.root_cause_update)
    delete = staticmethod(services.root_cause_delete)
    object_kwarg = "root_cause"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.capability = root_cause_capability(request.user)
        return super().dispatch(request, *args, **kwargs)


# Routing rules


def _names(items: Any) -> str:
    return ", ".join(str(item) for item in items)


class RoutingRuleListView(CapabilityRequiredMixin, ListView):
    """The rules in order (first match wins), move up/down, and the "test a case" helper
    (GET parameters; nothing is written)."""

    template_name = "cases/settings/routing_rules.html"
    paginate_by = 100
    paginator_class = CappedPaginator
    context_object_name = "rules"

    def get_queryset(self) -> Any:
        return RoutingRule.objects.select_related("team").prefetch_related(
            "case_types", "channels", "topics"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tiers = dict(services.ClubTier.choices)
        languages = dict(language_choices())
        priorities = dict(Priority.choices)
        rows = []
        for rule in context["rules"]:
            conditions = [
                (_("Case types"), _names(rule.case_types.all())),
                (_("Channels"), _names(rule.channels.all())),
                (_("Topics"), _names(rule.topics.all())),
                (_("Intents"), ", ".join(rule.intents or [])),
                (_("Customer tiers"), ", ".join(str(tiers.get(t, t)) for t in rule.tiers or [])),
                (_("Languages"), ", ".join(str(languages.get(c, c)) for c in rule.languages or [])),
            ]
            rows.append(
                {
                    "rule": rule,
                    "conditions": [(label, text) for label, text in conditions if text],
                    "priority": priorities.get(rule.set_priority, ""),
                }
            )
        trial_form = RoutingTrialForm(self.request.GET if "case_type" in self.request.GET else None)
        trial = None
        if trial_form.is_bound and trial_form.is_valid():
            trial = services.routing_try(**trial_form.cleaned_data)
        context.update(
            rows=rows,
            can_edit=user_can(self.request.user, Capability.CASES_MANAGE),
            trial_form=trial_form,
            trial=trial,
            trial_priority=priorities.get(trial.priority, "") if trial else "",
        )
        return context


class RoutingRuleFormView(ConfigFormView):
    model = RoutingRule
    form_class = RoutingRuleForm
    title = gettext_lazy("Routing rule")
    success_url_name = f"{NS}:routing-rules"
    create = staticmethod(services.routing_rule_create)
    update = staticmethod(services.routing_rule_update)
    delete = staticmethod(services.routing_rule_delete)
    object_kwarg = "rule"


class RoutingRuleMoveView(CapabilityRequiredMixin, View):
    capability = Capability.CASES_MANAGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = get_object_or_404(RoutingRule, pk=pk)
        services.routing_rule_move(rule=rule, up=request.POST.get("direction") == "up")
        return HttpResponseRedirect(f"{url('routing-rules')}#rule-{rule.pk}")


# Teams and agents


class TeamListView(CapabilityRequiredMixin, ListView):
    template_name = "cases/settings/teams.html"
    paginate_by = 100
    paginator_class = CappedPaginator
    context_object_name = "teams"

    def get_queryset(self) -> Any:
        return (
            Team.objects.select_related("unit", "lead", "routing")
            .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
            .order_by("unit__name", "name")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        labels = dict(AssignmentStrategy.choices)
        for team in context["teams"]:
            routing = getattr(team, "routing", None)
            team.strategy_label = labels[
                routing.strategy if routing else AssignmentStrategy.LEAST_LOADED
            ]
        return context


class TeamRoutingView(CapabilityRequiredMixin, TemplateView):
    """One team: its assignment strategy and its agents with their open cases, each agent's
    profile editable in place (POST with `agent=<user id>`)."""

    template_name = "cases/settings/team.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.team = get_object_or_404(Team.objects.select_related("unit", "lead"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        can_edit = user_can(self.request.user, Capability.CASES_MANAGE)
        routing = TeamRouting.objects.filter(team=self.team).first()
        strategy = routing.strategy if routing else AssignmentStrategy.LEAST_LOADED
        bound: dict[int, AgentProfileForm] = kwargs.get("bound_agents", {})
        language_names = dict(language_choices())
        agents = []
        for agent in services.team_agents(self.team):
            profile = agent.agent_profile
            form = None
            if can_edit:
                form = bound.get(agent.pk) or AgentProfileForm(
                    prefix=f"agent-{agent.pk}", initial=AgentProfileForm.initial_for(profile)
                )
            languages = ", ".join(
                str(language_names.get(c, c)) for c in (profile.languages if profile else [])
            )
            agents.append({"user": agent, "profile": profile, "form": form, "languages": languages})
        context.update(
            team=self.team,
            can_edit=can_edit,
            strategy_label=dict(AssignmentStrategy.choices)[strategy],
            strategy_form=kwargs.get("strategy_form")
            or TeamRoutingForm(initial={"strategy": strategy}),
            agents=agents,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_can(request.user, Capability.CASES_MANAGE):
            self.raise_exception = True
            return self.handle_no_permission()
        here = url("team", self.team.pk)
        if "agent" in request.POST:
            agent = get_object_or_404(User, pk=request.POST["agent"], team=self.team)
            form = AgentProfileForm(request.POST, prefix=f"agent-{agent.pk}")
            if form.is_valid():
                try:
                    services.agent_profile_update(user=agent, data=form.cleaned_data)
                except ApplicationError as exc:
                    apply_service_error(form, exc)
            if form.errors:
                context = self.get_context_data(bound_agents={agent.pk: form})
                return self.render_to_response(context)
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(f"{here}#agent-{agent.pk}")
        strategy_form = TeamRoutingForm(request.POST)
        if strategy_form.is_valid():
            services.team_routing_set(
                team=self.team, strategy=strategy_form.cleaned_data["strategy"]
            )
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(here)
        return self.render_to_response(self.get_context_data(strategy_form=strategy_form))


# Feedback rules


class FeedbackRuleListView(ConfigListView):
    model = FeedbackRule
    title = gettext_lazy("Feedback rules")
    columns = [
        ("position", gettext_lazy("Order")),
        ("name", gettext_lazy("Name")),
        ("survey", gettext_lazy("Survey")),
        ("get_metric_display", gettext_lazy("Answer")),
        ("get_comparison_display", gettext_lazy("Comparison")),
        ("threshold", gettext_lazy("Threshold")),
        ("case_type", gettext_lazy("Case type")),
        ("get_priority_display", gettext_lazy("Priority")),
        ("team", gettext_lazy("Team")),
        ("is_active", gettext_lazy("Active")),
    ]
    create_url_name = f"{NS}:feedback-rule-create"
    edit_url_name = f"{NS}:feedback-rule-edit"

    def get_queryset(self) -> Any:
        return FeedbackRule.objects.select_related("survey", "case_type", "team")


class FeedbackRuleFormView(ConfigFormView):
    model = FeedbackRule
    form_class = FeedbackRuleForm
    title = gettext_lazy("Feedback rule")
    success_url_name = f"{NS}:feedback-rules"
    create = staticmethod(services.feedback_rule_create)
    update = staticmethod(services.feedback_rule_update)
    delete = staticmethod(services.feedback_rule_delete)
    object_kwarg = "rule"


# SLA policies


class SlaPolicyListView(CapabilityRequiredMixin, ListView):
    template_name = "cases/settings/sla_policies.html"
    paginate_by = 100
    paginator_class = CappedPaginator
    context_object_name = "policies"

    def get_queryset(self) -> Any:
        return SlaPolicy.objects.select_related("calendar").prefetch_related(
            "channels", "case_types"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tiers = dict(services.ClubTier.choices)
        priorities = dict(Priority.choices)
        rows = []
        for policy in context["policies"]:
            conditions = [
                (_("Channels"), _names(policy.channels.all())),
                (_("Case types"), _names(policy.case_types.all())),
                (_("Priorities"), ", ".join(str(priorities.get(p, p)) for p in policy.priorities)),
                (_("Customer tiers"), ", ".join(str(tiers.get(t, t)) for t in policy.tiers)),
            ]
            targets = [
                (
                    label,
                    services.format_duration(policy.target_minutes(p, "first_response")),
                    services.format_duration(policy.target_minutes(p, "resolution")),
                )
                for p, label in Priority.choices
            ]
            rows.append(
                {
                    "policy": policy,
                    "conditions": [(label, text) for label, text in conditions if text],
                    "targets": targets,
                }
            )
        context.update(rows=rows, can_edit=user_can(self.request.user, Capability.SLA_CHANGE))
        return context


class SlaPolicyFormView(ConfigFormView):
    model = SlaPolicy
    form_class = SlaPolicyForm
    template_name = "cases/settings/sla_policy_form.html"
    title = gettext_lazy("SLA policy")
    capability = Capability.SLA_CHANGE
    success_url_name = f"{NS}:sla-policies"
    create = staticmethod(services.sla_policy_create)
    update = staticmethod(services.sla_policy_update)
    delete = staticmethod(services.sla_policy_delete)
    object_kwarg = "policy"


# Canned replies


class CannedReplyListView(ConfigListView):
    model = CannedReply
    title = gettext_lazy("Canned replies")
    columns = [
        ("title", gettext_lazy("Title")),
        ("languages_text", gettext_lazy("Languages")),
        ("is_active", gettext_lazy("Active")),
    ]
    create_url_name = f"{NS}:canned-reply-create"
    edit_url_name = f"{NS}:canned-reply-edit"

    def get_queryset(self) -> Any:
        names = dict(language_choices())
        replies = list(CannedReply.objects.all())
        for reply in replies:
            reply.languages_text = ", ".join(  # type: ignore[attr-defined]
                str(names.get(code, code)) for code in services.LANGUAGES if code in reply.texts
            )
        return replies


class CannedReplyFormView(ConfigFormView):
    """Edit a canned reply; "Preview" shows every language filled in with sample values
    without saving."""

    model = CannedReply
    form_class = CannedReplyForm
    template_name = "cases/settings/canned_reply_form.html"
    title = gettext_lazy("Canned reply")
    success_url_name = f"{NS}:canned-replies"
    create = staticmethod(services.canned_reply_create)
    update = staticmethod(services.canned_reply_update)
    delete = staticmethod(services.canned_reply_delete)
    object_kwarg = "reply"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        texts: dict[str, str] = {}
        if form.is_bound:
            if form.is_valid():
                texts = form.texts()
        elif self.object is not None:
            texts = getattr(self.object, "texts", None) or {}
        values = services.canned_sample_values()
        names = dict(language_choices())
        context["previews"] = [
            (code, names[code], services.canned_render(texts[code], values))
            for code in services.LANGUAGES
            if (texts.get(code) or "").strip()
        ]
        context["sample_values"] = values
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        if "preview" in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form))
        return super().form_valid(form)
