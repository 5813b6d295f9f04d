"""Results, cross-tab and exports of matrix questions."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cxm.accounts.roles import Role
from cxm.surveys import services
from cxm.surveys.tests.matrix_helpers import matrix_survey
from cxm.surveys.validation import clean_answers

pytestmark = pytest.mark.django_db

ANSWERS = [  # (language, service, terms)
    ("en", {"speed": 5, "price": 2, "staff": 4}, {"speed": "agree"}),
    ("en", {"speed": 5, "price": 3, "staff": 4}, {"speed": "agree", "price": "neutral"}),
    ("fa", {"speed": 4, "price": 3, "staff": 4}, {}),
    ("fa", {"speed": 2, "price": 3, "staff": 4}, {"speed": "disagree"}),
]


@pytest.fixture
def answered():
    survey = matrix_survey()
    questions = list(survey.questions.all())
    for language, service, terms in ANSWERS:
        answers = clean_answers(questions, {"service": service, "terms": terms})
        services.response_submit(survey=survey, answers=answers, language=language)
    return survey


def _csv(client, survey, **params):
    response = client.get(reverse("analytics:survey-export", args=[survey.pk]), params)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _table_after(html: str, heading: str) -> str:
    start = html.index(heading)
    return html[start : html.index("</table>", start)]


def test_results_show_each_rows_distribution_and_mean(client_for, answered):
    html = (
        client_for(Role.VIEWER)
        .get(reverse("analytics:survey-results", args=[answered.pk]))
        .content.decode()
    )
    assert "Speed &lt;b&gt;now&lt;/b&gt; · n = 4" in html and "<b>now</b>" not in html
    speed = _table_after(html, "Speed &lt;b&gt;now&lt;/b&gt;")
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', speed)]
    assert counts == [0, 1, 0, 1, 2]  # speed: one 2, one 4, two 5
    assert "Mean: " in speed and "(4.0)" in speed  # (2 + 4 + 5 + 5) / 4
    staff = _table_after(html, "Staff · n = 4")
    assert "Mean" in staff and "4.0" in staff and "few answers" in staff
    terms = _table_after(html, "Price · n = 1")
    assert "Neutral" in terms and "Mean" not in terms  # labelled columns have no mean
    assert html.count('class="chart"') == 5  # one chart per matrix row


def test_responses_page_lists_each_answered_row(client_for, answered):
    html = (
        client_for(Role.VIEWER)
        .get(reverse("analytics:survey-responses", args=[answered.pk]))
        .content.decode()
    )
    assert "speed: 5, price: 3, staff: 4" in html
    assert "speed: agree, price: neutral" in html


def test_crosstab_of_a_matrix_row(client_for, answered):
    service = answered.questions.get(key="service")
    html = (
        client_for(Role.VIEWER)
        .get(
            reverse("analytics:survey-results", args=[answered.pk]),
            {"xq": f"{service.pk}.price", "xby": "language"},
        )
        .content.decode()
    )
    assert f'<option value="{service.pk}.price" selected>service · Price</option>' in html
    table = html[html.index('class="table crosstab"') :]
    table = table[: table.index("</table>")]
    rows = {
        label: [int(n) for n in re.findall(r"(\d+)</td>", cells)]
        for label, cells in re.findall(
            r'<th scope="row">(\w+)</th>((?:<td class="num">\d+</td>)+)', table
        )
    }
    assert rows == {"English": [0, 1, 1, 0, 0, 2], "Persian": [0, 0, 2, 0, 0, 2]}


def test_export_has_a_column_per_row_and_the_codebook_lists_rows_and_columns(client_for, answered):
    client = client_for(Role.VIEWER)
    header, *rows = _csv(client, answered, format="csv")
    matrix_columns = [c for c in header if c.startswith(("service", "terms"))]
    assert matrix_columns == [
        "service.speed",
        "service.price",
        "service.staff",
        "terms.speed",
        "terms.price",
    ]
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    assert sorted(r["service.speed"] for r in by_column) == ["2", "4", "5", "5"]
    assert sorted(r["terms.price"] for r in by_column) == ["", "", "", "neutral"]

    codebook = _csv(client, answered, format="csv", part="codebook")
    speed = [line for line in codebook if line[0] == "service.speed"]
    assert speed[0][3] == "Speed <b>now</b>"  # a file, not HTML: the label as written
    assert [(line[4], line[5]) for line in speed[1:]] == [(str(n), str(n)) for n in range(1, 6)]
    terms = [(line[4], line[5]) for line in codebook if line[0] == "terms.price" and line[4]]
    assert terms == [("disagree", "Disagree"), ("neutral", "Neutral"), ("agree", "Agree")]

    xlsx = client.get(reverse("analytics:survey-export", args=[answered.pk]), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    first = [cell.value for cell in next(book["Responses"].iter_rows(max_row=1))]
    assert "service.staff" in first and "service" not in first
