"""Forms of the survey builder: new survey, settings, one question, a personal invitation."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cxm.common.forms import CxmForm, CxmModelForm
from cxm.customers.models import Customer, Language
from cxm.surveys.models import NPS_CATEGORIES, Question, QuestionType, Survey
from cxm.surveys.ready_templates import template_choices

_CATEGORY_LABELS = {
    "promoter": _("promoters (9–10)"),
    "passive": _("passives (7–8)"),
    "detractor": _("detractors (0–6)"),
}


class SurveyCreateForm(CxmForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    template = forms.ChoiceField(label=_("Start from"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["fa"],
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["template"]
        field.choices = [("", _("A blank survey")), *template_choices()]


class SurveyForm(CxmModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )

    def clean_wave_every_days(self) -> int:
        return int(self.cleaned_data.get("wave_every_days") or 0)

    def clean_wave_sample_size(self) -> int:
        return int(self.cleaned_data.get("wave_sample_size") or 0)

    class Meta:
        model = Survey
        fields = [
            "name",
            "kind",
            "languages",
            "default_language",
            "touchpoint",
            "channel",
            "trigger_event",
            "edit_window_hours",
            "invitation_valid_days",
            "wave_every_days",
            "wave_sample_size",
            "wave_segment",
        ]


def _options_text(question: Question | None, language: str) -> str:
    if question is None:
        return ""
    return "\n".join(f"{code} = {label}" for code, label in question.option_labels(language))


def _columns_text(question: Question | None, language: str) -> str:
    if question is None or not question.matrix_columns:
        return ""
    return "\n".join(f"{code} = {label}" for code, label in question.column_labels(language))


def _ends_text(question: Question | None, language: str) -> str:
    ends = ((question.logic or {}).get("ends") or {}) if question else {}
    low, high = ((ends.get(end) or {}).get(language, "") for end in ("low", "high"))
    return f"{low} | {high}" if low or high else ""


class QuestionForm(CxmModelForm):
    """One question. Its texts, variants and option labels get one field per survey
    language; options are written one per line as `code = label`."""

    scale_max = forms.TypedChoiceField(
        label=_("Scale maximum"),
        choices=[("", "—"), (3, "3"), (5, "5"), (7, "7"), (10, "10")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("CSAT 3, 5 or 7 (default 5); CES 7; rating 5 or 10; NPS 10; matrix 3, 5 or 7."),
    )
    show_if_question = forms.CharField(
        label=_("Show only if the answer to (key)"), max_length=50, required=False
    )
    show_if_values = forms.CharField(
        label=_("is one of (comma separated)"), max_length=200, required=False
    )
    variant_by = forms.CharField(
        label=_("Change wording by the NPS category of (key)"), max_length=50, required=False
    )

    class Meta:
        model = Question
        fields = ["key", "type", "page", "required", "scale_max"]

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.survey = survey
        question = self.instance if self.instance.pk else None
        names = dict(Language.choices)
        for code in survey.languages:
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": names[code]},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=code == survey.default_language,
                initial=(question.texts or {}).get(code, "") if question else "",
            )
        for code in survey.languages:
            self.fields[f"options_{code}"] = forms.CharField(
                label=_("Options (%(language)s)") % {"language": names[code]},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=_options_text(question, code),
                help_text=_(
                    "For choice questions, and the rows of a matrix: one per line, as code = label."
                ),
            )
        for code in survey.languages:
            self.fields[f"columns_{code}"] = forms.CharField(
                label=_("Matrix columns (%(language)s)") % {"language": names[code]},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=_columns_text(question, code),
                help_text=_(
                    "For a matrix with labelled columns: one per line, as code = label. "
                    "Leave empty to rate the rows from 1 to the scale maximum."
                ),
            )
            self.fields[f"ends_{code}"] = forms.CharField(
                label=_("Matrix scale ends (%(language)s)") % {"language": names[code]},
                max_length=200,
                required=False,
                initial=_ends_text(question, code),
                help_text=_(
                    "For a numeric matrix: the words under both ends, e.g. Poor | Excellent."
                ),
            )
        for category in NPS_CATEGORIES:
            for code in survey.languages:
                self.fields[f"variant_{category}_{code}"] = forms.CharField(
                    label=_("Text for %(category)s (%(language)s)")
                    % {"category": _CATEGORY_LABELS[category], "language": names[code]},
                    required=False,
                    initial=((question.variants or {}).get(category) or {}).get(code, "")
                    if question
                    else "",
                )
        if question:
            rule = question.show_if or {}
            self.fields["show_if_question"].initial = rule.get("question", "")
            self.fields["show_if_values"].initial = ", ".join(str(v) for v in rule.get("in", []))
            self.fields["variant_by"].initial = question.variant_by

    def clean_key(self) -> str:
        key = slugify(self.cleaned_data["key"]).replace("-", "_")
        clash = Question.objects.filter(survey=self.survey, key=key).exclude(pk=self.instance.pk)
        if not key or clash.exists():
            raise forms.ValidationError(_("Another question of this survey has this key."))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        languages = self.survey.languages
        data["texts"] = {c: data[f"text_{c}"] for c in languages if data.get(f"text_{c}")}
        data["variants"] = {
            category: texts
            for category in NPS_CATEGORIES
            if (
                texts := {
                    c: data[f"variant_{category}_{c}"]
                    for c in languages
                    if data.get(f"variant_{category}_{c}")
                }
            )
        }
        data["options"] = self._coded_lines(data, "options")
        logic: dict[str, Any] = {}
        if data.get("type") == QuestionType.MATRIX:
            logic.update(self._matrix_scale(data))
        if key := (data.get("show_if_question") or "").strip():
            values: list[Any] = []
            for part in (data.get("show_if_values") or "").split(","):
                part = part.strip()
                if part:
                    values.append(int(part) if part.lstrip("-").isdigit() else part)
            logic["show_if"] = {"question": key, "in": values}
        if variant := (data.get("variant_by") or "").strip():
            logic["variant_by"] = variant
        data["logic"] = logic
        # The model's clean() checks these while the form validates, so set them now.
        self.instance.survey = self.survey
        for name in ("texts", "variants", "options", "logic"):
            setattr(self.instance, name, data[name])
        return data

    def _coded_lines(self, data: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
        """`code = label` lines of the `<prefix>_<language>` fields as coded items."""
        items: dict[str, dict[str, str]] = {}
        for language in self.survey.languages:
            for line in (data.get(f"{prefix}_{language}") or "").splitlines():
                if not line.strip():
                    continue
                code, _sep, label = line.partition("=")
                code = slugify(code).replace("-", "_")
                if not code:
                    self.add_error(
                        f"{prefix}_{language}", _("Each line needs a code, e.g. late = Late.")
                    )
                    continue
                items.setdefault(code, {})[language] = label.strip() or code
        return [{"code": c, "labels": labels} for c, labels in items.items()]

    def add_error(self, field: str | None, error: Any) -> None:
        """The model's errors on what has no field of its own here (options, logic: a
        choice without options, a matrix without rows) show above the form."""
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            by_field: dict[str, list[ValidationError]] = {}
            for name, messages in error.error_dict.items():
                target = name if name in self.fields else NON_FIELD_ERRORS
                by_field.setdefault(target, []).extend(messages)
            error = ValidationError(by_field)
        super().add_error(field, error)

    def _matrix_scale(self, data: dict[str, Any]) -> dict[str, Any]:
        """A matrix's labelled columns or the words under its scale's ends, as logic
        (`columns`, `ends`); the model checks them."""
        if columns := self._coded_lines(data, "columns"):
            return {"columns": columns}
        ends: dict[str, dict[str, str]] = {}
        for language in self.survey.languages:
            low, _sep, high = (data.get(f"ends_{language}") or "").partition("|")
            for end, word in (("low", low.strip()), ("high", high.strip())):
                if word:
                    ends.setdefault(end, {})[language] = word
        return {"ends": ends} if ends else {}

    def save(self, commit: bool = True) -> Question:
        question: Question = super().save(commit=False)
        return question


class InvitationForm(CxmForm):
    customer_external_id = forms.CharField(
        label=_("Customer (external id)"), max_length=100, required=False
    )
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["language"]
        names = dict(Language.choices)
        field.choices = [
            ("", _("The customer's language")),
            *((c, names[c]) for c in survey.languages),
        ]

    def clean_customer_external_id(self) -> Customer | None:
        value = (self.cleaned_data.get("customer_external_id") or "").strip()
        if not value:
            return None
        customer = Customer.objects.filter(external_id=value).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this external id."))
        return customer


class FollowUpRuleForm(CxmForm):
    """A follow-up rule on the survey detail page: question, condition, target, delay."""

    OPERATORS = [
        ("lte", _("at most (≤)")),
        ("gte", _("at least (≥)")),
        ("eq", _("equal to (=)")),
    ]

    question_key = forms.ChoiceField(label=_("When the answer to"))
    operator = forms.ChoiceField(label=_("is"), choices=OPERATORS)
    value = forms.IntegerField(label=_("Value"), min_value=0, max_value=10)
    followup_survey = forms.ModelChoiceField(
        label=_("invite to"), queryset=Survey.objects.none(), empty_label=None
    )
    delay_hours = forms.IntegerField(label=_("after (hours)"), min_value=0, initial=0)

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any):
        super().__init__(*args, **kwargs)
        key_field: Any = self.fields["question_key"]
        key_field.choices = [
            (q.key, q.key)
            for q in survey.questions.filter(type__in=["nps", "csat", "ces", "rating"])
        ]
        target: Any = self.fields["followup_survey"]
        target.queryset = Survey.objects.exclude(pk=survey.pk).exclude(status="closed")

    def condition(self) -> dict[str, int]:
        return {self.cleaned_data["operator"]: self.cleaned_data["value"]}
