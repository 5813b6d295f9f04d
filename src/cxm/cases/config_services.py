"""Writes to the case configuration: catalogues (types, statuses, topics, root causes),
routing, team assignment and agent profiles, feedback rules, SLA policies and canned replies.

The settings pages and the REST API both call these functions, so a rule (one default
status per category, a threshold inside the metric's scale, durations, the escalation chain,
the variables of a canned reply …) is checked in one place. Every write validates before it
changes anything and runs in a transaction; a refusal is an `ApplicationError` whose
`extra["fields"]` names the offending field(s), so forms can show it next to the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from cxm.accounts.models import Team, User
from cxm.accounts.roles import Role
from cxm.cases.error_codes import CaseErrorCode
from cxm.cases.models import (
    ACTIVE_CATEGORIES,
    DONE_CATEGORIES,
    TEXT_METRICS,
    AgentProfile,
    AssignmentStrategy,
    CannedReply,
    Case,
    CaseStatus,
    CaseTopic,
    CaseType,
    Comparison,
    EscalationTarget,
    FeedbackRule,
    FeedbackRuleMetric,
    Priority,
    RootCause,
    RoutingRule,
    SlaPolicy,
    StatusCategory,
    TeamRouting,
)
from cxm.common.exceptions import ApplicationError
from cxm.core.nlp.base import INTENTS
from cxm.core.text import to_latin_digits
from cxm.customers.models import ClubTier, Customer
from cxm.surveys.models import SurveyKind

LANGUAGES = ("fa", "ar", "hu", "en")
NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000

ModelT = TypeVar("ModelT", bound=models.Model)


def _fail(message: str, *, code: str, field: str | None = None, **extra: Any) -> ApplicationError:
    fields = {field: [message]} if field else {}
    return ApplicationError(message, code=code, extra={"fields": fields, **extra})


def _full_clean(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """`full_clean()` as an ApplicationError carrying the messages per field."""
    try:
        instance.full_clean(exclude=list(exclude) or None)
    except ValidationError as exc:
        fields = exc.message_dict
        first = next(iter(fields.values()), [str(exc)])[0]
        raise ApplicationError(
            first, code=CaseErrorCode.INVALID, extra={"fields": fields}
        ) from None


def _apply(instance: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    for field in fields:
        if field in data:
            setattr(instance, field, data[field])


def _set_m2m(instance: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    for field in fields:
        if field in data:
            getattr(instance, field).set(list(data[field] or []))


def _next_position(model: type[models.Model]) -> int:
    top = model._default_manager.aggregate(top=Max("position"))["top"]
    return 0 if top is None else int(top) + 1


# --- names and codes -----------------------------------------------------------------------


def names_clean(names: Any, *, field: str = "names") -> dict[str, str]:
    """`{"fa": …, "en": …}` with the empty ones dropped; at least one name, known languages."""
    if not isinstance(names, Mapping):
        raise _fail(_("Names are given per language."), code=CaseErrorCode.INVALID, field=field)
    unknown = [code for code in names if code not in LANGUAGES]
    if unknown:
        raise _fail(
            _("Unknown language: %(code)s.") % {"code": unknown[0]},
            code=CaseErrorCode.INVALID,
            field=field,
        )
    cleaned: dict[str, str] = {}
    for code in LANGUAGES:
        value = names.get(code)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _fail(_("A name is text."), code=CaseErrorCode.INVALID, field=field)
        value = value.strip()
        if len(value) > NAME_MAX_LENGTH:
            raise _fail(
                _("A name has at most %(n)s characters.") % {"n": NAME_MAX_LENGTH},
                code=CaseErrorCode.INVALID,
                field=field,
            )
        if value:
            cleaned[code] = value
    if not cleaned:
        raise _fail(
            _("Give a name in at least one language."), code=CaseErrorCode.INVALID, field=field
        )
    return cleaned


def _code_check(instance: models.Model, code: Any) -> str:
    code = str(code or "").strip()
    try:
        validate_slug(code)
    except ValidationError:
        raise _fail(
            _("A code uses only Latin letters, digits, hyphens and underscores."),
            code=CaseErrorCode.INVALID,
            field="code",
        ) from None
    model = type(instance)
    if model._default_manager.filter(code=code).exclude(pk=instance.pk).exists():
        raise _fail(
            _("Another %(what)s already has the code “%(code)s”.")
            % {"what": model._meta.verbose_name, "code": code},
            code=CaseErrorCode.DUPLICATE_CODE,
            field="code",
        )
    return code


def _coded_save(instance: ModelT, data: Mapping[str, Any], fields: Iterable[str]) -> ModelT:
    """Apply `data` (code, names and `fields`), check and save a coded catalogue row."""
    _apply(instance, data, fields)
    if "code" in data or instance.pk is None:
        instance.code = _code_check(instance, data.get("code", getattr(instance, "code", "")))  # type: ignore[attr-defined]
    if "names" in data or instance.pk is None:
        instance.names = names_clean(data.get("names", getattr(instance, "names", {})))  # type: ignore[attr-defined]
    _full_clean(instance)
    instance.save()
    return instance


def _refuse_if_cases(count: int, what: str) -> None:
    if count:
        raise _fail(
            _(
                "This %(what)s is used by %(count)s cases and cannot be deleted; "
                "make it inactive instead."
            )
            % {"what": what, "count": count},
            code=CaseErrorCode.IN_USE,
        )


# --- case types ----------------------------------------------------------------------------

CASE_TYPE_FIELDS = ("default_priority", "default_team", "followup_survey", "is_active", "position")


def _survey_check(survey: Any) -> None:
    if survey is not None and survey.kind not in (SurveyKind.TOUCHPOINT, SurveyKind.FOLLOW_UP):
        raise _fail(
            _("Only a touchpoint or follow-up survey can be sent after resolution."),
            code=CaseErrorCode.INVALID,
            field="followup_survey",
        )


@transaction.atomic
def case_type_create(**data: Any) -> CaseType:
    """Create a case type from `code`, `names` and the optional CASE_TYPE_FIELDS."""
    _survey_check(data.get("followup_survey"))
    case_type = CaseType(position=_next_position(CaseType))
    return _coded_save(case_type, data, CASE_TYPE_FIELDS)


@transaction.atomic
def case_type_update(*, case_type: CaseType, data: Mapping[str, Any]) -> CaseType:
    if "followup_survey" in data:
        _survey_check(data["followup_survey"])
    return _coded_save(case_type, data, CASE_TYPE_FIELDS)


@transaction.atomic
def case_type_delete(*, case_type: CaseType) -> None:
    _refuse_if_cases(Case.objects.filter(type=case_type).count(), str(CaseType._meta.verbose_name))
    if FeedbackRule.objects.filter(case_type=case_type).exists():
        raise _fail(
            _("A feedback rule opens cases of this type; change or delete the rule first."),
            code=CaseErrorCode.IN_USE,
        )
    case_type.delete()


# --- statuses ------------------------------------------------------------------------------

STATUS_FIELDS = ("category", "pauses_sla", "is_default", "position")


@transaction.atomic
def case_status_create(**data: Any) -> CaseStatus:
    """Create a status. The first status of a category becomes its default; a new default
    replaces the previous one of the category."""
    status = CaseStatus(position=_next_position(CaseStatus))
    return _status_save(status, data)


@transaction.atomic
def case_status_update(*, status: CaseStatus, data: Mapping[str, Any]) -> CaseStatus:
    return _status_save(status, data)


def _status_save(status: CaseStatus, data: Mapping[str, Any]) -> CaseStatus:
    old_category = status.category if status.pk else None
    was_default = bool(status.pk and status.is_default)
    _apply(status, data, STATUS_FIELDS)
    if status.category not in StatusCategory.values:
        raise _fail(_("Choose a category."), code=CaseErrorCode.INVALID, field="category")
    if old_category is not None and status.category != old_category:
        if Case.objects.filter(status=status).exists():
            raise _fail(
                _("Cases have this status, so its category cannot change."),
                code=CaseErrorCode.IN_USE,
                field="category",
            )
        if was_default:
            raise _fail(
                _(
                    "This is the default status of its category; make another status the "
                    "default before moving it."
                ),
                code=CaseErrorCode.NEEDS_DEFAULT,
                field="category",
            )
        was_default = False
    others = CaseStatus.objects.select_for_update().filter(
        category=status.category, is_default=True
    )
    if status.pk:
        others = others.exclude(pk=status.pk)
    other_defaults = list(others)
    if not status.is_default and not other_defaults:
        if was_default:
            raise _fail(
                _(
                    "Each category needs exactly one default status; make another status "
                    "the default instead."
                ),
                code=CaseErrorCode.NEEDS_DEFAULT,
                field="is_default",
            )
        status.is_default = True  # the first status of its category
    if status.is_default and other_defaults:
        CaseStatus.objects.filter(pk__in=[s.pk for s in other_defaults]).update(is_default=False)
    return _coded_save(status, data, ())


@transaction.atomic
def case_status_delete(*, status: CaseStatus) -> None:
    """Refused while cases have the status, and for the last status of a category; deleting
    a category's default makes the next status of the category its default."""
    count = Case.objects.filter(status=status).count()
    if count:
        raise _fail(
            _("%(count)s cases have this status, so it cannot be deleted.") % {"count": count},
            code=CaseErrorCode.IN_USE,
        )
    siblings = list(
        CaseStatus.objects.select_for_update()
        .filter(category=status.category)
        .exclude(pk=status.pk)
        .order_by("position", "id")
    )
    if not siblings:
        raise _fail(
            _("“%(name)s” is the last status of the category %(category)s and cannot be deleted.")
            % {"name": status.name, "category": status.get_category_display()},
            code=CaseErrorCode.LAST_STATUS,
        )
    status.delete()
    if status.is_default:
        CaseStatus.objects.filter(pk=siblings[0].pk).update(is_default=True)


def status_pause_help(category: str) -> str:
    """What the SLA clock does in `category` (shown next to the pause switch)."""
    if category == StatusCategory.WAITING_CUSTOMER:
        return _("Always paused while waiting on the customer.")
    if category in DONE_CATEGORIES:
        return _("Never paused: the case is done.")
    if category == StatusCategory.WAITING_THIRD_PARTY:
        return _("Paused only if you switch it on.")
    return _("Not paused while open, unless you switch it on.")


# --- topics and root causes ----------------------------------------------------------------


@transaction.atomic
def case_topic_create(**data: Any) -> CaseTopic:
    return _coded_save(CaseTopic(), data, ("is_active",))


@transaction.atomic
def case_topic_update(*, topic: CaseTopic, data: Mapping[str, Any]) -> CaseTopic:
    return _coded_save(topic, data, ("is_active",))


@transaction.atomic
def case_topic_delete(*, topic: CaseTopic) -> None:
    _refuse_if_cases(Case.objects.filter(topic=topic).count(), str(CaseTopic._meta.verbose_name))
    topic.delete()


@transaction.atomic
def root_cause_create(**data: Any) -> RootCause:
    return _coded_save(RootCause(), data, ("is_active",))


@transaction.atomic
def root_cause_update(*, root_cause: RootCause, data: Mapping[str, Any]) -> RootCause:
    return _coded_save(root_cause, data, ("is_active",))


@transaction.atomic
def root_cause_delete(*, root_cause: RootCause) -> None:
    _refuse_if_cases(
        Case.objects.filter(root_cause=root_cause).count(), str(RootCause._meta.verbose_name)
    )
    root_cause.delete()


# --- routing rules -------------------------------------------------------------------------

ROUTING_FIELDS = ("name", "position", "is_active", "team", "set_priority")
ROUTING_LISTS = ("intents", "tiers", "languages")
ROUTING_M2M = ("case_types", "channels", "topics")
INTENT_MAX_LENGTH = Case._meta.get_field("intent").max_length or 50


def _choices_check(values: Any, allowed: Iterable[str], field: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise _fail(_("Give a list."), code=CaseErrorCode.INVALID, field=field)
    allowed = list(allowed)
    result: list[str] = []
    for value in values:
        if value not in allowed:
            raise _fail(
                _("Unknown value: %(value)s.") % {"value": value},
                code=CaseErrorCode.INVALID,
                field=field,
            )
        if value not in result:
            result.append(value)
    return result


def intents_clean(values: Any) -> list[str]:
    """A list (or comma separated text) of intents, trimmed, without repeats."""
    if isinstance(values, str):
        values = to_latin_digits(values).split(",")
    if values is None:
        return []
    result: list[str] = []
    for value in values:
        value = str(value).strip()
        if len(value) > INTENT_MAX_LENGTH:
            raise _fail(
                _("An intent has at most %(n)s characters.") % {"n": INTENT_MAX_LENGTH},
                code=CaseErrorCode.INVALID,
                field="intents",
            )
        if value and value not in result:
            result.append(value)
    return result


def _routing_save(rule: RoutingRule, data: Mapping[str, Any]) -> RoutingRule:
    _apply(rule, data, ROUTING_FIELDS)
    if not (rule.name or "").strip():
        raise _fail(_("Give the rule a name."), code=CaseErrorCode.INVALID, field="name")
    if rule.team_id is None:
        raise _fail(_("Choose the team."), code=CaseErrorCode.INVALID, field="team")
    if "intents" in data:
        rule.intents = intents_clean(data["intents"])
    if "tiers" in data:
        rule.tiers = _choices_check(data["tiers"], ClubTier.values, "tiers")
    if "languages" in data:
        rule.languages = _choices_check(data["languages"], LANGUAGES, "languages")
    _full_clean(rule)
    rule.save()
    _set_m2m(rule, data, ROUTING_M2M)
    return rule


@transaction.atomic
def routing_rule_create(**data: Any) -> RoutingRule:
    """Create a routing rule (placed last unless `position` is given)."""
    return _routing_save(RoutingRule(position=_next_position(RoutingRule)), data)


@transaction.atomic
def routing_rule_update(*, rule: RoutingRule, data: Mapping[str, Any]) -> RoutingRule:
    return _routing_save(rule, data)


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule) -> None:
    rule.delete()


@transaction.atomic
def routing_rule_move(*, rule: RoutingRule, up: bool) -> None:
    """Swap the rule with its neighbour in the order, numbering all rules 0, 1, 2 …"""
    rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    changed = []
    for position, item in enumerate(rules):
        if item.position != position:
            item.position = position
            changed.append(item)
    RoutingRule.objects.bulk_update(changed, ["position"])


@dataclass(frozen=True)
class RoutingTrial:
    """What would happen to a case: the winning rule (if any), its team or the type's
    default team, and the priority."""

    rule: RoutingRule | None
    team: Team | None
    priority: str
    by_default_team: bool


def routing_try(
    *,
    case_type: CaseType,
    channel: Any = None,
    topic: CaseTopic | None = None,
    tier: str = "",
    language: str = "",
    intent: str = "",
) -> RoutingTrial:
    """Route an unsaved case with these attributes (nothing is written)."""
    from cxm.cases.routing import route

    case = Case(
        type=case_type,
        channel=channel,
        topic=topic,
        language=language,
        intent=intent,
        priority=case_type.default_priority,
        customer=Customer(club_tier=tier or ""),
    )
    decision = route(case)
    team = decision.team or case_type.default_team
    return RoutingTrial(
        rule=decision.rule,
        team=team,
        priority=decision.priority or case_type.default_priority,
        by_default_team=decision.team is None and team is not None,
    )


# --- team routing and agent profiles -------------------------------------------------------


@transaction.atomic
def team_routing_set(*, team: Team, strategy: str) -> TeamRouting:
    if strategy not in AssignmentStrategy.values:
        raise _fail(_("Unknown assignment strategy."), code=CaseErrorCode.INVALID, field="strategy")
    routing, _created = TeamRouting.objects.select_for_update().get_or_create(team=team)
    if routing.strategy != strategy:
        routing.strategy = strategy
        routing.save(update_fields=["strategy", "updated_at"])
    return routing


def team_agents(team: Team) -> list[Any]:
    """The team's agents (and anybody of the team with an agent profile) with
    `open_cases` counted and their profile; one query plus the profiles' skills."""
    users: list[Any] = list(
        User.objects.filter(team=team, is_active=True)
        .filter(Q(role=Role.AGENT) | Q(case_profile__isnull=False))
        .annotate(
            open_cases=Count(
                "assigned_cases", filter=Q(assigned_cases__status_category__in=ACTIVE_CATEGORIES)
            )
        )
        .order_by("first_name", "last_name", "username")
    )
    profiles = {
        p.user_id: p
        for p in AgentProfile.objects.filter(user__in=users).prefetch_related(
            "topics", "case_types"
        )
    }
    for user in users:
        user.agent_profile = profiles.get(user.pk)
    return users


AGENT_MAX_CAPACITY = 1000


@transaction.atomic
def agent_profile_update(*, user: User, data: Mapping[str, Any]) -> AgentProfile:
    """Create or change an agent's profile: capacity, available, languages, topics,
    case_types."""
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=user)
    if "capacity" in data:
        capacity = data["capacity"]
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise _fail(_("Enter a whole number."), code=CaseErrorCode.INVALID, field="capacity")
        if not 0 <= capacity <= AGENT_MAX_CAPACITY:
            raise _fail(
                _("Between 0 and %(n)s open cases.") % {"n": AGENT_MAX_CAPACITY},
                code=CaseErrorCode.INVALID,
                field="capacity",
            )
        profile.capacity = capacity
    if "available" in data:
        profile.available = bool(data["available"])
    if "languages" in data:
        profile.languages = _choices_check(data["languages"], LANGUAGES, "languages")
    _full_clean(profile)
    profile.save()
    _set_m2m(profile, data, ("topics", "case_types"))
    return profile


# --- feedback rules ------------------------------------------------------------------------

#: The answer scale of each metric (the survey's scale maximum may be lower for CSAT).
METRIC_SCALES: dict[str, tuple[int, int]] = {
    FeedbackRuleMetric.NPS: (0, 10),
    FeedbackRuleMetric.CSAT: (1, 7),
    FeedbackRuleMetric.CES: (1, 7),
    FeedbackRuleMetric.COMMENT: (-1, 1),
    FeedbackRuleMetric.SOCIAL: (-1, 1),
}
FEEDBACK_FIELDS = (
    "name",
    "is_active",
    "position",
    "survey",
    "metric",
    "comparison",
    "threshold",
    "topic",
    "intent",
    "case_type",
    "priority",
    "team",
)


def threshold_check(metric: str, threshold: Any) -> Decimal:
    """The threshold as a Decimal inside the metric's scale."""
    if metric not in METRIC_SCALES:
        raise _fail(_("Choose the answer."), code=CaseErrorCode.INVALID, field="metric")
    try:
        value = Decimal(to_latin_digits(str(threshold)).strip())
    except (InvalidOperation, ValueError):
        raise _fail(
            _("Enter a number."), code=CaseErrorCode.BAD_THRESHOLD, field="threshold"
        ) from None
    low, high = METRIC_SCALES[metric]
    if not value.is_finite() or not low <= value <= high:
        raise _fail(
            _("The threshold of %(metric)s is between %(low)s and %(high)s.")
            % {"metric": metric.upper(), "low": low, "high": high},
            code=CaseErrorCode.BAD_THRESHOLD,
            field="threshold",
        )
    return value


def _feedback_save(rule: FeedbackRule, data: Mapping[str, Any]) -> FeedbackRule:
    _apply(rule, data, FEEDBACK_FIELDS)
    if not (rule.name or "").strip():
        raise _fail(_("Give the rule a name."), code=CaseErrorCode.INVALID, field="name")
    if rule.comparison not in Comparison.values:
        raise _fail(_("Choose ≤ or ≥."), code=CaseErrorCode.INVALID, field="comparison")
    rule.threshold = threshold_check(rule.metric, rule.threshold)
    rule.topic = (rule.topic or "").strip()
    rule.intent = (rule.intent or "").strip()
    if rule.intent and rule.intent not in INTENTS:
        raise _fail(
            _("Unknown intent; use one of: %(intents)s") % {"intents": ", ".join(INTENTS)},
            code=CaseErrorCode.INVALID,
            field="intent",
        )
    if (rule.topic or rule.intent) and rule.metric not in TEXT_METRICS:
        raise _fail(
            _("Topic and intent apply to comment and social post rules only."),
            code=CaseErrorCode.INVALID,
            field="metric",
        )
    if rule.case_type_id is None:
        raise _fail(_("Choose the case type."), code=CaseErrorCode.INVALID, field="case_type")
    _full_clean(rule)
    rule.save()
    return rule


@transaction.atomic
def feedback_rule_create(**data: Any) -> FeedbackRule:
    return _feedback_save(FeedbackRule(position=_next_position(FeedbackRule)), data)


@transaction.atomic
def feedback_rule_update(*, rule: FeedbackRule, data: Mapping[str, Any]) -> FeedbackRule:
    return _feedback_save(rule, data)


@transaction.atomic
def feedback_rule_delete(*, rule: FeedbackRule) -> None:
    rule.delete()


# --- SLA policies: durations, targets and the escalation chain ---------------------------

MINUTES_PER_UNIT: dict[str, int] = {
    "d": 24 * 60,
    "day": 24 * 60,
    "days": 24 * 60,
    "روز": 24 * 60,
    "يوم": 24 * 60,
    "أيام": 24 * 60,
    "nap": 24 * 60,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "ساعت": 60,
    "ساعة": 60,
    "ساعات": 60,
    "ó": 60,
    "óra": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "دقیقه": 1,
    "دقيقة": 1,
    "دقائق": 1,
    "p": 1,
    "perc": 1,
}
MAX_TARGET_MINUTES = 365 * 24 * 60
_DURATION_PART = re.compile(r"(\d+)\s*([^\d\s,]+)")
_DURATION = re.compile(r"\s*(?:\d+\s*[^\d\s,]+[\s,]*)+")


def parse_duration(text: Any, *, field: str = "targets") -> int:
    """Minutes from `4h`, `1d 2h`, `90m`, `۲ ساعت`, or a bare number of minutes.
    A day is 24 hours of business time (the clock only runs in working hours)."""
    if isinstance(text, int) and not isinstance(text, bool):
        minutes = text
    else:
        value = to_latin_digits(str(text or "")).strip().lower()
        if value.isdigit():
            minutes = int(value)
        elif value and _DURATION.fullmatch(value):
            minutes = 0
            for number, unit in _DURATION_PART.findall(value):
                if unit not in MINUTES_PER_UNIT:
                    raise _bad_duration(text, field)
                minutes += int(number) * MINUTES_PER_UNIT[unit]
        else:
            raise _bad_duration(text, field)
    if not 0 < minutes <= MAX_TARGET_MINUTES:
        raise _fail(
            _("A target is more than 0 minutes and at most 365 days."),
            code=CaseErrorCode.BAD_DURATION,
            field=field,
        )
    return minutes


def _bad_duration(text: Any, field: str) -> ApplicationError:
    return _fail(
        _("“%(text)s” is not a duration: write e.g. 4h, 1d 2h or 90m.") % {"text": text},
        code=CaseErrorCode.BAD_DURATION,
        field=field,
    )


def format_duration(minutes: int | None) -> str:
    """`1560` → `1d 2h`; empty for None."""
    if not minutes:
        return ""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p)


TARGET_KINDS = ("first_response", "resolution")


def targets_clean(targets: Any) -> dict[str, dict[str, int]]:
    """`{priority: {first_response, resolution}}` with durations (text or minutes) as
    minutes; a missing or empty target is left out (no target for that priority)."""
    if not isinstance(targets, Mapping):
        raise _fail(
            _("Targets must be an object by priority."), code=CaseErrorCode.INVALID, field="targets"
        )
    result: dict[str, dict[str, int]] = {}
    for priority, kinds in targets.items():
        if priority not in Priority.values:
            raise _fail(
                _("Unknown priority: %(p)s") % {"p": priority},
                code=CaseErrorCode.INVALID,
                field="targets",
            )
        if not isinstance(kinds, Mapping):
            raise _fail(
                _("Targets of %(p)s must be an object.") % {"p": priority},
                code=CaseErrorCode.INVALID,
                field="targets",
            )
        for kind, value in kinds.items():
            if kind not in TARGET_KINDS:
                raise _fail(
                    _("Unknown target: %(k)s") % {"k": kind},
                    code=CaseErrorCode.INVALID,
                    field="targets",
                )
            if value in (None, ""):
                continue
            result.setdefault(priority, {})[kind] = parse_duration(value)
    for priority, kinds in result.items():
        first, resolution = kinds.get("first_response"), kinds.get("resolution")
        if first and resolution and first > resolution:
            raise _fail(
                _("The first response of %(p)s cannot be due after the resolution.")
                % {"p": Priority(priority).label},
                code=CaseErrorCode.INVALID,
                field="targets",
            )
    return result


MAX_ESCALATION_STEPS = 3


def escalation_clean(steps: Any) -> list[dict[str, Any]]:
    """Up to three steps `{at_percent, notify, reassign}` with increasing percentages of the
    resolution time. An error names the step (`extra["step"]`, from 0)."""
    if not isinstance(steps, list):
        raise _fail(
            _("The escalation chain is a list of steps."),
            code=CaseErrorCode.BAD_ESCALATION,
            field="escalation",
        )
    if len(steps) > MAX_ESCALATION_STEPS:
        raise _fail(
            _("At most %(n)s escalation steps.") % {"n": MAX_ESCALATION_STEPS},
            code=CaseErrorCode.BAD_ESCALATION,
            field="escalation",
        )
    result: list[dict[str, Any]] = []
    last = 0
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise _fail(
                _("An escalation step is an object."),
                code=CaseErrorCode.BAD_ESCALATION,
                field="escalation",
                step=index,
            )
        at = step.get("at_percent")
        if isinstance(at, str) and to_latin_digits(at).strip().isdigit():
            at = int(to_latin_digits(at).strip())
        if isinstance(at, bool) or not isinstance(at, int) or not 1 <= at <= 1000:
            raise _fail(
                _("Step %(n)s: the percentage is a whole number from 1 to 1000.")
                % {"n": index + 1},
                code=CaseErrorCode.BAD_ESCALATION,
                field="escalation",
                step=index,
            )
        if at <= last:
            raise _fail(
                _("Step %(n)s: each step must come at a higher percentage than the one before.")
                % {"n": index + 1},
                code=CaseErrorCode.BAD_ESCALATION,
                field="escalation",
                step=index,
            )
        if step.get("notify") not in EscalationTarget.values:
            raise _fail(
                _("Step %(n)s: choose whom to notify.") % {"n": index + 1},
                code=CaseErrorCode.BAD_ESCALATION,
                field="escalation",
                step=index,
            )
        result.append(
            {"at_percent": at, "notify": step["notify"], "reassign": bool(step.get("reassign"))}
        )
        last = at
    return result


SLA_FIELDS = ("name", "position", "is_active", "calendar", "warn_at_percent")
SLA_M2M = ("channels", "case_types")


def _sla_save(policy: SlaPolicy, data: Mapping[str, Any]) -> SlaPolicy:
    _apply(policy, data, SLA_FIELDS)
    if not (policy.name or "").strip():
        raise _fail(_("Give the policy a name."), code=CaseErrorCode.INVALID, field="name")
    if "priorities" in data:
        policy.priorities = _choices_check(data["priorities"], Priority.values, "priorities")
    if "tiers" in data:
        policy.tiers = _choices_check(data["tiers"], ClubTier.values, "tiers")
    if "targets" in data or policy.pk is None:
        policy.targets = targets_clean(data.get("targets", policy.targets))
    if not policy.targets:
        raise _fail(_("Give at least one target."), code=CaseErrorCode.INVALID, field="targets")
    if "escalation" in data:
        policy.escalation = escalation_clean(data["escalation"])
    _full_clean(policy)
    policy.save()
    _set_m2m(policy, data, SLA_M2M)
    return policy


@transaction.atomic
def sla_policy_create(**data: Any) -> SlaPolicy:
    """Create an SLA policy; `targets` may give durations as text (`4h`) or minutes."""
    return _sla_save(SlaPolicy(position=_next_position(SlaPolicy)), data)


@transaction.atomic
def sla_policy_update(*, policy: SlaPolicy, data: Mapping[str, Any]) -> SlaPolicy:
    return _sla_save(policy, data)


@transaction.atomic
def sla_policy_delete(*, policy: SlaPolicy) -> None:
    """Refused while open cases run on the policy (make it inactive instead)."""
    count = Case.objects.filter(sla_policy=policy, status_category__in=ACTIVE_CATEGORIES).count()
    if count:
        raise _fail(
            _(
                "%(count)s open cases run on this policy, so it cannot be deleted; "
                "make it inactive instead."
            )
            % {"count": count},
            code=CaseErrorCode.IN_USE,
        )
    policy.delete()


# --- canned replies ------------------------------------------------------------------------

CANNED_VARIABLES = ("customer_name", "case_number", "agent_name")


_BRACED = re.compile(r"\{([^{}]*)\}")


def canned_text_check(text: str, *, field: str = "texts") -> str:
    """The text when every `{…}` in it is one of the known variables and no brace is left
    unpaired (the reply box fills in exactly `{customer_name}`, `{case_number}` and
    `{agent_name}`; see `cxm.cases.canned`)."""
    for name in _BRACED.findall(text):
        if name not in CANNED_VARIABLES:
            raise _fail(
                _("Unknown variable %(variable)s: use only %(known)s.")
                % {
                    "variable": "{" + name + "}",
                    "known": ", ".join("{" + v + "}" for v in CANNED_VARIABLES),
                },
                code=CaseErrorCode.BAD_TEMPLATE,
                field=field,
            )
    if "{" in _BRACED.sub("", text) or "}" in _BRACED.sub("", text):
        raise _fail(
            _("The braces do not balance: write a variable as {customer_name}."),
            code=CaseErrorCode.BAD_TEMPLATE,
            field=field,
        )
    return text


def canned_texts_clean(texts: Any) -> dict[str, str]:
    if not isinstance(texts, Mapping):
        raise _fail(_("Texts are given per language."), code=CaseErrorCode.INVALID, field="texts")
    unknown = [code for code in texts if code not in LANGUAGES]
    if unknown:
        raise _fail(
            _("Unknown language: %(code)s.") % {"code": unknown[0]},
            code=CaseErrorCode.INVALID,
            field="texts",
        )
    result: dict[str, str] = {}
    for code in LANGUAGES:
        value = texts.get(code)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _fail(_("A text is text."), code=CaseErrorCode.INVALID, field="texts")
        value = value.strip()
        if len(value) > TEXT_MAX_LENGTH:
            raise _fail(
                _("A text has at most %(n)s characters.") % {"n": TEXT_MAX_LENGTH},
                code=CaseErrorCode.INVALID,
                field=f"text_{code}",
            )
        if value:
            result[code] = canned_text_check(value, field=f"text_{code}")
    if not result:
        raise _fail(
            _("Write the reply in at least one language."),
            code=CaseErrorCode.INVALID,
            field="texts",
        )
    return result


def canned_render(text: str, values: Mapping[str, Any]) -> str:
    """The text with its variables replaced, as the reply box does (a preview)."""
    for name in CANNED_VARIABLES:
        text = text.replace("{" + name + "}", str(values.get(name, "")))
    return text


def canned_sample_values() -> dict[str, str]:
    return {"customer_name": _("Sara Ahmadi"), "case_number": "#1234", "agent_name": _("Reza")}


def _canned_save(reply: CannedReply, data: Mapping[str, Any]) -> CannedReply:
    _apply(reply, data, ("title", "is_active"))
    reply.title = (reply.title or "").strip()
    if not reply.title:
        raise _fail(_("Give the reply a title."), code=CaseErrorCode.INVALID, field="title")
    if "texts" in data or reply.pk is None:
        reply.texts = canned_texts_clean(data.get("texts", reply.texts))
    _full_clean(reply)
    reply.save()
    return reply


@transaction.atomic
def canned_reply_create(**data: Any) -> CannedReply:
    return _canned_save(CannedReply(), data)


@transaction.atomic
def canned_reply_update(*, reply: CannedReply, data: Mapping[str, Any]) -> CannedReply:
    return _canned_save(reply, data)


@transaction.atomic
def canned_reply_delete(*, reply: CannedReply) -> None:
    reply.delete()
