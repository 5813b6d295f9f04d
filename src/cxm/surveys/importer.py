"""The response importer: spreadsheet rows of one survey → `clean_response_input` →
`responses_upsert`, through the generic import machinery (mapping, dry run, all or nothing,
encodings) of `cxm.imports`.

The survey is chosen at upload (`ImportJob.options["survey"]`). Its questions become target
fields (named by question key; a key that clashes with a fixed field is named
`answer_<key>`), with the question texts in every language as aliases, so a header written
in Persian, Arabic, Hungarian or English maps by itself. Validation is the API's own
(`clean_response_input`), so a row is accepted or refused exactly as an API item is, and
rows are written by the same idempotent upsert (by external id).

Names in the file are resolved here: a touchpoint by id or name, a team by name, a channel
by code or name; customers and agents are looked up per batch of rows (one query each).
`submitted_at` accepts ISO, Excel dates and Jalali dates (`1403/01/05 14:30`, any digits);
naive times are in `settings.TIME_ZONE`.
"""

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxm.accounts.models import Team, User
from cxm.accounts.roles import Capability
from cxm.analytics.services import kpi_rollup_refresh_touched, local_day
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.core.jalali import parse_date
from cxm.core.spreadsheets import cell_text, normalize_header
from cxm.core.text import clean_text, to_latin_digits
from cxm.customers.models import Customer
from cxm.imports.registry import (
    BatchResult,
    Importer,
    RowContext,
    RowInvalid,
    TargetField,
    UploadOption,
    register_importer,
)
from cxm.journeys.models import Touchpoint
from cxm.surveys.error_codes import SurveyErrorCode as Code
from cxm.surveys.models import Question, ResponseSource, Survey
from cxm.surveys.services import responses_upsert
from cxm.surveys.validation import InputError, ResponseContext, clean_response_input

_MOMENT = re.compile(r"^(\d{4}[/\-.]\d{1,2}[/\-.]\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_EXCEL_SERIAL = (1.0, 2_958_465.0)  # 1900-01-01 … 9999-12-31

ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "id",
        "response id",
        "external id",
        "شناسه",
        "شناسه پاسخ",
        "کد پاسخ",
        "معرف الرد",
        "المعرف",
        "azonosító",
        "válasz azonosító",
    ),
    "customer_external_id": (
        "customer",
        "customer id",
        "customer code",
        "شناسه مشتری",
        "کد مشتری",
        "مشتری",
        "معرف العميل",
        "رقم العميل",
        "العميل",
        "ügyfél",
        "ügyfél azonosító",
        "ügyfélazonosító",
    ),
    "submitted_at": (
        "date",
        "time",
        "submitted",
        "response date",
        "تاریخ",
        "زمان",
        "تاریخ پاسخ",
        "تاريخ",
        "التاريخ",
        "الوقت",
        "dátum",
        "időpont",
        "kitöltés ideje",
    ),
    "channel": ("کانال", "القناة", "csatorna"),
    "touchpoint": ("نقطه تماس", "نقطة الاتصال", "nقطة التواصل", "érintkezési pont"),
    "team": ("تیم", "الفريق", "فريق", "csapat"),
    "agent": ("کارشناس", "اپراتور", "الموظف", "الوكيل", "ügyintéző", "munkatárs"),
    "language": ("lang", "زبان", "اللغة", "nyelv"),
}
FIXED = tuple(ALIASES)


def _fixed_fields() -> list[TargetField]:
    labels = {
        "external_id": gettext_lazy("External id"),
        "customer_external_id": gettext_lazy("Customer external id"),
        "submitted_at": gettext_lazy("Submitted at"),
        "channel": gettext_lazy("Channel"),
        "touchpoint": gettext_lazy("Touchpoint"),
        "team": gettext_lazy("Team"),
        "agent": gettext_lazy("Agent"),
        "language": gettext_lazy("Language"),
    }
    helps = {
        "external_id": gettext_lazy("Re-importing a response with the same id replaces it."),
        "submitted_at": gettext_lazy(
            "2025-03-21 14:30, 1404/01/01 14:30 (Jalali) or an Excel date; without a time "
            "zone, the organisation's."
        ),
        "channel": gettext_lazy("Channel code or name."),
        "touchpoint": gettext_lazy("Touchpoint id or name."),
        "team": gettext_lazy("Team name."),
        "agent": gettext_lazy("Username."),
        "language": gettext_lazy("fa, ar, hu or en."),
    }
    return [
        TargetField(
            name,
            labels[name],
            required=name == "external_id",
            aliases=ALIASES[name],
            help_text=helps.get(name, ""),
        )
        for name in FIXED
    ]


def target_name(key: str) -> str:
    """The target field of a question: its key, or `answer_<key>` if that clashes."""
    return f"answer_{key}" if key in FIXED else key


def parse_moment(raw: Any) -> dt.datetime:
    """A submission time from a cell: an Excel date or serial, ISO (with or without time
    zone) or a Jalali/Gregorian `YYYY/MM/DD [HH:MM[:SS]]` in any digits. Naive times are
    in settings.TIME_ZONE. Raises ValueError."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time())
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        if not _EXCEL_SERIAL[0] <= raw <= _EXCEL_SERIAL[1]:
            raise ValueError(raw)
        from openpyxl.utils.datetime import from_excel

        value = from_excel(raw)
    else:
        text = to_latin_digits(clean_text(str(raw)))
        match = _MOMENT.match(text)
        if match:
            day = parse_date(match.group(1), prefer_jalali=False)
            hour, minute, second = (int(g or 0) for g in match.groups()[1:])
            value = dt.datetime.combine(day, dt.time(hour, minute, second))
        else:
            parsed = parse_datetime(text)
            if parsed is None:
                raise ValueError(raw)
            value = parsed
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone)
    return value


def _cell_answer(value: Any) -> Any:
    """A cell as an answer value: Excel's whole floats as ints, None when empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps every number as a float
    elif value is not None and not isinstance(value, str | int | float):
        value = cell_text(value)
    if value is None or not cell_text(value).strip():  # an empty cell: no answer
        return None
    return value


def matrix_field(key: str, row: str) -> str:
    """The target field (and export column) of one row of a matrix question."""
    return f"{target_name(key)}.{row}"


def _matrix_fields(question: Question, label: str) -> list[TargetField]:
    """One target field per matrix row; its aliases pair the question's text with the
    row's label in each language ("Service – Speed")."""
    scale = ", ".join(question.column_codes)
    result = []
    for row, row_label in question.option_labels(settings.LANGUAGE_CODE):
        labels = next(o.get("labels") or {} for o in question.options if o["code"] == row)
        aliases = [f"{question.key}.{row}"]
        for language, text in (question.texts or {}).items():
            if text and labels.get(language):
                aliases.append(f"{text} – {labels[language]}")
        result.append(
            TargetField(
                matrix_field(question.key, row),
                f"{label} – {row_label}",
                aliases=tuple(aliases),
                help_text=f"{question.get_type_display()}: {scale}",
            )
        )
    return result


@register_importer
class ResponseImporter(Importer):
    """Responses to one survey, by external id: who, when, where (channel, touchpoint,
    team, agent), the language and one column per question (hidden fields included)."""

    kind = "responses"
    label = gettext_lazy("Survey responses")
    capability = Capability.RESPONSES_IMPORT
    key_field = "external_id"
    batch_size = 2000

    # ------------------------------------------------------------------ options, fields

    def option_fields(self) -> Sequence[UploadOption]:
        def surveys() -> list[tuple[str, str]]:
            return [(str(pk), name) for pk, name in Survey.objects.values_list("pk", "name")]

        return [
            UploadOption(
                "survey",
                gettext_lazy("Survey"),
                choices=surveys,
                help_text=gettext_lazy("For survey responses: the survey the file answers."),
            )
        ]

    def clean_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        value = to_latin_digits(str(raw.get("survey") or "").strip())
        if not value:
            raise ApplicationError(
                _("Choose the survey the responses answer."), code=Code.UNKNOWN_SURVEY
            )
        if not value.isdigit() or not Survey.objects.filter(pk=int(value)).exists():
            raise ApplicationError(_("Unknown survey."), code=Code.UNKNOWN_SURVEY)
        return {"survey": int(value)}

    def _questions(self, options: Mapping[str, Any] | None) -> list[Question]:
        survey_id = (options or {}).get("survey")
        if not survey_id:
            return []
        return list(Question.objects.filter(survey_id=survey_id).order_by("page", "position", "id"))

    def fields(self, options: Mapping[str, Any] | None = None) -> Sequence[TargetField]:
        """Fixed fields, then one per question of the chosen survey (a matrix: one per
        row, `<key>.<row code>` as in the export). One query."""
        questions: list[TargetField] = []
        for q in self._questions(options):
            label = q.text_for(settings.LANGUAGE_CODE) if q.texts else q.key
            if q.is_matrix:
                questions.extend(_matrix_fields(q, label))
                continue
            questions.append(
                TargetField(
                    target_name(q.key),
                    label,
                    aliases=(q.key, *(t for t in (q.texts or {}).values() if t)),
                    help_text=q.get_type_display(),
                )
            )
        return [*_fixed_fields(), *questions]

    # ------------------------------------------------------------------------ context

    def context(self, *, actor: Any, options: Mapping[str, Any] | None = None) -> RowContext:
        """The survey, its questions, and the small lookup tables (channels, touchpoints,
        teams) once per run; customers and agents come per batch (`prefetch`)."""
        options = dict(options or {})
        survey = Survey.objects.get(pk=options["survey"])
        questions = self._questions(options)
        channels = dict(Channel.objects.values_list("code", "id"))
        channel_names: dict[str, str] = {}
        for channel in Channel.objects.all():
            for name in (channel.code, channel.name, str(channel.get_kind_display())):
                channel_names.setdefault(normalize_header(name), channel.code)
        touchpoints: dict[int, int] = {}
        touchpoint_names: dict[str, int] = {}
        for pk, name, stage_id in Touchpoint.objects.values_list("pk", "name", "stage_id"):
            touchpoints[pk] = stage_id
            touchpoint_names.setdefault(normalize_header(name), pk)
        teams: dict[str, int] = {}
        for pk, name in Team.objects.values_list("pk", "name"):
            teams.setdefault(normalize_header(name), pk)
        response_context = ResponseContext(
            surveys={survey.pk: survey},
            questions={survey.pk: questions},
            channels=channels,
            touchpoints=touchpoints,
            customers={},
            teams=set(teams.values()),
            agents={},
        )
        return RowContext(
            actor=actor,
            options=options,
            data={
                "survey": survey,
                "answers": [(target_name(q.key), q.key) for q in questions if not q.is_matrix],
                "matrices": [
                    (q.key, [(matrix_field(q.key, row), row) for row in q.option_codes])
                    for q in questions
                    if q.is_matrix
                ],
                "responses": response_context,
                "channel_names": channel_names,
                "touchpoint_names": touchpoint_names,
                "team_names": teams,
            },
        )

    def prefetch(self, rows: Sequence[Mapping[str, Any]], context: RowContext) -> None:
        """Customers and agents the next rows name: one query each."""
        lookups: ResponseContext = context.data["responses"]

        def wanted(name: str) -> set[str]:
            return {clean_text(cell_text(r.get(name))) for r in rows} - {""}

        customers = wanted("customer_external_id")
        lookups.customers = (
            dict(
                Customer.objects.filter(external_id__in=customers).values_list("external_id", "id")
            )
            if customers
            else {}
        )
        agents = wanted("agent")
        lookups.agents = (
            dict(User.objects.filter(username__in=agents).values_list("username", "id"))
            if agents
            else {}
        )

    # ---------------------------------------------------------------------------- rows

    def row_key(self, values: Mapping[str, Any]) -> str:
        return clean_text(cell_text(values.get("external_id")))

    def clean_row(self, values: Mapping[str, Any], context: RowContext) -> Any:
        data = context.data
        survey: Survey = data["survey"]
        errors: dict[str, tuple[str, str]] = {}
        raw: dict[str, Any] = {
            "survey": survey.pk,
            "external_id": cell_text(values.get("external_id")),
            "source": ResponseSource.IMPORT,
        }
        for name in ("customer_external_id", "agent", "language"):
            if name in values:
                raw[name] = cell_text(values[name])
        if channel := clean_text(cell_text(values.get("channel"))):
            raw["channel"] = data["channel_names"].get(normalize_header(channel), channel)
        for name, table in (("touchpoint", "touchpoint_names"), ("team", "team_names")):
            text = to_latin_digits(clean_text(cell_text(values.get(name))))
            if text:
                raw[name] = (
                    text if text.isdigit() else data[table].get(normalize_header(text), text)
                )
        moment = values.get("submitted_at")
        if moment is not None and cell_text(moment).strip():
            try:
                raw["submitted_at"] = parse_moment(moment)
            except (ValueError, OverflowError):
                errors["submitted_at"] = (
                    Code.INVALID,
                    _(
                        "Give a date and time as 2025-03-21 14:30 or 1404/01/01 14:30 (Jalali), "
                        "or an Excel date."
                    ),
                )
        answers: dict[str, Any] = {}
        for name, key in data["answers"]:
            value = _cell_answer(values.get(name))
            if value is not None:
                answers[key] = value
        for key, rows in data["matrices"]:
            cells = {row: _cell_answer(values.get(name)) for name, row in rows}
            if matrix := {row: value for row, value in cells.items() if value is not None}:
                answers[key] = matrix
        if not answers:
            errors[""] = (Code.REQUIRED, _("The row answers no question."))
        raw["answers"] = answers
        try:
            item = clean_response_input(raw, context=data["responses"], require_external_id=True)
        except InputError as exc:
            errors = {**self._fields_of(exc.errors), **errors}
        if errors:
            raise RowInvalid(errors)
        return item

    @staticmethod
    def _fields_of(errors: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """API error keys → target field names (`answers.nps` → `nps`, a matrix row's
        `answers.service.speed` → `service.speed`; others whole-row)."""
        result: dict[str, tuple[str, str]] = {}
        for key, error in errors.items():
            if key.startswith("answers."):
                question, dot, row = key.removeprefix("answers.").partition(".")
                name = matrix_field(question, row) if dot else target_name(question)
            elif key in FIXED:
                name = key
            else:
                name = ""
            result.setdefault(name, error)
        return result

    def write_batch(self, items: Sequence[Any], *, context: RowContext, source: str) -> BatchResult:
        touched: set[tuple[int, Any]] = set()
        result = responses_upsert(items=items, defer_rollups=touched)
        days = context.data.setdefault("rollup_days", set())
        days.update((s, local_day(w) if isinstance(w, dt.datetime) else w) for s, w in touched)
        return BatchResult(created=result.created, updated=result.updated)

    def finish(self, context: RowContext) -> None:
        """Refresh the KPI rollups once, over every (survey, day) the import touched."""
        kpi_rollup_refresh_touched(context.data.get("rollup_days", ()))
