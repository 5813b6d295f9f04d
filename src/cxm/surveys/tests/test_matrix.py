"""The matrix question type: definition, answer validation, the public page, the API, the
builder and the response import."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.imports import services as imports
from cxm.imports.models import ImportJob, ImportRowError, ImportStatus
from cxm.imports.tests.helpers import write_csv
from cxm.surveys.models import Answer, Question, QuestionType, Response
from cxm.surveys.tests.matrix_helpers import COLUMNS, ROWS, matrix_question, matrix_survey
from cxm.surveys.validation import InputError, clean_answers

pytestmark = pytest.mark.django_db
URL = "/api/v1/responses/"
BULK = "/api/v1/responses/bulk/"


@pytest.fixture
def survey():
    return matrix_survey()


def _questions(survey):
    return list(survey.questions.order_by("page", "position", "id"))


def _errors(survey, raw):
    with pytest.raises(InputError) as caught:
        clean_answers(_questions(survey), raw)
    return {key: code for key, (code, _message) in caught.value.errors.items()}


# ------------------------------------------------------------------------ definition


def test_matrix_definition_is_validated(survey):
    def invalid(**fields):
        question = Question(survey=survey, key="m", type=QuestionType.MATRIX, **fields)
        with pytest.raises(ValidationError) as caught:
            question.full_clean()
        return caught.value.message_dict

    assert "options" in invalid(options=[])
    assert "options" in invalid(options=[ROWS[0], {"code": "speed", "labels": {}}])
    assert "options" in invalid(options=[{"code": "a.b", "labels": {}}])
    assert "scale_max" in invalid(options=ROWS, scale_max=4)
    assert "logic" in invalid(options=ROWS, logic={"columns": COLUMNS[:1]})
    assert "logic" in invalid(options=ROWS, logic={"columns": [COLUMNS[0], COLUMNS[0]]})

    numeric = Question(survey=survey, key="m", type=QuestionType.MATRIX, options=ROWS)
    numeric.full_clean()
    assert numeric.scale_max == 5
    assert numeric.column_codes == ["1", "2", "3", "4", "5"]
    labelled = Question(
        survey=survey,
        key="m2",
        type=QuestionType.MATRIX,
        options=ROWS,
        scale_max=7,
        logic={"columns": COLUMNS},
    )
    labelled.full_clean()
    assert labelled.scale_max is None
    assert labelled.column_labels("fa")[2] == ("agree", "موافقم")


# ---------------------------------------------------------------------------- answers


def test_good_matrix_answer_in_any_digits(survey):
    clean = clean_answers(
        _questions(survey),
        {"service": {"speed": 5, "price": "۳", "staff": 1.0}, "terms": {"price": "agree"}},
    )
    assert clean["service"].matrix == (("speed", 5), ("price", 3), ("staff", 1))
    assert clean["service"].scale_max == 5 and clean["service"].number is None
    assert clean["service"].stored_choices == {"speed": 5, "price": 3, "staff": 1}
    assert clean["terms"].matrix == (("price", "agree"),) and clean["terms"].scale_max is None


def test_bad_matrix_answers_are_named_by_row(survey):
    full = {"speed": 5, "price": 3, "staff": 2}
    assert _errors(survey, {"service": {**full, "taste": 4}}) == {"service.taste": "unknown_row"}
    assert _errors(survey, {"service": {**full, "speed": 6}}) == {"service.speed": "out_of_range"}
    assert _errors(survey, {"service": {**full, "price": "fast"}}) == {
        "service.price": "not_a_number"
    }
    assert _errors(survey, {"service": {"speed": 5, "staff": ""}}) == {
        "service.price": "required",
        "service.staff": "required",
    }
    assert _errors(survey, {"service": {"speed": "", "price": None}}) == {"service": "required"}
    assert _errors(survey, {"service": 4}) == {"service": "invalid"}
    assert _errors(survey, {"service": full, "terms": {"speed": "maybe"}}) == {
        "terms.speed": "unknown_choice"
    }
    # an optional matrix may be answered in part, or not at all
    assert clean_answers(_questions(survey), {"service": full, "terms": {}}).keys() == {"service"}


def test_matrix_error_messages_are_translated(survey):
    with pytest.raises(InputError) as caught:
        clean_answers(_questions(survey), {"service": {"speed": 9, "price": 1, "staff": 1}})
    assert caught.value.errors["service.speed"][1] == "Choose a number from 1 to 5."


# ------------------------------------------------------------------------- public page


def _state(html: str) -> str:
    match = re.search(r'name="state" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_public_page_renders_each_row_as_a_radio_group(client, survey):
    url = reverse("survey_public:public", args=[survey.public_slug])
    html = client.get(url, {"lang": "fa"}).content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    rows = re.findall(
        r'<fieldset class="mrow" id="f-service-(\w+)">\s*<legend>([^<]*)</legend>', html
    )
    assert rows == [("speed", "سرعت"), ("price", "قیمت"), ("staff", "کارکنان")]
    for n, digit in zip(range(1, 6), "۱۲۳۴۵", strict=True):
        radio = f'id="q-service-price-{n}" name="service.price" value="{n}" required>'
        assert f'{radio}<label for="q-service-price-{n}">{digit}' in html
    assert 'name="terms.speed" value="agree"' in html and ">موافقم</label>" in html

    english = client.get(url, {"lang": "en"}).content.decode()
    assert "<legend>Speed &lt;b&gt;now&lt;/b&gt;</legend>" in english
    assert "<b>now</b>" not in english
    assert '<span class="vh"> Poor</span>' in english and "Excellent" in english


def test_public_page_submits_a_matrix_and_marks_a_missing_row(client, survey):
    url = reverse("survey_public:public", args=[survey.public_slug])
    html = client.get(url, {"lang": "en"}).content.decode()
    form = {"state": _state(html), "page": 1, "lang": "en", "service.speed": "4"}
    again = client.post(url, {**form, "service.price": "2"})
    assert again.status_code == 200 and not Response.objects.exists()
    page = again.content.decode()
    assert 'id="f-service-staff" aria-invalid="true" aria-describedby="e-service-staff"' in page
    assert '<p class="error" id="e-service-staff">Please answer this row.</p>' in page
    assert 'value="4" checked' in page  # the rows already answered stay chosen

    done = client.post(
        url,
        {
            **form,
            "state": _state(page),
            "service.price": "2",
            "service.staff": "5",
            "terms.price": "neutral",
        },
    )
    assert done.status_code == 302
    answers = {a.question.key: a for a in Answer.objects.select_related("question")}
    assert answers["service"].choices == {"speed": 4, "price": 2, "staff": 5}
    assert answers["service"].scale_max == 5 and answers["service"].number_value is None
    assert answers["terms"].choices == {"price": "neutral"}


# --------------------------------------------------------------------------------- API


def test_api_single_matrix_answer_and_its_errors(api_for, survey):
    api = api_for(Role.ANALYST)
    body = {
        "survey": survey.pk,
        "external_id": "m-1",
        "answers": {"service": {"speed": 5, "price": 4, "staff": 3}, "terms": {"speed": "agree"}},
    }
    created = api.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["answers"]["service"] == {"speed": 5, "price": 4, "staff": 3}
    assert created.json()["answers"]["terms"] == {"speed": "agree"}

    bad = api.post(
        URL,
        {**body, "external_id": "m-2", "answers": {"service": {"speed": 8, "nope": 1}}},
        format="json",
    )
    assert bad.status_code == 400
    fields = bad.json()["extra"]["fields"]
    assert fields["answers.service.speed"]["code"] == "out_of_range"
    assert fields["answers.service.nope"]["code"] == "unknown_row"
    assert fields["answers.service.price"]["code"] == "required"
    assert Response.objects.count() == 1

    described = api.get(f"/api/v1/surveys/{survey.pk}/").json()["questions"]
    service = next(q for q in described if q["key"] == "service")
    assert service["columns"] == ["1", "2", "3", "4", "5"]
    assert [row["code"] for row in service["options"]] == ["speed", "price", "staff"]


def test_api_bulk_bad_matrix_item_rejects_all(api_for, survey):
    api = api_for(Role.ANALYST)
    items = [
        {
            "survey": survey.pk,
            "external_id": f"b{n}",
            "answers": {"service": {"speed": 1 + n % 5, "price": 3, "staff": 4}},
        }
        for n in range(5)
    ]
    items[3]["answers"]["service"]["price"] = "cheap"
    response = api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 400
    errors = {e["index"]: e["errors"] for e in response.json()["extra"]["items"]}
    assert errors == {
        3: {
            "answers.service.price": {
                "code": "not_a_number",
                "message": "Choose a whole number from 1 to 5.",
            }
        }
    }
    assert not Response.objects.exists() and not Answer.objects.exists()

    items[3]["answers"]["service"]["price"] = 2
    assert api.post(BULK, {"items": items}, format="json").status_code == 200
    stored = Answer.objects.get(response__external_id="b3")
    assert stored.choices == {"speed": 4, "price": 2, "staff": 4}


# ------------------------------------------------------------------------------ builder


def test_builder_creates_and_edits_a_matrix(client_for, survey):
    client = client_for(Role.ADMINISTRATOR)
    create = reverse("surveys:question-create", args=[survey.pk])
    assert "Matrix columns (English)" in client.get(create).content.decode()
    form = {
        "key": "staff_rating",
        "type": "matrix",
        "page": 1,
        "scale_max": 7,
        "text_en": "Rate our staff",
        "options_en": "kind = Kind\nquick = Quick",
        "options_fa": "kind = مهربان",
        "ends_en": "Poor | Great",
    }
    response = client.post(create, form)
    assert response.status_code == 302, response.content.decode()
    question = Question.objects.get(survey=survey, key="staff_rating")
    assert question.scale_max == 7 and question.option_codes == ["kind", "quick"]
    assert question.option_labels("fa")[0] == ("kind", "مهربان")
    assert question.end_labels("en") == ("Poor", "Great")

    edit = reverse("surveys:question-edit", args=[question.pk])
    page = client.get(edit).content.decode()
    assert "kind = Kind\nquick = Quick" in page and 'value="Poor | Great"' in page
    changed = {**form, "columns_en": "no = No\nyes = Yes", "ends_en": ""}
    assert client.post(edit, changed).status_code == 302
    question.refresh_from_db()
    assert question.column_codes == ["no", "yes"] and question.scale_max is None

    without_rows = client.post(create, {**form, "key": "empty", "options_en": "", "options_fa": ""})
    assert without_rows.status_code == 200
    assert "A matrix question needs at least one row." in without_rows.content.decode()
    one_column = client.post(create, {**form, "key": "one", "columns_en": "yes = Yes"})
    assert "Give at least two columns." in one_column.content.decode()
    assert not Question.objects.filter(key__in=["empty", "one"]).exists()
    no_options = client.post(
        create, {**form, "key": "pick", "type": "single", "options_en": "", "options_fa": ""}
    )
    assert "A choice question needs options." in no_options.content.decode()


# ------------------------------------------------------------------------------- import


def test_csv_import_reads_one_column_per_matrix_row(survey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    matrix_question(survey, key="language", required=False, options=ROWS[:1])  # clashes
    path = write_csv(
        tmp_path / "matrix.csv",
        [
            [
                "id",
                "service.speed",
                "service.price",
                "service.staff",
                "terms.price",
                "language.speed",
            ],
            ["i-1", "5", "۴", "3", "agree", "2"],
            ["i-2", "2", "", "1", "", ""],
            ["i-3", "9", "1", "1", "maybe", ""],
        ],
    )
    with path.open("rb") as handle:
        job = imports.import_job_create(
            kind="responses",
            upload=File(handle, name=path.name),
            created_by=None,
            options={"survey": survey.pk},
        )
    assert job.mapping["answer_language.speed"] == 5  # by the alias `<key>.<row>`
    job = imports.import_job_set_mapping(job=job, mapping=job.mapping, mode=job.mode)
    job = imports.import_job_start_dry_run(job=job)
    assert job.status == ImportStatus.VALIDATED and (job.valid_rows, job.invalid_rows) == (1, 2)
    errors = set(ImportRowError.objects.filter(job=job).values_list("row_number", "field", "code"))
    assert errors == {
        (3, "service.price", "required"),
        (4, "service.speed", "out_of_range"),
        (4, "terms.price", "unknown_choice"),
    }

    good = write_csv(
        tmp_path / "good.csv",
        [["id", "service.speed", "service.price", "service.staff"], ["i-1", "5", "۴", "3"]],
    )
    with good.open("rb") as handle:
        job = imports.import_job_create(
            kind="responses",
            upload=File(handle, name=good.name),
            created_by=None,
            options={"survey": survey.pk},
        )
    job = imports.import_job_set_mapping(job=job, mapping=job.mapping, mode=job.mode)
    job = imports.import_job_start_commit(job=imports.import_job_start_dry_run(job=job))
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    answer = Answer.objects.get(response__external_id="i-1", question__key="service")
    assert answer.choices == {"speed": 5, "price": 4, "staff": 3}
    assert answer.scale_max == 5 and answer.number_value is None
