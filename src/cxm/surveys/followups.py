"""Follow-up surveys triggered by an answer (e.g. NPS ≤ 6 or CES ≥ 5 → a deeper survey).

After any write of responses (survey page, single and bulk API, spreadsheet import) the
write service calls `followups_invite` with the ids it wrote. It looks at all of them at
once, in a fixed number of queries, and creates at most one invitation per response
(`Invitation.source_response` is unique), only for responses with a customer, and none
for a customer who opted out on every channel the follow-up could be sent on.
"""

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.channels.models import Channel, ChannelKind
from cxm.common.bulk import bulk_insert
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import ChannelConsent, ConsentStatus
from cxm.surveys.error_codes import SurveyErrorCode as Code
from cxm.surveys.models import (
    Answer,
    FollowUpRule,
    Invitation,
    QuestionType,
    Response,
    Survey,
    SurveyStatus,
)
from cxm.surveys.tokens import new_key, sign_key

FOLLOWUP_EVENT = "survey.followup"
_INVITATION_COLUMNS = (
    "survey_id",
    "customer_id",
    "channel_id",
    "touchpoint_id",
    "language",
    "event",
    "hidden",
    "key",
    "token",
    "expires_at",
    "send_after",
    "source_response_id",
    "created_at",
    "updated_at",
)
# The kinds of channel a survey invitation can be sent on (those with a sender).
SENDING_KINDS = (ChannelKind.EMAIL, ChannelKind.SMS, ChannelKind.TELEGRAM)


def condition_matches(condition: Mapping[str, Any], value: Any) -> bool:
    """Whether an answer's value (a number, a text or a list of choices) meets `condition`."""
    if not condition or value is None:
        return False
    operator, operand = next(iter(condition.items()))
    if isinstance(value, list):
        return operator in ("eq", "in") and any(condition_matches(condition, v) for v in value)
    if operator == "in":
        options = operand if isinstance(operand, list) else [operand]
        return any(_equal(value, option) for option in options)
    if operator == "eq":
        return _equal(value, operand)
    number, limit = _number(value), _number(operand)
    if number is None or limit is None:
        return False
    if operator == "lte":
        return number <= limit
    if operator == "gte":
        return number >= limit
    if operator == "lt":
        return number < limit
    if operator == "gt":
        return number > limit
    return False


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _equal(a: Any, b: Any) -> bool:
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return x == y
    return str(a) == str(b)


# --------------------------------------------------------------------------- rules


@transaction.atomic
def followup_rule_create(
    *,
    survey: Survey,
    question_key: str,
    condition: Mapping[str, Any],
    followup_survey: Survey,
    delay_hours: int = 0,
    active: bool = True,
) -> FollowUpRule:
    """A rule on `survey`: an answer to `question_key` meeting `condition` invites the
    respondent to `followup_survey` after `delay_hours`."""
    if not survey.questions.filter(key=question_key).exclude(type=QuestionType.HIDDEN).exists():
        raise ApplicationError(
            _("This survey has no question “%(key)s”.") % {"key": question_key},
            code=Code.UNKNOWN_QUESTION,
        )
    rule = FollowUpRule(
        survey=survey,
        question_key=question_key,
        condition=dict(condition),
        followup_survey=followup_survey,
        delay_hours=delay_hours,
        active=active,
    )
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def followup_rule_delete(*, rule: FollowUpRule) -> None:
    """Remove a rule; invitations it already created stay."""
    rule.delete()


# --------------------------------------------------------------------- invitations


def _answer_value(number: Decimal | None, text: str, choices: list[str] | None) -> Any:
    if number is not None:
        return number
    if choices:
        return list(choices)
    return text or None


def followups_invite(*, response_ids: Collection[int]) -> int:
    """Create the follow-up invitations the rules ask for; returns how many were created.

    Set-based: one query for the rules (none more when there are none), one for the
    answers, one or two for consents and channels, one insert. Idempotent: a response
    that already has a follow-up invitation gets no other (and re-runs skip it).
    """
    ids = list(response_ids)
    if not ids:
        return 0
    rules = list(
        FollowUpRule.objects.filter(
            active=True,
            survey_id__in=Response.objects.filter(pk__any=ids).values("survey_id"),
        )
        .exclude(followup_survey__status=SurveyStatus.CLOSED)
        .select_related("followup_survey")
        .order_by("id")
    )
    if not rules:
        return 0
    by_question: dict[tuple[int, str], list[FollowUpRule]] = {}
    for rule in rules:
        by_question.setdefault((rule.survey_id, rule.question_key), []).append(rule)

    answers = (
        Answer.objects.filter(
            response_id__any=ids,
            question__survey_id__in={r.survey_id for r in rules},
            question__key__in={r.question_key for r in rules},
            response__customer__isnull=False,
            response__followup_invitation__isnull=True,
        )
        .values_list(
            "response_id",
            "question__survey_id",
            "question__key",
            "number_value",
            "text_value",
            "choices",
            "response__customer_id",
            "response__language",
            "response__channel_id",
            "response__touchpoint_id",
        )
        .order_by("response_id")
    )
    chosen: dict[int, tuple[FollowUpRule, tuple[Any, ...]]] = {}
    for row in answers:
        response_id, survey_id, key, number, text, choices = row[:6]
        value = _answer_value(number, text, choices)
        for rule in by_question.get((survey_id, key), ()):
            if condition_matches(rule.condition, value):
                current = chosen.get(response_id)
                if current is None or rule.pk < current[0].pk:  # the first rule wins
                    chosen[response_id] = (rule, row)
                break
    if not chosen:
        return 0

    customer_ids = {row[6] for _rule, row in chosen.values()}
    opted_out: dict[int, set[int]] = {}
    for customer_id, channel_id in ChannelConsent.objects.filter(
        customer_id__any=list(customer_ids), status=ConsentStatus.OPT_OUT
    ).values_list("customer_id", "channel_id"):
        opted_out.setdefault(customer_id, set()).add(channel_id)
    sendable: list[int] | None = None  # channels a survey without its own channel may use

    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    for response_id, (rule, row) in chosen.items():
        target = rule.followup_survey
        customer_id, language, channel_id, touchpoint_id = row[6:]
        if target.channel_id:
            candidates = [target.channel_id]
        else:
            if sendable is None:
                sendable = list(
                    Channel.objects.filter(kind__in=SENDING_KINDS, is_active=True, can_send=True)
                    .order_by("position", "code")
                    .values_list("id", flat=True)
                )
            candidates = sendable
        blocked = opted_out.get(customer_id, set())
        allowed = [c for c in candidates if c not in blocked]
        if candidates and not allowed:
            continue  # opted out everywhere the follow-up could go
        preferred = channel_id if channel_id in allowed else None
        channel = preferred or (allowed[0] if allowed else None)
        send_after = now + dt.timedelta(hours=rule.delay_hours)
        key = new_key()
        rows.append(
            (
                target.pk,
                customer_id,
                channel,
                target.touchpoint_id or touchpoint_id,
                target.pick_language(language),
                FOLLOWUP_EVENT,
                {},
                key,
                sign_key(key),
                send_after + dt.timedelta(days=target.invitation_valid_days),
                send_after,
                response_id,
                now,
                now,
            )
        )
    # Plain rows by COPY (thousands per import batch). A response already invited is
    # excluded above, and a concurrent write of the same response waits on its row lock,
    # so the unique source_response does not clash here; if it ever did, the write fails
    # whole rather than inviting twice.
    if rows:
        # Every other column gets its model default (delivery state and the like).
        others = [
            f
            for f in Invitation._meta.concrete_fields
            if not f.primary_key and f.attname not in _INVITATION_COLUMNS
        ]
        defaults = tuple(f.get_default() for f in others)
        bulk_insert(
            Invitation,
            [*_INVITATION_COLUMNS, *(f.attname for f in others)],
            [row + defaults for row in rows],
        )
    return len(rows)
