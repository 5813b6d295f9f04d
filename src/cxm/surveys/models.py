"""Surveys, their questions, personal invitations, and the responses with their answers.

A question's wording lives in `texts` ({"fa": "…", "en": "…"}); a question may also have
`variants` ({"promoter": {"fa": …}, "passive": …, "detractor": …}) chosen by the NPS answer
of the question named in `logic["variant_by"]`, and be shown only when another answer is in
a list (`logic["show_if"] = {"question": "nps", "in": [0, 1, …, 6]}`).

A matrix question rates several rows on one shared scale. Its rows are `options`
([{"code": "speed", "labels": {"fa": …, "en": …}}]); its scale is either numeric, 1 to
`scale_max` (3, 5 or 7) with optional end labels in `logic["ends"]`
({"low": {"en": "Poor"}, "high": {"en": "Excellent"}}), or labelled columns in
`logic["columns"]` ([{"code": "agree", "labels": {…}}], `scale_max` then empty). Its answer
is an object {row code: value} (a whole number, or a column code).
"""

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel
from cxm.customers.models import Language

LANGUAGE_CODES = tuple(Language.values)


class SurveyKind(models.TextChoices):
    RELATIONSHIP = "relationship", _("Relationship")
    TOUCHPOINT = "touchpoint", _("Touchpoint")
    FOLLOW_UP = "follow_up", _("Follow-up")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


def new_public_slug() -> str:
    return secrets.token_urlsafe(9)


def validate_languages(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown language: %(codes)s."), params={"codes": ", ".join(map(str, unknown))}
        )


class Survey(BaseModel):
    """A questionnaire in one to four languages, sent by invitation or a public link."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=SurveyKind.choices, default=SurveyKind.RELATIONSHIP
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SurveyStatus.choices,
        default=SurveyStatus.DRAFT,
        db_index=True,
    )
    template = models.CharField(_("template"), max_length=40, blank=True, editable=False)
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    default_language = models.CharField(
        _("default language"), max_length=8, choices=Language.choices, default=Language.PERSIAN
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        verbose_name=_("touchpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    trigger_event = models.CharField(
        _("trigger event"),
        max_length=100,
        blank=True,
        help_text=_("For touchpoint surveys: the event that invites, e.g. order.delivered."),
    )
    edit_window_hours = models.PositiveIntegerField(
        _("edit window (hours)"),
        default=24,
        help_text=_("How long a respondent may change a submitted answer."),
    )
    invitation_valid_days = models.PositiveIntegerField(
        _("invitations valid for (days)"), default=14
    )
    public_slug = models.SlugField(
        _("public link id"), max_length=40, unique=True, default=new_public_slug, editable=False
    )
    # Relationship surveys: a wave to a random sample every N days (0: sent by hand only).
    wave_every_days = models.PositiveIntegerField(
        _("send a wave every (days)"),
        default=0,
        blank=True,
        help_text=_("Relationship surveys: invite a random sample this often; 0 to send by hand."),
    )
    wave_sample_size = models.PositiveIntegerField(
        _("customers per wave"),
        default=0,
        blank=True,
        help_text=_("Drawn at random among those the contact budget allows."),
    )
    wave_segment = models.ForeignKey(
        "customers.Segment",
        verbose_name=_("wave segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: all customers."),
    )
    next_wave_at = models.DateTimeField(_("next wave"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.wave_every_days and self.kind != SurveyKind.RELATIONSHIP:
            raise ValidationError(
                {"wave_every_days": _("Only relationship surveys are sent in waves.")}
            )
        if self.wave_every_days and not self.wave_sample_size:
            raise ValidationError({"wave_sample_size": _("Give how many customers per wave.")})
        if isinstance(self.languages, list) and self.default_language not in self.languages:
            raise ValidationError(
                {"default_language": _("The default language must be one of the languages.")}
            )

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.ACTIVE

    def pick_language(self, *candidates: str | None) -> str:
        """The first candidate the survey is written in, else its default language."""
        for code in candidates:
            if code and code in self.languages:
                return code
        return self.default_language


class QuestionType(models.TextChoices):
    NPS = "nps", _("NPS (0–10)")
    CSAT = "csat", _("CSAT (satisfaction)")
    CES = "ces", _("CES (effort, 1–7)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating")
    MATRIX = "matrix", _("Matrix (rows on one scale)")
    TEXT = "text", _("Free text")
    HIDDEN = "hidden", _("Hidden field")


SCALE_TYPES = {QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING}
CHOICE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE}
ALLOWED_SCALES: dict[str, tuple[int, ...]] = {
    QuestionType.NPS: (10,),
    QuestionType.CSAT: (3, 5, 7),
    QuestionType.CES: (7,),
    QuestionType.RATING: (5, 10),
}
DEFAULT_SCALE: dict[str, int] = {
    QuestionType.NPS: 10,
    QuestionType.CSAT: 5,
    QuestionType.CES: 7,
    QuestionType.RATING: 5,
}
MATRIX_SCALES = (3, 5, 7)
MATRIX_DEFAULT_SCALE = 5
NPS_CATEGORIES = ("promoter", "passive", "detractor")


def _labelled(items: Any, language: str) -> list[tuple[str, str]]:
    """(code, label in `language`) of options, matrix rows or columns."""
    result = []
    for item in items or []:
        labels = item.get("labels") or {}
        label = labels.get(language) or next(iter(labels.values()), "") or item["code"]
        result.append((str(item["code"]), str(label)))
    return result


def _coded_items_error(items: Any, *, minimum: int) -> str | None:
    """Why a list of {"code", "labels"} items is not usable (None when it is): too few,
    not objects, a code that is no slug (codes name form fields and import columns) or a
    code used twice."""
    if not isinstance(items, list) or len(items) < minimum:
        return None if minimum == 0 else "few"
    codes: list[str] = []
    for item in items:
        code = item.get("code") if isinstance(item, dict) else None
        if not isinstance(code, str) or not slug_re.match(code):
            return "code"
        if not isinstance(item.get("labels", {}), dict):
            return "code"
        codes.append(code)
    return "duplicate" if len(set(codes)) != len(codes) else None


def nps_category(score: float | int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    page = models.PositiveSmallIntegerField(_("page"), default=1)
    position = models.PositiveIntegerField(_("position"), default=0)
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("A short id used by the API, imports and logic, e.g. nps or reason."),
    )
    type = models.CharField(_("type"), max_length=10, choices=QuestionType.choices)
    required = models.BooleanField(_("required"), default=False)
    scale_max = models.PositiveSmallIntegerField(_("scale maximum"), null=True, blank=True)
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    variants = models.JSONField(_("texts by NPS category"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    logic = models.JSONField(_("logic"), default=dict, blank=True)

    class Meta:
        ordering = ["survey_id", "page", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_unique_key")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        if self.type == QuestionType.MATRIX:
            self._clean_matrix()
        elif self.type in ALLOWED_SCALES:
            if self.scale_max is None:
                self.scale_max = DEFAULT_SCALE[self.type]
            if self.scale_max not in ALLOWED_SCALES[self.type]:
                raise ValidationError(
                    {
                        "scale_max": _("For this type the scale maximum is one of %(values)s.")
                        % {"values": ", ".join(map(str, ALLOWED_SCALES[self.type]))}
                    }
                )
        else:
            self.scale_max = None
        if self.type in CHOICE_TYPES and not self.options:
            raise ValidationError({"options": _("A choice question needs options.")})

    def _clean_matrix(self) -> None:
        """At least one row with unique codes; a numeric scale 1–3/5/7 or ≥ 2 columns."""
        problem = _coded_items_error(self.options, minimum=1)
        if problem == "few":
            raise ValidationError({"options": _("A matrix question needs at least one row.")})
        if problem == "code":
            raise ValidationError(
                {"options": _("Each row needs a code of letters, digits, - or _.")}
            )
        if problem == "duplicate":
            raise ValidationError({"options": _("Each row needs its own code.")})
        logic = self.logic if isinstance(self.logic, dict) else {}
        if "columns" in logic:
            problem = _coded_items_error(logic["columns"], minimum=2)
            if problem == "few":
                raise ValidationError({"logic": _("Give at least two columns.")})
            if problem:
                raise ValidationError(
                    {"logic": _("Each column needs its own code of letters, digits, - or _.")}
                )
            self.scale_max = None
            return
        if self.scale_max is None:
            self.scale_max = MATRIX_DEFAULT_SCALE
        if self.scale_max not in MATRIX_SCALES:
            raise ValidationError(
                {
                    "scale_max": _("For this type the scale maximum is one of %(values)s.")
                    % {"values": ", ".join(map(str, MATRIX_SCALES))}
                }
            )

    @property
    def scale_min(self) -> int:
        return 0 if self.type == QuestionType.NPS else 1

    @property
    def is_scale(self) -> bool:
        return self.type in SCALE_TYPES

    @property
    def show_if(self) -> dict[str, Any] | None:
        rule = (self.logic or {}).get("show_if")
        return rule if isinstance(rule, dict) else None

    @property
    def variant_by(self) -> str:
        return str((self.logic or {}).get("variant_by") or "")

    def is_shown(self, answers: dict[str, Any]) -> bool:
        """Whether display logic shows this question, given answers by key."""
        rule = self.show_if
        if not rule:
            return True
        value = answers.get(str(rule.get("question", "")))
        allowed = rule.get("in") or []
        if isinstance(value, list):
            return any(v in allowed for v in value)
        return value is not None and value in allowed

    def text_for(self, language: str, answers: dict[str, Any] | None = None) -> str:
        """The wording in `language`, the variant for the NPS category when logic says so."""
        texts: dict[str, str] = self.texts or {}
        if self.variant_by and answers:
            score = answers.get(self.variant_by)
            if isinstance(score, int | float) and not isinstance(score, bool):
                texts = {**texts, **(self.variants or {}).get(nps_category(score), {})}
        return texts.get(language) or next(iter(texts.values()), "") or self.key

    def option_labels(self, language: str) -> list[tuple[str, str]]:
        """(code, label in `language`) for each option (a matrix: each row)."""
        return _labelled(self.options, language)

    @property
    def option_codes(self) -> list[str]:
        return [str(o["code"]) for o in self.options or []]

    @property
    def is_matrix(self) -> bool:
        return self.type == QuestionType.MATRIX

    @property
    def matrix_columns(self) -> list[dict[str, Any]]:
        """The labelled columns of a matrix ([] for a numeric scale)."""
        columns = (self.logic or {}).get("columns") if self.is_matrix else None
        return columns if isinstance(columns, list) else []

    def column_labels(self, language: str) -> list[tuple[str, str]]:
        """(value, label) of each column of a matrix: its codes, or the numbers 1…K."""
        if self.matrix_columns:
            return _labelled(self.matrix_columns, language)
        return [(str(n), str(n)) for n in range(1, (self.scale_max or MATRIX_DEFAULT_SCALE) + 1)]

    @property
    def column_codes(self) -> list[str]:
        return [code for code, _label in self.column_labels("")]

    def end_labels(self, language: str) -> tuple[str, str]:
        """The matrix's own words under the two ends of its numeric scale ("" if none)."""
        ends = (self.logic or {}).get("ends") or {}

        def word(end: str) -> str:
            labels = ends.get(end) or {}
            return str(labels.get(language) or next(iter(labels.values()), ""))

        return word("low"), word("high")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    BLOCKED = "blocked", _("Blocked")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    RETRY = "retry", _("Will retry")
    OPENED = "opened", _("Opened")
    RESPONDED = "responded", _("Answered")


class Invitation(BaseModel):
    """A personal link to a survey: a signed token, valid until `expires_at`, answered once."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        verbose_name=_("touchpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    event = models.CharField(_("event"), max_length=100, blank=True)
    hidden = models.JSONField(_("hidden fields"), default=dict, blank=True)
    key = models.CharField(max_length=40, unique=True, editable=False)
    token = models.CharField(_("token"), max_length=200, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    # Follow-up invitations: the answer that triggered it (one invitation per response at
    # most, enforced here) and the moment it may be sent (the rule's delay).
    source_response = models.OneToOneField(
        "Response",
        verbose_name=_("triggered by response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_invitation",
    )
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    # Delivery (cxm.surveys.distribution): where the invitation is on its way to the customer.
    status = models.CharField(
        _("delivery status"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
        db_index=True,
    )
    blocked_reason = models.CharField(_("blocked because"), max_length=30, blank=True)
    blocked_message = models.CharField(_("blocked message"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="invitation_due"),
            models.Index(fields=["customer", "-sent_at"], name="invitation_customer_sent"),
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class DeliveryAttempt(models.Model):
    """One try at handing an invitation or its reminder to a channel's sender."""

    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="attempts_log",
    )
    channel = models.CharField(_("channel"), max_length=50)
    is_reminder = models.BooleanField(_("reminder"), default=False)
    at = models.DateTimeField(_("at"))
    status = models.CharField(_("status"), max_length=10)
    error = models.TextField(_("error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.invitation_id}: {self.status}"


class ResponseSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class Response(BaseModel):
    """One respondent's submission. `invitation` is one-to-one: one response per token."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="response",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        verbose_name=_("touchpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stage = models.ForeignKey(
        "journeys.Stage",
        verbose_name=_("journey stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    external_id = models.CharField(
        _("external id"), max_length=100, unique=True, null=True, blank=True
    )
    hidden = models.JSONField(_("hidden fields"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    source = models.CharField(
        _("source"), max_length=10, choices=ResponseSource.choices, default=ResponseSource.WEB
    )
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "submitted_at"], name="response_survey_time"),
            models.Index(fields=["touchpoint", "submitted_at"], name="response_touchpoint_time"),
            models.Index(fields=["channel", "submitted_at"], name="response_channel_time"),
            models.Index(fields=["customer", "-submitted_at"], name="response_customer_recent"),
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"

    def editable_until(self) -> dt.datetime:
        return self.submitted_at + dt.timedelta(hours=self.survey.edit_window_hours)


class Answer(models.Model):
    """One answer. Scale answers carry the scale they were given on (`scale_max`).

    `choices` is the list of chosen option codes, or for a matrix the object
    {row code: value} of its answered rows (a numeric matrix keeps its `scale_max` too).
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number_value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    text_value = models.TextField(blank=True, default="")
    choices = models.JSONField(default=list, blank=True)
    scale_max = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")
        ]
        indexes = [models.Index(fields=["question", "number_value"], name="answer_question_value")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"

    def matrix_items(self) -> list[tuple[str, Any]]:
        """(row code, value) of a matrix answer in the question's row order (PostgreSQL's
        JSONB does not keep the order of an object's keys). Hides no query when the
        question is loaded."""
        values = self.choices if isinstance(self.choices, dict) else {}
        order = self.question.option_codes
        return [(r, values[r]) for r in order if r in values] + [
            (r, v) for r, v in values.items() if r not in order
        ]


FOLLOWUP_OPERATORS = ("lte", "gte", "lt", "gt", "eq", "in")


class FollowUpRule(BaseModel):
    """An answer that invites the respondent to a deeper survey, e.g. NPS ≤ 6 or CES ≥ 5.

    `condition` is one operator and its value: {"lte": 6}, {"gte": 5}, {"in": [0, 1, 2]};
    it is checked against the number (or the text/choice) answered to `question_key`.
    """

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="followup_rules"
    )
    question_key = models.SlugField(_("question key"), max_length=50)
    condition = models.JSONField(_("condition"), default=dict)
    followup_survey = models.ForeignKey(
        Survey,
        verbose_name=_("follow-up survey"),
        on_delete=models.CASCADE,
        related_name="followup_sources",
    )
    delay_hours = models.PositiveIntegerField(_("delay (hours)"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["survey_id", "id"]
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.question_key} {self.condition} → {self.followup_survey_id}"

    def clean(self) -> None:
        condition = self.condition
        if not isinstance(condition, dict) or len(condition) != 1:
            raise ValidationError({"condition": _("Give one condition, e.g. ≤ 6.")})
        operator, value = next(iter(condition.items()))
        if operator not in FOLLOWUP_OPERATORS:
            raise ValidationError({"condition": _("Unknown condition.")})
        values = value if operator == "in" and isinstance(value, list) else [value]
        if not values or any(
            isinstance(v, bool) or not isinstance(v, int | float | str) for v in values
        ):
            raise ValidationError({"condition": _("Give a number or a list of values.")})
        if self.survey_id is not None and self.survey_id == self.followup_survey_id:
            raise ValidationError({"followup_survey": _("A survey cannot be its own follow-up.")})

    @property
    def operator(self) -> str:
        return next(iter(self.condition), "")

    @property
    def operand(self) -> Any:
        return next(iter(self.condition.values()), None)


class SurveyPageReach(models.Model):
    """How many times respondents reached a page of a survey, per day: the first page when
    the link is opened, a later page when they go on to it (not when they go back or
    correct an error). With the responses this gives the drop-off per page."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="page_reaches")
    page = models.PositiveSmallIntegerField()
    day = models.DateField()
    reached = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "page", "day"], name="pagereach_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.page}/{self.day}: {self.reached}"
