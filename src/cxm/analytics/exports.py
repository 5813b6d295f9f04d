"""Exports of the dashboard's breakdown tables and of a survey's responses with a codebook.

Cells go through the import/export helpers (`cxm.imports.exports`), which neutralise
formula-like text; responses are streamed in chunks of 2,000.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from cxm.analytics.selectors import KPI_METRICS, Dashboard, DashboardFilters, survey_responses
from cxm.surveys.models import Question, QuestionType, Survey


def breakdown_header() -> list[str]:
    return [
        _("Breakdown"),
        _("Group"),
        _("Responses"),
        _("Metric"),
        "n",
        _("Value"),
        _("Interval low"),
        _("Interval high"),
        _("Below minimum n"),
    ]


def breakdown_rows(board: Dashboard, labels: dict[str, str]) -> Iterator[list[Any]]:
    """One row per breakdown group and metric, the overall figures first."""
    for metric, overall in board.figures.items():
        yield [_("All"), "", board.responses, metric, overall.n, *_numbers(overall)]
    for name, rows in board.breakdowns.items():
        for row in rows:
            for metric in KPI_METRICS:
                if result := row.figures.get(metric):
                    yield [
                        labels.get(name, name),
                        row.label,
                        row.responses,
                        metric,
                        result.n,
                        *_numbers(result),
                    ]


def _numbers(result: Any) -> list[Any]:
    rounded = [
        None if v is None else round(v, 2) for v in (result.value, result.ci_low, result.ci_high)
    ]
    return [*rounded, bool(result.low_n)]


def codebook_header() -> list[str]:
    return [_("Key"), _("Page"), _("Type"), _("Question"), _("Code"), _("Label")]


def codebook_rows(questions: Sequence[Question], language: str) -> Iterator[list[Any]]:
    """Each question, then one row per answer code with its label. A matrix lists each of
    its rows (the export's `<key>.<row>` columns), each followed by the column codes."""
    for q in questions:
        yield [q.key, q.page, q.type, q.text_for(language), "", ""]
        if q.is_matrix:
            columns = q.column_labels(language)
            for row, row_label in q.option_labels(language):
                yield [f"{q.key}.{row}", q.page, q.type, row_label, "", ""]
                for code, label in columns:
                    yield [f"{q.key}.{row}", q.page, q.type, "", code, label]
            continue
        if q.is_scale:
            for score in range(q.scale_min, (q.scale_max or 10) + 1):
                yield [q.key, q.page, q.type, "", score, str(score)]
        for code, label in q.option_labels(language):
            yield [q.key, q.page, q.type, "", code, label]


def responses_header(questions: Sequence[Question]) -> list[str]:
    return [
        "response_id",
        "submitted_at",
        "external_id",
        "channel",
        "touchpoint_id",
        "stage_id",
        "team_id",
        "language",
        "customer_external_id",
        "source",
        *(name for q in questions for name in _columns_of(q)),
    ]


def _columns_of(question: Question) -> list[str]:
    """The export columns of a question: its key, or `<key>.<row>` per matrix row."""
    if question.is_matrix:
        return [f"{question.key}.{row}" for row in question.option_codes]
    return [question.key]


def _answer_value(question: Question, answer: Any) -> Any:
    if answer is None:
        return ""
    if question.type == QuestionType.HIDDEN:
        return answer
    if answer.number_value is not None:
        return int(answer.number_value)
    if answer.choices:
        return ";".join(str(c) for c in answer.choices)
    return answer.text_value


def responses_rows(
    survey: Survey, filters: DashboardFilters, questions: Sequence[Question]
) -> Iterator[list[Any]]:
    """One row per response; hidden questions read the response's hidden fields.
    Two queries per 2,000 responses."""
    for response in survey_responses(survey, filters).iterator(chunk_size=2000):
        answers = {a.question_id: a for a in response.answers.all()}
        row: list[Any] = [
            response.pk,
            response.submitted_at.isoformat(),
            response.external_id or "",
            response.channel.code if response.channel else "",
            response.touchpoint_id or "",
            response.stage_id or "",
            response.team_id or "",
            response.language,
            response.customer.external_id if response.customer else "",
            response.source,
        ]
        for q in questions:
            if q.type == QuestionType.HIDDEN:
                row.append(str((response.hidden or {}).get(q.key, "")))
            elif q.is_matrix:
                answer = answers.get(q.pk)
                values = answer.choices if answer and isinstance(answer.choices, dict) else {}
                row.extend(values.get(code, "") for code in q.option_codes)
            else:
                row.append(_answer_value(q, answers.get(q.pk)))
        yield row
