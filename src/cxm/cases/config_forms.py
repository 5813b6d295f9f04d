"""Forms of the case settings pages. They parse what the user typed (names per language,
durations, comma lists, Persian digits); the rules are checked by `cxm.cases.config_services`,
which the pages and the API share, and its errors come back next to the right input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cxm.cases import config_services as services
from cxm.cases.models import (
    AssignmentStrategy,
    CannedReply,
    CaseStatus,
    CaseTopic,
    CaseType,
    EscalationTarget,
    FeedbackRule,
    Priority,
    RootCause,
    RoutingRule,
    SlaPolicy,
)
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.common.forms import CxmForm, CxmModelForm
from cxm.customers.models import ClubTier
from cxm.surveys.models import Survey, SurveyKind

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def language_choices() -> list[tuple[str, Any]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in services.LANGUAGES]


def tier_choices() -> list[tuple[str, Any]]:
    return list(ClubTier.choices)


def apply_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal next to the input it names (else above the form)."""
    fields = exc.extra.get("fields") or {}
    mapping = getattr(form, "error_fields", {})
    if not fields:
        form.add_error(None, exc.message)
        return
    for name, messages in fields.items():
        target = mapping.get(name, name)
        form.add_error(target if target in form.fields else None, messages)


class ServiceModelForm(CxmModelForm):
    """A ModelForm that only parses: model validation (uniqueness, constraints, clean())
    is left to the services, which own the rules (e.g. a new default status replaces the
    previous one in the same transaction, which `validate_constraints` would refuse)."""

    error_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"].required = False
            self.fields["position"].help_text = _("Empty: last.")

    def _post_clean(self) -> None:
        pass

    def service_data(self) -> dict[str, Any]:
        """The keyword arguments of the create/update service (an empty order: last)."""
        meta_fields = self._meta.fields or ()
        data = {name: self.cleaned_data[name] for name in meta_fields if name in self.cleaned_data}
        if data.get("position", 0) is None:
            del data["position"]
        return data


class NamesMixin(ServiceModelForm):
    """One name input per language (`name_fa`, `name_ar`, `name_hu`, `name_en`)."""

    error_fields = {"names": "name_en"}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        names = getattr(self.instance, "names", None) or {}
        for code, label in language_choices():
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": label},
                max_length=services.NAME_MAX_LENGTH,
                required=False,
                initial=names.get(code, ""),
            )
        # Names first, then the model's own fields.
        order = ["code", *(f"name_{c}" for c in services.LANGUAGES)]
        self.order_fields(order)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["names"] = {c: self.cleaned_data.get(f"name_{c}", "") for c in services.LANGUAGES}
        return data


class CaseTypeForm(NamesMixin):
    class Meta:
        model = CaseType
        fields = [
            "code",
            "default_priority",
            "default_team",
            "followup_survey",
            "is_active",
            "position",
        ]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        survey: Any = self.fields["followup_survey"]
        survey.queryset = Survey.objects.filter(
            kind__in=[SurveyKind.TOUCHPOINT, SurveyKind.FOLLOW_UP]
        ).order_by("name")
        survey.help_text = _(
            "Only touchpoint and follow-up surveys are offered; it goes to the customer when "
            "a case of this type is resolved."
        )


class CaseStatusForm(NamesMixin):
    error_fields = {"names": "name_en"}

    class Meta:
        model = CaseStatus
        fields = ["code", "category", "pauses_sla", "is_default", "position"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["pauses_sla"].help_text = _(
            "Set for you on saving: always on for “Waiting on customer”, always off for "
            "“Resolved” and “Closed”; your choice for the other categories."
        )
        self.fields["is_default"].help_text = _(
            "Each category has exactly one default: making this one the default unsets the "
            "previous default of its category."
        )


class CaseTopicForm(NamesMixin):
    class Meta:
        model = CaseTopic
        fields = ["code", "is_active"]


class RootCauseForm(NamesMixin):
    class Meta:
        model = RootCause
        fields = ["code", "is_active"]


class RoutingRuleForm(ServiceModelForm):
    intents = forms.CharField(
        label=_("Intents"),
        required=False,
        help_text=_("Comma separated, e.g. refund, delivery_late. Empty: any intent."),
    )
    tiers = forms.MultipleChoiceField(
        label=_("Customer tiers"),
        choices=tier_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=language_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "position",
            "is_active",
            "case_types",
            "channels",
            "topics",
            "team",
            "set_priority",
        ]
        widgets = {
            "case_types": forms.CheckboxSelectMultiple,
            "channels": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        rule = self.instance
        if rule.pk:
            self.fields["intents"].initial = ", ".join(rule.intents or [])
            self.fields["tiers"].initial = rule.tiers
            self.fields["languages"].initial = rule.languages
        for name in ("case_types", "channels", "topics"):
            self.fields[name].help_text = _("None ticked: any.")
        self.fields["team"].required = True
        self.order_fields(["name", "position", "is_active", "case_types", "channels", "topics"])

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.update(
            intents=self.cleaned_data.get("intents", ""),
            tiers=self.cleaned_data.get("tiers", []),
            languages=self.cleaned_data.get("languages", []),
        )
        return data


class RoutingTrialForm(CxmForm):
    """The "test a case" helper of the routing rules page."""

    case_type = forms.ModelChoiceField(label=_("Case type"), queryset=CaseType.objects.all())
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.all(), required=False
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=CaseTopic.objects.all(), required=False
    )
    tier = forms.ChoiceField(label=_("Customer tier"), choices=tier_choices, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=lambda: [("", "—"), *language_choices()], required=False
    )
    intent = forms.CharField(label=_("Intent"), max_length=50, required=False)


class TeamRoutingForm(CxmForm):
    strategy = forms.ChoiceField(label=_("Assignment"), choices=AssignmentStrategy.choices)


class AgentProfileForm(CxmForm):
    capacity = forms.IntegerField(
        label=_("Open cases at most"), min_value=0, max_value=services.AGENT_MAX_CAPACITY
    )
    available = forms.BooleanField(label=_("Available"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=language_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every language."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=CaseTopic.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every topic."),
    )
    case_types = forms.ModelMultipleChoiceField(
        label=_("Case types"),
        queryset=CaseType.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every case type."),
    )

    @staticmethod
    def initial_for(profile: Any) -> dict[str, Any]:
        if profile is None:
            return {"capacity": 20, "available": True}
        return {
            "capacity": profile.capacity,
            "available": profile.available,
            "languages": profile.languages,
            "topics": list(profile.topics.all()),
            "case_types": list(profile.case_types.all()),
        }


class FeedbackRuleForm(ServiceModelForm):
    class Meta:
        model = FeedbackRule
        fields = list(services.FEEDBACK_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["survey"].empty_label = _("Every survey")  # type: ignore[attr-defined]
        self.fields["threshold"].help_text = _(
            "NPS 0–10, CSAT 1–7, CES 1–7; comment and post sentiment −1 (negative) to 1."
        )
        self.fields["team"].empty_label = _("Decided by the routing rules")  # type: ignore[attr-defined]


class SlaPolicyForm(ServiceModelForm):
    """Conditions, calendar, a grid of targets per priority typed as durations (4h, 1d 2h,
    90m) and up to three escalation steps."""

    priorities = forms.MultipleChoiceField(
        label=_("Priorities"),
        choices=Priority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any."),
    )
    tiers = forms.MultipleChoiceField(
        label=_("Customer tiers"),
        choices=tier_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any."),
    )

    error_fields = {"targets": "__all__", "escalation": "escalation_1_at"}

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "position",
            "is_active",
            "channels",
            "case_types",
            "calendar",
            "warn_at_percent",
        ]
        widgets = {
            "channels": forms.CheckboxSelectMultiple,
            "case_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        policy = self.instance
        for name in ("channels", "case_types"):
            self.fields[name].help_text = _("None ticked: any.")
        self.fields["calendar"].empty_label = _("Around the clock")  # type: ignore[attr-defined]
        self.fields["warn_at_percent"].help_text = _("Between 1 and 99.")
        if policy.pk:
            self.fields["priorities"].initial = policy.priorities
            self.fields["tiers"].initial = policy.tiers
        targets = policy.targets or {}
        for priority, label in Priority.choices:
            for kind in services.TARGET_KINDS:
                self.fields[f"target_{priority}_{kind}"] = forms.CharField(
                    label=(
                        _("First response (%(priority)s)")
                        if kind == "first_response"
                        else _("Resolution (%(priority)s)")
                    )
                    % {"priority": label},
                    required=False,
                    max_length=50,
                    initial=services.format_duration(targets.get(priority, {}).get(kind)),
                    widget=forms.TextInput(
                        attrs={"class": "input", "dir": "ltr", "placeholder": "4h"}
                    ),
                )
        steps = policy.escalation if policy.pk else []
        for index in range(1, services.MAX_ESCALATION_STEPS + 1):
            step = steps[index - 1] if len(steps or []) >= index else {}
            self.fields[f"escalation_{index}_at"] = forms.IntegerField(
                label=_("Step %(n)s at (%% of the resolution time)") % {"n": index},
                min_value=1,
                max_value=1000,
                required=False,
                initial=step.get("at_percent"),
            )
            self.fields[f"escalation_{index}_notify"] = forms.ChoiceField(
                label=_("Step %(n)s notifies") % {"n": index},
                choices=EscalationTarget.choices,
                required=False,
                initial=step.get("notify", EscalationTarget.TEAM_LEAD),
            )
            self.fields[f"escalation_{index}_reassign"] = forms.BooleanField(
                label=_("Step %(n)s reassigns to the team queue") % {"n": index},
                required=False,
                initial=bool(step.get("reassign")),
            )

    def main_fields(self) -> list[Any]:
        """The fields above the targets grid and the escalation chain."""
        return [
            field
            for field in self.visible_fields()
            if not field.name.startswith(("target_", "escalation_"))
        ]

    def target_rows(self) -> list[tuple[Any, Any, Any]]:
        """(priority label, first response field, resolution field) for the grid."""
        return [
            (label, self[f"target_{p}_first_response"], self[f"target_{p}_resolution"])
            for p, label in Priority.choices
        ]

    def escalation_rows(self) -> list[tuple[int, Any, Any, Any]]:
        return [
            (
                i,
                self[f"escalation_{i}_at"],
                self[f"escalation_{i}_notify"],
                self[f"escalation_{i}_reassign"],
            )
            for i in range(1, services.MAX_ESCALATION_STEPS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets: dict[str, dict[str, int]] = {}
        for priority in Priority.values:
            for kind in services.TARGET_KINDS:
                name = f"target_{priority}_{kind}"
                text = (data.get(name) or "").strip()
                if not text:
                    continue
                try:
                    targets.setdefault(priority, {})[kind] = services.parse_duration(
                        text, field=name
                    )
                except ApplicationError as exc:
                    self.add_error(name, exc.message)
        data["targets"] = targets
        steps = []
        for index in range(1, services.MAX_ESCALATION_STEPS + 1):
            at = data.get(f"escalation_{index}_at")
            if at is None:
                continue
            steps.append(
                {
                    "at_percent": at,
                    "notify": data.get(f"escalation_{index}_notify") or "",
                    "reassign": bool(data.get(f"escalation_{index}_reassign")),
                    "_field": f"escalation_{index}_at",
                }
            )
        try:
            data["escalation"] = services.escalation_clean(
                [{k: v for k, v in s.items() if k != "_field"} for s in steps]
            )
        except ApplicationError as exc:
            step = exc.extra.get("step")
            field = steps[step]["_field"] if isinstance(step, int) else None
            self.add_error(field, exc.message)
        return data

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.update(
            priorities=self.cleaned_data.get("priorities", []),
            tiers=self.cleaned_data.get("tiers", []),
            targets=self.cleaned_data["targets"],
            escalation=self.cleaned_data["escalation"],
        )
        return data


class CannedReplyForm(ServiceModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "is_active"]

    error_fields = {"texts": "text_en"}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        texts = self.instance.texts or {}
        for code, label in language_choices():
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": label},
                required=False,
                max_length=services.TEXT_MAX_LENGTH,
                initial=texts.get(code, ""),
                strip=False,
                widget=forms.Textarea(
                    attrs={"rows": 4, "dir": "rtl" if code in ("fa", "ar") else "ltr"}
                ),
                help_text=_("Variables: {customer_name}, {case_number}, {agent_name}."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code in services.LANGUAGES:
            text = (data.get(f"text_{code}") or "").strip()
            if text:
                try:
                    services.canned_text_check(text, field=f"text_{code}")
                except ApplicationError as exc:
                    self.add_error(f"text_{code}", exc.message)
        return data

    def texts(self) -> dict[str, str]:
        return {c: self.cleaned_data.get(f"text_{c}", "") or "" for c in services.LANGUAGES}

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["texts"] = self.texts()
        return data
