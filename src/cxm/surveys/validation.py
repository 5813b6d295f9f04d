"""Turning raw answers and responses (a web form, an API item, later a spreadsheet row) into
clean values.

`clean_answers` serves the public survey page and the API alike, and `clean_response_input`
serves the single and bulk API (and the CSV import that comes later), so every path accepts
and rejects the same things with the same translated messages. Lookups (surveys, channels,
customers …) are prepared once per request by `cxm.surveys.selectors.response_context`.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxm.core.text import clean_text, to_latin_digits
from cxm.surveys.error_codes import SurveyErrorCode as Code
from cxm.surveys.models import (
    CHOICE_TYPES,
    LANGUAGE_CODES,
    Question,
    QuestionType,
    ResponseSource,
    Survey,
)

TEXT_MAX = 5000
HIDDEN_MAX = 500
_INTEGER = re.compile(r"^[+-]?\d+$")
_FIELDS = {
    "survey",
    "external_id",
    "customer_external_id",
    "channel",
    "touchpoint",
    "team",
    "agent",
    "language",
    "hidden",
    "submitted_at",
    "source",
    "answers",
}


class InputError(Exception):
    """`errors` maps a field name (or `answers.<key>`) to (code, translated message)."""

    def __init__(self, errors: dict[str, tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class CleanAnswer:
    question_id: int
    key: str
    number: Decimal | None = None
    text: str = ""
    choices: tuple[str, ...] = ()
    scale_max: int | None = None
    matrix: tuple[tuple[str, int | str], ...] = ()  # (row code, value) in row order

    @property
    def logic_value(self) -> Any:
        """The value display logic and variants compare: an int, a text, a list or (a
        matrix) an object."""
        if self.number is not None:
            return int(self.number)
        if self.choices:
            return list(self.choices)
        if self.matrix:
            return dict(self.matrix)
        return self.text or None

    @property
    def stored_choices(self) -> list[str] | dict[str, int | str]:
        """What `Answer.choices` keeps: the chosen codes, or a matrix's {row: value}."""
        return dict(self.matrix) if self.matrix else list(self.choices)


def _whole_number(raw: Any) -> int | None:
    """An int from an int, an integral float or digits in any script; None otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, str):
        value = to_latin_digits(raw.strip())
        return int(value) if _INTEGER.match(value) else None
    return None


def _is_empty(raw: Any) -> bool:
    if isinstance(raw, Mapping):  # a matrix: empty when no row is answered
        return all(_is_empty(value) for value in raw.values())
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _clean_matrix(question: Question, raw: Any) -> CleanAnswer:
    """Validate a matrix answer {row code: value}. Errors of one row are keyed
    `<key>.<row code>` (the import's column of that row), others by the question key."""
    key = question.key
    if not isinstance(raw, Mapping):
        raise InputError(
            {key: (Code.INVALID, _("Answer each row, as an object of row codes and values."))}
        )
    numeric = not question.matrix_columns
    low, high = 1, question.scale_max or 5
    columns = question.column_codes
    errors: dict[str, tuple[str, str]] = {}
    for name in raw:
        if str(name) not in question.option_codes:
            errors[f"{key}.{name}"] = (
                Code.UNKNOWN_ROW,
                _("This question has no row “%(value)s”.") % {"value": clean_text(str(name))},
            )
    answered: list[tuple[str, int | str]] = []
    for row in question.option_codes:
        value = raw.get(row)
        if _is_empty(value):
            if question.required:
                errors[f"{key}.{row}"] = (Code.REQUIRED, _("Please answer this row."))
            continue
        if numeric:
            number = _whole_number(value)
            if number is None:
                errors[f"{key}.{row}"] = (
                    Code.NOT_A_NUMBER,
                    _("Choose a whole number from %(low)d to %(high)d.")
                    % {"low": low, "high": high},
                )
            elif not low <= number <= high:
                errors[f"{key}.{row}"] = (
                    Code.OUT_OF_RANGE,
                    _("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high},
                )
            else:
                answered.append((row, number))
            continue
        code = clean_text(str(value)) if isinstance(value, str | int) else ""
        if code not in columns:
            errors[f"{key}.{row}"] = (
                Code.UNKNOWN_CHOICE,
                _("Unknown option “%(value)s”.") % {"value": clean_text(str(value))},
            )
        else:
            answered.append((row, code))
    if errors:
        raise InputError(errors)
    return CleanAnswer(
        question.pk, key, matrix=tuple(answered), scale_max=high if numeric else None
    )


def clean_answer(question: Question, raw: Any) -> CleanAnswer:
    """Validate one answer. Raises InputError({key: (code, message)})."""
    key = question.key

    def fail(code: str, message: str) -> InputError:
        return InputError({key: (code, message)})

    if question.is_matrix:
        return _clean_matrix(question, raw)
    if question.is_scale:
        low, high = question.scale_min, question.scale_max or 10
        number = _whole_number(raw)
        if number is None:
            raise fail(
                Code.NOT_A_NUMBER,
                _("Choose a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
        if not low <= number <= high:
            raise fail(
                Code.OUT_OF_RANGE,
                _("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
        return CleanAnswer(question.pk, key, number=Decimal(number), scale_max=high)
    if question.type in CHOICE_TYPES:
        if isinstance(raw, str):
            items = [p for p in re.split(r"[;,،|]", raw) if p.strip()]
        elif isinstance(raw, list | tuple):
            items = list(raw)
        else:
            items = [raw]
        codes = [clean_text(str(item)) for item in items]
        unknown = [c for c in codes if c not in question.option_codes]
        if unknown:
            raise fail(
                Code.UNKNOWN_CHOICE,
                _("Unknown option “%(value)s”.") % {"value": unknown[0]},
            )
        if question.type == QuestionType.SINGLE and len(codes) != 1:
            raise fail(Code.INVALID, _("Choose one option."))
        ordered = tuple(c for c in question.option_codes if c in codes)
        return CleanAnswer(question.pk, key, choices=ordered)
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise fail(Code.INVALID, _("Enter text."))
    text = clean_text(str(raw))
    limit = HIDDEN_MAX if question.type == QuestionType.HIDDEN else TEXT_MAX
    if len(text) > limit:
        raise fail(Code.TOO_LONG, _("At most %(n)d characters.") % {"n": limit})
    return CleanAnswer(question.pk, key, text=text)


def clean_answers(
    questions: Iterable[Question],
    raw: Mapping[str, Any],
    *,
    known: Mapping[str, Any] | None = None,
    strict: bool = True,
) -> dict[str, CleanAnswer]:
    """Validate the answers to `questions` (hidden fields excluded), in order.

    Display logic is applied as it goes: a question that `show_if` hides is skipped (its
    answer, if any, dropped) and cannot be required. `known` gives values of questions not
    in `questions` (earlier pages) for that logic. With `strict`, keys of no question are an
    error. Raises InputError listing every bad answer.
    """
    questions = [q for q in questions if q.type != QuestionType.HIDDEN]
    errors: dict[str, tuple[str, str]] = {}
    values: dict[str, Any] = dict(known or {})
    result: dict[str, CleanAnswer] = {}
    if strict:
        keys = {q.key for q in questions}
        for name in raw:
            if name not in keys:
                errors[name] = (Code.UNKNOWN_QUESTION, _("This survey has no such question."))
    for question in questions:
        if not question.is_shown(values):
            continue
        value = raw.get(question.key)
        if _is_empty(value):
            if question.required:
                errors[question.key] = (Code.REQUIRED, _("Please answer this question."))
            continue
        try:
            answer = clean_answer(question, value)
        except InputError as exc:
            errors.update(exc.errors)
            continue
        result[question.key] = answer
        values[question.key] = answer.logic_value
    if errors:
        raise InputError(errors)
    return result


def clean_hidden(raw: Any, *, allowed: Sequence[str] | None = None) -> dict[str, str]:
    """Hidden fields: a flat object of short texts. Raises InputError({"hidden": …})."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise InputError({"hidden": (Code.INVALID, _("Hidden fields must be a JSON object."))})
    result: dict[str, str] = {}
    for name, value in raw.items():
        if allowed is not None and name not in allowed:
            continue
        text = clean_text(str(value)) if value is not None else ""
        if len(text) > HIDDEN_MAX or len(str(name)) > 50:
            raise InputError({"hidden": (Code.TOO_LONG, _("A hidden field is too long."))})
        result[str(name)] = text
    return result


@dataclass
class ResponseContext:
    """What validating a batch of responses needs to look up, read once per request."""

    surveys: dict[int, Survey]
    questions: dict[int, list[Question]]
    channels: dict[str, int]
    touchpoints: dict[int, int]  # touchpoint id -> stage id
    customers: dict[str, int]  # external id -> pk
    teams: set[int]
    agents: dict[str, int]  # username -> pk


@dataclass
class CleanResponse:
    survey_id: int
    language: str
    submitted_at: dt.datetime
    answers: list[CleanAnswer]
    external_id: str | None = None
    customer_id: int | None = None
    channel_id: int | None = None
    touchpoint_id: int | None = None
    stage_id: int | None = None
    team_id: int | None = None
    agent_id: int | None = None
    hidden: dict[str, str] = field(default_factory=dict)
    source: str = ResponseSource.API
    invitation_id: int | None = None
    ip_hash: str = ""


def _datetime(raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        value: dt.datetime | None = raw
    else:
        try:
            value = parse_datetime(str(raw).strip())
        except ValueError:
            value = None
    if value is None:
        raise ValueError(_("Give a date and time as 2025-03-01T10:30:00+03:30."))
    if timezone.is_naive(value):
        raise ValueError(_("Give the time zone too, e.g. +03:30 or Z."))
    return value


# Messages built only when an item is wrong (a bulk request validates 10,000 items).
_UNKNOWN_CUSTOMER = gettext_lazy("No customer has the external id “%(value)s”.")
_UNKNOWN_CHANNEL = gettext_lazy("Unknown channel “%(value)s”.")
_UNKNOWN_AGENT = gettext_lazy("No user has the username “%(value)s”.")
_SOURCES = frozenset(ResponseSource.values)


def clean_response_input(
    raw: Mapping[str, Any], *, context: ResponseContext, require_external_id: bool = False
) -> CleanResponse:
    """Validate one response of the API (single or bulk). Raises InputError listing every
    bad field; answer errors are under `answers.<question key>`."""
    errors: dict[str, tuple[str, str]] = {}
    for name in raw:
        if name not in _FIELDS:
            errors[name] = (Code.INVALID, _("Unknown field."))

    survey = None
    survey_id = _whole_number(raw.get("survey"))
    if raw.get("survey") in (None, ""):
        errors["survey"] = (Code.REQUIRED, _("This field is required."))
    elif survey_id is None or survey_id not in context.surveys:
        errors["survey"] = (Code.UNKNOWN_SURVEY, _("Unknown survey."))
    else:
        survey = context.surveys[survey_id]

    external_id = clean_text(str(raw.get("external_id") or "")) or None
    if external_id and len(external_id) > 100:
        errors["external_id"] = (Code.TOO_LONG, _("At most %(n)d characters.") % {"n": 100})
    if require_external_id and not external_id:
        errors["external_id"] = (Code.REQUIRED, _("This field is required."))

    def lookup(name: str, table: Mapping[str, int], code: str, message: Any) -> int | None:
        value = clean_text(str(raw.get(name) or ""))
        if not value:
            return None
        if value not in table:
            errors[name] = (code, message % {"value": value})
            return None
        return table[value]

    customer_id = lookup(
        "customer_external_id", context.customers, Code.UNKNOWN_CUSTOMER, _UNKNOWN_CUSTOMER
    )
    channel_id = lookup("channel", context.channels, Code.UNKNOWN_CHANNEL, _UNKNOWN_CHANNEL)
    agent_id = lookup("agent", context.agents, Code.UNKNOWN_AGENT, _UNKNOWN_AGENT)

    touchpoint_id = stage_id = None
    if raw.get("touchpoint") not in (None, ""):
        touchpoint_id = _whole_number(raw.get("touchpoint"))
        if touchpoint_id is None or touchpoint_id not in context.touchpoints:
            errors["touchpoint"] = (Code.UNKNOWN_TOUCHPOINT, _("Unknown touchpoint."))
            touchpoint_id = None
        else:
            stage_id = context.touchpoints[touchpoint_id]
    elif survey is not None and survey.touchpoint_id:
        touchpoint_id = survey.touchpoint_id
        stage_id = context.touchpoints.get(touchpoint_id)

    team_id = None
    if raw.get("team") not in (None, ""):
        team_id = _whole_number(raw.get("team"))
        if team_id is None or team_id not in context.teams:
            errors["team"] = (Code.UNKNOWN_TEAM, _("Unknown team."))
            team_id = None

    language = clean_text(str(raw.get("language") or "")).lower()
    if language and language not in LANGUAGE_CODES:
        errors["language"] = (
            Code.UNKNOWN_LANGUAGE,
            _("Unknown language “%(value)s”; use fa, ar, hu or en.") % {"value": language},
        )
    if survey is not None and not language:
        language = survey.default_language

    submitted_at = timezone.now()
    if raw.get("submitted_at") not in (None, ""):
        try:
            submitted_at = _datetime(raw["submitted_at"])
        except ValueError as exc:
            errors["submitted_at"] = (Code.INVALID, str(exc))

    source = clean_text(str(raw.get("source") or ResponseSource.API)).lower()
    if source not in _SOURCES:
        errors["source"] = (Code.INVALID, _("Unknown source “%(value)s”.") % {"value": source})

    hidden: dict[str, str] = {}
    try:
        hidden = clean_hidden(raw.get("hidden"))
    except InputError as exc:
        errors.update(exc.errors)

    answers: list[CleanAnswer] = []
    raw_answers = raw.get("answers")
    if not isinstance(raw_answers, Mapping) or not raw_answers:
        errors["answers"] = (
            Code.REQUIRED,
            _('Give the answers as an object keyed by question key, e.g. {"nps": 9}.'),
        )
    elif survey is not None:
        questions = context.questions.get(survey.pk, [])
        hidden_keys = {q.key for q in questions if q.type == QuestionType.HIDDEN}
        given = {k: v for k, v in raw_answers.items() if k not in hidden_keys}
        for key in hidden_keys & set(raw_answers):
            if raw_answers[key] not in (None, ""):  # an empty hidden answer is no answer
                hidden.setdefault(key, clean_text(str(raw_answers[key]))[:HIDDEN_MAX])
        try:
            answers = list(clean_answers(questions, given).values())
        except InputError as exc:
            errors.update({f"answers.{k}": v for k, v in exc.errors.items()})

    if errors or survey is None:
        raise InputError(errors)
    return CleanResponse(
        survey_id=survey.pk,
        language=language,
        submitted_at=submitted_at,
        answers=answers,
        external_id=external_id,
        customer_id=customer_id,
        channel_id=channel_id if channel_id is not None else survey.channel_id,
        touchpoint_id=touchpoint_id,
        stage_id=stage_id,
        team_id=team_id,
        agent_id=agent_id,
        hidden=hidden,
        source=source,
    )
