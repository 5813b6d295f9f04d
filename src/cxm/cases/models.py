"""Cases: complaints, returns, inquiries and detractor follow-ups that somebody owns until the
customer says they are fixed, within a service level.

A case's status is one of an editable list, each status belonging to a fixed category (open,
waiting on the customer, waiting on a third party, resolved, closed). The SLA clock is kept
as due instants (`response_by`, `resolution_by`, warning and escalation instants) computed in
business time when the clock starts or resumes, so that re-evaluating the SLA of every open
case is one indexed UPDATE (see `cxm.cases.sla_clock`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel


def localized(names: dict[str, str] | None, fallback: str, language: str | None = None) -> str:
    """The name in the current (or given) language, else any name, else `fallback`."""
    names = names or {}
    language = (language or get_language() or "en")[:2]
    return names.get(language) or names.get("en") or next(iter(names.values()), "") or fallback


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_ORDER = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class StatusCategory(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting on third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_CATEGORIES = (
    StatusCategory.OPEN,
    StatusCategory.WAITING_CUSTOMER,
    StatusCategory.WAITING_THIRD_PARTY,
)
DONE_CATEGORIES = (StatusCategory.RESOLVED, StatusCategory.CLOSED)


class CaseSource(models.TextChoices):
    MANUAL = "manual", _("Created by hand")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    PORTAL = "portal", _("Customer portal")
    FEEDBACK = "feedback", _("Feedback rule")
    SOCIAL = "social", _("Social media")
    PHONE = "phone", _("Phone")


class SlaState(models.TextChoices):
    """Where the service level of a case stands (Frappe Helpdesk's agreement statuses)."""

    NONE = "none", _("No service level")
    FIRST_RESPONSE_DUE = "first_response_due", _("First response due")
    RESOLUTION_DUE = "resolution_due", _("Resolution due")
    PAUSED = "paused", _("Paused")
    FAILED = "failed", _("Breached")
    FULFILLED = "fulfilled", _("Fulfilled")


class CaseStatus(BaseModel):
    """An editable status in one of the fixed categories."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    names = models.JSONField(_("names"), default=dict, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=StatusCategory.choices)
    pauses_sla = models.BooleanField(
        _("pauses the SLA clock"),
        default=False,
        help_text=_("Always on for 'waiting on customer'; optional for 'waiting on third party'."),
    )
    is_default = models.BooleanField(
        _("default of its category"),
        default=False,
        help_text=_("The status used when a case moves to this category automatically."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(is_default=True),
                name="casestatus_one_default_per_category",
            )
        ]
        verbose_name = _("case status")
        verbose_name_plural = _("case statuses")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.names, self.code)

    def clean(self) -> None:
        if self.category == StatusCategory.WAITING_CUSTOMER:
            self.pauses_sla = True
        if self.category in DONE_CATEGORIES:
            self.pauses_sla = False

    @property
    def is_active(self) -> bool:
        return self.category in ACTIVE_CATEGORIES


class CodedCatalogue(BaseModel):
    """A catalogue entry: a stable code (what rules and the API use) and names by language."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    names = models.JSONField(_("names"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.names, self.code)


class CaseTopic(CodedCatalogue):
    """Category/topic of a case (billing, delivery, app …); rules route on it."""

    class Meta(CodedCatalogue.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class RootCause(CodedCatalogue):
    """A root-cause code (ISO 10002 style) set on a case when it is understood."""

    class Meta(CodedCatalogue.Meta):
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")


class CaseType(CodedCatalogue):
    """Complaint, return/refund, inquiry … (editable; `code` is what rules and the API use)."""

    default_priority = models.CharField(
        _("default priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    default_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("default team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    followup_survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey after resolution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A touchpoint CSAT survey sent to the customer when a case is resolved."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("case type")
        verbose_name_plural = _("case types")


def _minutes_by_priority_ok(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Targets must be an object by priority."))
    for priority, targets in value.items():
        if priority not in Priority.values:
            raise ValidationError(_("Unknown priority: %(p)s") % {"p": priority})
        if not isinstance(targets, dict):
            raise ValidationError(_("Targets of %(p)s must be an object.") % {"p": priority})
        for key, minutes in targets.items():
            if key not in ("first_response", "resolution"):
                raise ValidationError(_("Unknown target: %(k)s") % {"k": key})
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
                raise ValidationError(
                    _("A target is a positive whole number of minutes (%(p)s, %(k)s).")
                    % {"p": priority, "k": key}
                )


class EscalationTarget(models.TextChoices):
    TEAM_LEAD = "team_lead", _("Team lead")
    SUPERVISOR = "supervisor", _("Supervisors")
    CX_MANAGER = "cx_manager", _("CX managers")


def default_escalation() -> list[dict[str, Any]]:
    return [
        {"at_percent": 100, "notify": EscalationTarget.TEAM_LEAD.value, "reassign": False},
        {"at_percent": 150, "notify": EscalationTarget.SUPERVISOR.value, "reassign": False},
        {"at_percent": 200, "notify": EscalationTarget.CX_MANAGER.value, "reassign": False},
    ]


def _escalation_ok(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("The escalation chain is a list of steps."))
    last = 0
    for step in value:
        at = step.get("at_percent") if isinstance(step, dict) else None
        if isinstance(at, bool) or not isinstance(at, int) or at <= last:
            raise ValidationError(
                _("Escalation steps need increasing whole percentages of the resolution time.")
            )
        if step.get("notify") not in EscalationTarget.values:
            raise ValidationError(_("Unknown escalation target: %(t)s") % {"t": step.get("notify")})
        last = at


class SlaPolicy(BaseModel):
    """Condition (channel, type, priority, customer tier) → targets per priority in business
    time on a working calendar. The first active policy in `position` order that matches a
    case applies; empty conditions match everything."""

    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    channels = models.ManyToManyField(
        "cxm_channels.Channel", verbose_name=_("channels"), blank=True, related_name="+"
    )
    case_types = models.ManyToManyField(
        CaseType, verbose_name=_("case types"), blank=True, related_name="+"
    )
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    calendar = models.ForeignKey(
        "sla.WorkingCalendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the clock runs around the clock."),
    )
    targets = models.JSONField(
        _("targets (minutes by priority)"), default=dict, validators=[_minutes_by_priority_ok]
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warn at (percentage of the time)"), default=75
    )
    escalation = models.JSONField(
        _("escalation chain"), default=default_escalation, blank=True, validators=[_escalation_ok]
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = [p for p in self.priorities or [] if p not in Priority.values]
        if unknown:
            raise ValidationError({"priorities": _("Unknown priority: %(p)s") % {"p": unknown[0]}})
        if not 1 <= self.warn_at_percent <= 99:
            raise ValidationError({"warn_at_percent": _("Between 1 and 99.")})

    def target_minutes(self, priority: str, kind: str) -> int | None:
        value = (self.targets or {}).get(priority, {}).get(kind)
        return int(value) if value else None


class Case(BaseModel):
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The channel the customer used; replies go out on it."),
    )
    type = models.ForeignKey(CaseType, verbose_name=_("type"), on_delete=models.PROTECT)
    topic = models.ForeignKey(
        CaseTopic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.ForeignKey(CaseStatus, verbose_name=_("status"), on_delete=models.PROTECT)
    status_category = models.CharField(
        _("status category"), max_length=20, choices=StatusCategory.choices, editable=False
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=CaseSource.choices, default=CaseSource.MANUAL
    )
    external_id = models.CharField(
        _("external id"), max_length=100, null=True, blank=True, unique=True
    )
    intent = models.CharField(_("intent"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_cases",
    )
    source_response = models.ForeignKey(
        "surveys.Response",
        verbose_name=_("triggering response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="triggered_cases",
    )
    root_cause = models.ForeignKey(
        RootCause,
        verbose_name=_("root cause"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    capa = models.ForeignKey(
        "cases.Capa",
        verbose_name=_("CAPA"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    # The SLA clock (see cxm.cases.sla_clock); instants are UTC.
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sla_state = models.CharField(
        _("SLA"), max_length=20, choices=SlaState.choices, default=SlaState.NONE
    )
    response_by = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_by = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_on = models.DateTimeField(_("first responded on"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    on_hold_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    remaining_resolution_minutes = models.FloatField(null=True, blank=True, editable=False)
    resolution_minutes = models.FloatField(
        _("resolution time (business minutes)"), null=True, blank=True, editable=False
    )
    first_response_minutes = models.FloatField(
        _("first response time (business minutes)"), null=True, blank=True, editable=False
    )
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    warned = models.BooleanField(default=False, editable=False)
    response_breached = models.BooleanField(_("first response breached"), default=False)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    resolution_rating = models.PositiveSmallIntegerField(
        _("resolution rating"), null=True, blank=True
    )
    resolution_comment = models.TextField(_("comment on the resolution"), blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status_category", "-id"], name="case_category_id"),
            models.Index(
                fields=["status_category", "priority", "-id"], name="case_category_priority_id"
            ),
            models.Index(fields=["assignee", "status_category"], name="case_assignee_category"),
            models.Index(fields=["team", "status_category"], name="case_team_category"),
            models.Index(fields=["customer", "-id"], name="case_customer_id"),
            models.Index(
                fields=["response_by"],
                condition=models.Q(
                    first_responded_on__isnull=True,
                    response_by__isnull=False,
                    response_breached=False,
                ),
                name="case_response_pending",
            ),
            models.Index(
                fields=["resolution_by"],
                condition=models.Q(resolution_by__isnull=False, resolution_breached=False),
                name="case_resolution_pending",
            ),
            models.Index(  # sorting a list by due time
                fields=["resolution_by"],
                condition=models.Q(resolution_by__isnull=False),
                name="case_resolution_due",
            ),
            models.Index(
                fields=["next_escalation_at"],
                condition=models.Q(next_escalation_at__isnull=False),
                name="case_escalation_due",
            ),
            models.Index(
                fields=["warn_at"],
                condition=models.Q(warn_at__isnull=False, warned=False),
                name="case_warn_due",
            ),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status_category in ACTIVE_CATEGORIES


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("Reply to the customer")
    NOTE = "note", _("Internal note")


class DeliveryStatus(models.TextChoices):
    NONE = "", _("—")
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class CaseMessage(models.Model):
    """One message of the case's thread, on any channel, or an internal note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(_("sanitised HTML"), blank=True)
    external_id = models.CharField(
        _("message id"),
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The id the outside system gave the message (e-mail Message-ID …)."),
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="case_mentions"
    )
    delivery_status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, blank=True, default=""
    )
    delivery_error = models.CharField(_("delivery error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"cases/{instance.message.case_id}/{instance.message_id}/{filename}"


class CaseAttachment(models.Model):
    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    PRIORITY = "priority", _("Priority changed")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    ESCALATED = "escalated", _("Escalated")
    SURVEY_SENT = "survey_sent", _("Survey sent")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")
    RATED = "rated", _("Rated by the customer")


class CaseActivity(models.Model):
    """The history of a case. A (case, kind, key) is unique when `key` is set, which is how
    warnings, breaches and escalations fire once even after a worker restart."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    key = models.CharField(max_length=50, null=True, blank=True)  # noqa: DJ001 (NULL: not unique)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "key"],
                condition=models.Q(key__isnull=False),
                name="caseactivity_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key or ''}"


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    MANUAL = "manual", _("Manual (team queue)")


class TeamRouting(BaseModel):
    """How cases are assigned inside a team."""

    team = models.OneToOneField(
        "accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="routing"
    )
    strategy = models.CharField(
        _("assignment"),
        max_length=20,
        choices=AssignmentStrategy.choices,
        default=AssignmentStrategy.LEAST_LOADED,
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")


class AgentProfile(BaseModel):
    """An agent's case capacity, skills (topics, case types) and languages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_profile"
    )
    capacity = models.PositiveSmallIntegerField(_("open cases at most"), default=20)
    topics = models.ManyToManyField(CaseTopic, verbose_name=_("topics"), blank=True)
    case_types = models.ManyToManyField(CaseType, verbose_name=_("case types"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    available = models.BooleanField(
        _("available"), default=True, help_text=_("Takes new cases (off: on leave, away).")
    )

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")


class RoutingRule(BaseModel):
    """Conditions on a new case → team (and optionally priority). First match wins; a
    condition left empty matches everything."""

    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    case_types = models.ManyToManyField(CaseType, verbose_name=_("case types"), blank=True)
    channels = models.ManyToManyField(
        "cxm_channels.Channel", verbose_name=_("channels"), blank=True, related_name="+"
    )
    topics = models.ManyToManyField(CaseTopic, verbose_name=_("topics"), blank=True)
    intents = models.JSONField(_("intents"), default=list, blank=True)
    tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    set_priority = models.CharField(
        _("set priority"), max_length=10, choices=Priority.choices, blank=True
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class FeedbackRuleMetric(models.TextChoices):
    NPS = "nps", _("NPS answer")
    CSAT = "csat", _("CSAT answer")
    CES = "ces", _("CES answer")
    COMMENT = "comment", _("Comment sentiment (−1 to 1)")
    SOCIAL = "social", _("Social post sentiment (−1 to 1)")


TEXT_METRICS = (FeedbackRuleMetric.COMMENT, FeedbackRuleMetric.SOCIAL)


class Comparison(models.TextChoices):
    LTE = "lte", "≤"
    GTE = "gte", "≥"


class FeedbackRule(BaseModel):
    """An answer that opens a case: e.g. NPS ≤ 6 → detractor follow-up, high, team X."""

    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every survey."),
    )
    metric = models.CharField(_("answer"), max_length=10, choices=FeedbackRuleMetric.choices)
    comparison = models.CharField(
        _("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.LTE
    )
    threshold = models.DecimalField(_("threshold"), max_digits=5, decimal_places=2)
    topic = models.CharField(
        _("about topic"),
        max_length=50,
        blank=True,
        help_text=_("Comments and posts: only those about this topic (its code); empty: any."),
    )
    intent = models.CharField(
        _("with intent"),
        max_length=20,
        blank=True,
        help_text=_("Comments and posts: only those with this intent (e.g. complaint)."),
    )
    case_type = models.ForeignKey(CaseType, verbose_name=_("case type"), on_delete=models.PROTECT)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the routing rules decide."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("feedback rule")
        verbose_name_plural = _("feedback rules")

    def __str__(self) -> str:
        return self.name


class CannedReply(BaseModel):
    """A reply template with variables ({customer_name}, {case_number}, {agent_name}) in
    four languages."""

    title = models.CharField(_("title"), max_length=200)
    texts = models.JSONField(_("texts"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class CapaStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    VERIFYING = "verifying", _("Verifying effectiveness")
    CLOSED = "closed", _("Closed")


class Capa(BaseModel):
    """Corrective and preventive action (ISO 9001 §10.2, ISO 10002) for a recurring problem;
    many cases and pain points link to one CAPA."""

    title = models.CharField(_("title"), max_length=300)
    problem_statement = models.TextField(_("problem statement"))
    topic = models.ForeignKey(
        CaseTopic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    root_cause = models.ForeignKey(
        RootCause,
        verbose_name=_("root cause"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    analysis = models.TextField(_("5 whys / fishbone notes"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    preventive_action = models.TextField(_("preventive action"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CapaStatus.choices, default=CapaStatus.OPEN
    )
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    verification_notes = models.TextField(_("verification of effectiveness"), blank=True)
    pain_points = models.ManyToManyField(
        "journeys.PainPoint", verbose_name=_("pain points"), blank=True, related_name="capas"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("CAPA")
        verbose_name_plural = _("CAPAs")

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """An in-app notification; delivery by e-mail/SMS/Telegram follows the user's contact
    details through the pluggable senders."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
