"""The "responses" import kind: real CSV/XLSX files through the generic import machinery."""

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.urls import reverse

from cxm.accounts.models import Team, Unit, User
from cxm.accounts.roles import Role
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.customers.tests.factories import CustomerFactory
from cxm.imports import services as imports
from cxm.imports.models import ImportJob, ImportMode, ImportRowError, ImportStatus
from cxm.imports.tests.helpers import job_id_from, write_csv, write_xlsx
from cxm.journeys.tests.factories import TouchpointFactory
from cxm.surveys.importer import parse_moment
from cxm.surveys.models import Answer, Response

pytestmark = pytest.mark.django_db

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TIME_ZONE = "Asia/Tehran"


def _create(path: Path, survey: Any, user: Any = None) -> ImportJob:
    with path.open("rb") as handle:
        return imports.import_job_create(
            kind="responses",
            upload=File(handle, name=path.name),
            created_by=user,
            options={"survey": survey.pk},
        )


def _run(
    path: Path, survey: Any, mode: str = ImportMode.ALL_OR_NOTHING, **mapping: Any
) -> ImportJob:
    """Upload, keep the suggested mapping (plus overrides), dry run, and commit if clean."""
    job = _create(path, survey)
    job = imports.import_job_set_mapping(job=job, mapping={**job.mapping, **mapping}, mode=mode)
    job = imports.import_job_start_dry_run(job=job)
    assert job.status == ImportStatus.VALIDATED, job.message
    if job.valid_rows and (mode == ImportMode.SKIP_BAD_ROWS or not job.invalid_rows):
        job = imports.import_job_start_commit(job=job)
    return job


def _errors(job: ImportJob) -> list[tuple[int, str, str, str]]:
    return list(
        ImportRowError.objects.filter(job=job).values_list("row_number", "column", "field", "code")
    )


def test_utf8_bom_csv_links_everything(nps_survey, tmp_path):
    channel = Channel.objects.get_or_create(code="sms", defaults={"kind": "sms"})[0]
    touchpoint = TouchpointFactory.create(name="Delivery")
    team = Team.objects.create(name="Support A", unit=Unit.objects.create(name="CX", code="cx"))
    agent = User.objects.create_user(username="sara", password="x")
    customer = CustomerFactory.create(external_id="C-1")
    rows = [
        [
            "response id",
            "customer",
            "date",
            "channel",
            "touchpoint",
            "team",
            "agent",
            "nps",
            "reason",
        ],
        ["R1", "C-1", "2025-03-21 14:30", "SMS", "Delivery", "Support A", "sara", "9", "Fast"],
        ["R2", "", "2025-03-21T10:00:00Z", "", str(touchpoint.pk), "", "", "3", ""],
    ]
    job = _run(write_csv(tmp_path / "r.csv", rows, encoding="utf-8-sig"), nps_survey)
    assert job.encoding == "utf-8-sig"
    assert job.status == ImportStatus.DONE, (job.message, _errors(job))
    assert job.created_count == 2
    first = Response.objects.get(external_id="R1")
    assert (first.customer, first.channel, first.touchpoint, first.team, first.agent) == (
        customer,
        channel,
        touchpoint,
        team,
        agent,
    )
    assert first.stage_id == touchpoint.stage_id
    assert first.source == "import"
    assert first.submitted_at == dt.datetime(2025, 3, 21, 14, 30, tzinfo=TEHRAN)
    assert {a.question.key: a for a in first.answers.all()}["reason"].text_value == "Fast"
    second = Response.objects.get(external_id="R2")
    assert second.submitted_at == dt.datetime(2025, 3, 21, 10, tzinfo=dt.UTC)
    assert second.customer is None
    assert second.answers.get().number_value == 3


def test_cp1256_persian_headers_map_by_question_text_and_jalali_dates(nps_survey, tmp_path):
    nps_text = nps_survey.questions.get(key="nps").texts["fa"]
    reason_text = nps_survey.questions.get(key="reason").texts["fa"].replace("\u200c", " ")
    rows = [
        ["شناسه", "تاریخ", nps_text, reason_text],
        ["R-fa-1", "1403/01/05 14:30", "10", "خیلی خوب بود"],
        ["R-fa-2", "1403/01/06", "7", ""],
    ]
    # write_csv writes Arabic ي for Persian ی, as Excel on Windows does in cp1256.
    path = write_csv(tmp_path / "fa.csv", rows, encoding="cp1256")
    assert "ي".encode("cp1256") in path.read_bytes()
    job = _create(path, nps_survey)
    assert job.encoding == "cp1256"
    assert job.mapping == {"external_id": 0, "submitted_at": 1, "nps": 2, "reason": 3}
    job = _run(path, nps_survey)
    assert job.status == ImportStatus.DONE, (job.message, _errors(job))
    response = Response.objects.get(external_id="R-fa-1")
    # 1403/01/05 is 2024-03-24 (Gregorian).
    assert response.submitted_at == dt.datetime(2024, 3, 24, 14, 30, tzinfo=TEHRAN)
    answers = {a.question.key: a for a in response.answers.select_related("question")}
    assert answers["nps"].number_value == 10
    assert answers["reason"].text_value == "خيلي خوب بود"  # as written in the file
    assert Response.objects.get(external_id="R-fa-2").submitted_at == dt.datetime(
        2024, 3, 25, tzinfo=TEHRAN
    )


def test_xlsx_with_excel_dates_and_numbers(nps_survey, tmp_path):
    rows: list[list[Any]] = [
        [
            "external_id",
            "submitted_at",
            "How likely are you to recommend us to a friend or colleague?",
        ],
        ["X1", dt.datetime(2025, 1, 2, 8, 15), 8],
        ["X2", 45659.5, 0],  # an Excel serial: 2025-01-02 12:00
        ["X3", "۱۴۰۳/۰۱/۰۵ ۱۴:۳۰", "۷"],  # Persian digits
    ]
    job = _run(write_xlsx(tmp_path / "r.xlsx", rows), nps_survey)
    assert job.file_format == "xlsx"
    assert job.status == ImportStatus.DONE, (job.message, _errors(job))
    assert Response.objects.get(external_id="X1").submitted_at == dt.datetime(
        2025, 1, 2, 8, 15, tzinfo=TEHRAN
    )
    assert Response.objects.get(external_id="X2").submitted_at == dt.datetime(
        2025, 1, 2, 12, tzinfo=TEHRAN
    )
    assert Answer.objects.get(response__external_id="X2").number_value == 0
    assert Response.objects.get(external_id="X3").submitted_at == dt.datetime(
        2024, 3, 24, 14, 30, tzinfo=TEHRAN
    )
    assert Answer.objects.get(response__external_id="X3").number_value == 7


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(nps_survey, tmp_path):
    rows = [
        ["external_id", "customer_external_id", "date", "nps"],
        ["B1", "", "2025-01-01", "11"],
        ["B2", "", "2025-01-01", "ده"],
        ["B3", "", "2025-01-01", "9"],
        ["B3", "", "2025-01-01", "8"],
        ["B5", "NOPE", "tomorrow", "-1"],
        ["B6", "", "2025-01-01", "6"],
    ]
    job = _run(write_csv(tmp_path / "bad.csv", rows), nps_survey)
    assert (job.total_rows, job.valid_rows, job.invalid_rows) == (6, 2, 4)
    errors = _errors(job)
    assert (2, "nps", "nps", "out_of_range") in errors
    assert (3, "nps", "nps", "not_a_number") in errors
    assert (5, "external_id", "external_id", "duplicate_in_file") in errors
    assert (6, "customer_external_id", "customer_external_id", "unknown_customer") in errors
    assert (6, "date", "submitted_at", "invalid") in errors
    assert (6, "nps", "nps", "out_of_range") in errors
    message = ImportRowError.objects.get(job=job, row_number=2).message
    assert message == "Choose a number from 0 to 10."
    # All or nothing: the commit is refused, nothing is written.
    with pytest.raises(ApplicationError):
        imports.import_job_start_commit(job=job)
    assert not Response.objects.exists()


def test_all_or_nothing_commit_rolls_back_when_a_row_went_bad(nps_survey, tmp_path):
    """A customer deleted between dry run and commit: the commit writes nothing."""
    CustomerFactory.create(external_id="C-9")
    rows = [["external_id", "customer_external_id", "nps"]]
    rows += [[f"A{i}", "", "9"] for i in range(2500)] + [["A-last", "C-9", "9"]]
    path = write_csv(tmp_path / "a.csv", rows)
    job = _create(path, nps_survey)
    job = imports.import_job_start_dry_run(job=job)
    assert job.invalid_rows == 0
    from cxm.customers.models import Customer

    Customer.objects.filter(external_id="C-9").delete()
    job = imports.import_job_start_commit(job=job)
    assert job.status == ImportStatus.FAILED
    assert "Row 2502" in job.message
    assert not Response.objects.exists()


def test_reimport_is_idempotent(nps_survey, tmp_path):
    rows = [["external_id", "nps", "reason"], ["I1", "5", "slow"], ["I2", "10", ""]]
    path = write_csv(tmp_path / "i.csv", rows)
    assert _run(path, nps_survey).created_count == 2
    rows[1][1] = "6"
    job = _run(write_csv(tmp_path / "i2.csv", rows), nps_survey)
    assert (job.created_count, job.updated_count) == (0, 2)
    assert Response.objects.count() == 2
    assert Answer.objects.filter(response__external_id="I1").count() == 2
    assert Answer.objects.get(response__external_id="I1", question__key="nps").number_value == 6


def test_required_question_and_empty_rows(nps_survey, tmp_path):
    rows = [["external_id", "nps", "reason"], ["E1", "", "only a reason"], ["E2", "", ""]]
    job = _run(write_csv(tmp_path / "e.csv", rows), nps_survey)
    errors = _errors(job)
    assert (2, "nps", "nps", "required") in errors
    assert (3, "", "", "required") in errors


def test_hidden_fields_and_clashing_keys(csat_survey, tmp_path):
    """The CSAT template has hidden questions `agent` and `touchpoint`: they become
    `answer_agent` / `answer_touchpoint`, the fixed fields keep their names."""
    job = _create(write_csv(tmp_path / "h.csv", [["external_id", "csat", "order_id"]]), csat_survey)
    names = [f.name for f in imports.importer_for("responses").fields(job.options)]
    assert {"agent", "touchpoint", "answer_agent", "answer_touchpoint", "order_id"} <= set(names)
    rows = [["external_id", "csat", "order_id", "hidden agent"], ["H1", "4", "ORD-7", "ali"]]
    job = _run(write_csv(tmp_path / "h2.csv", rows), csat_survey, answer_agent=3)
    assert job.status == ImportStatus.DONE, (job.message, _errors(job))
    response = Response.objects.get(external_id="H1")
    assert response.hidden == {"order_id": "ORD-7", "agent": "ali"}
    assert response.agent is None


def test_options_are_required_and_checked(nps_survey, tmp_path):
    path = write_csv(tmp_path / "o.csv", [["external_id", "nps"], ["O1", "9"]])
    for options in ({}, {"survey": 999999}, {"survey": "x"}):
        with path.open("rb") as handle, pytest.raises(ApplicationError):
            imports.import_job_create(
                kind="responses",
                upload=File(handle, name="o.csv"),
                created_by=None,
                options=options,
            )
    assert not ImportJob.objects.exists()


def test_upload_page_and_api_take_the_survey(client_for, api_for, nps_survey, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["external_id", "nps"], ["P1", "9"]])
    client = client_for(Role.ANALYST)
    page = client.get(reverse("imports:new"))
    assert 'name="survey"' in page.content.decode()
    with path.open("rb") as handle:
        missing = client.post(reverse("imports:new"), {"kind": "responses", "file": handle})
    assert missing.status_code == 400
    assert "Choose one for this kind of import." in missing.content.decode()
    with path.open("rb") as handle:
        response = client.post(
            reverse("imports:new"), {"kind": "responses", "survey": nps_survey.pk, "file": handle}
        )
    job = ImportJob.objects.get(pk=job_id_from(response))
    assert job.options == {"survey": nps_survey.pk}
    assert job.mapping == {"external_id": 0, "nps": 1}
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'name="map_reason"' in page

    api = api_for(Role.CX_MANAGER)
    with path.open("rb") as handle:
        created = api.post(
            "/api/v1/imports/",
            {"kind": "responses", "survey": nps_survey.pk, "file": handle},
            format="multipart",
        )
    assert created.status_code == 201, created.content
    assert created.json()["options"] == {"survey": nps_survey.pk}
    with path.open("rb") as handle:
        refused = api_for(Role.AGENT).post(
            "/api/v1/imports/",
            {"kind": "responses", "survey": nps_survey.pk, "file": handle},
            format="multipart",
        )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-21 14:30", dt.datetime(2025, 3, 21, 14, 30, tzinfo=TEHRAN)),
        ("2025-03-21T14:30:00+00:00", dt.datetime(2025, 3, 21, 14, 30, tzinfo=dt.UTC)),
        ("۱۴۰۴/۰۱/۰۱ ۰۹:۰۵", dt.datetime(2025, 3, 21, 9, 5, tzinfo=TEHRAN)),
        ("1404-1-1", dt.datetime(2025, 3, 21, tzinfo=TEHRAN)),
        (dt.date(2025, 3, 21), dt.datetime(2025, 3, 21, tzinfo=TEHRAN)),
    ],
)
def test_parse_moment(settings, text, expected):
    settings.TIME_ZONE = "Asia/Tehran"
    assert parse_moment(text) == expected


@pytest.mark.parametrize("text", ["tomorrow", "1404/13/01", "2025-02-30 10:00", "25:00", -5])
def test_parse_moment_refuses(text):
    with pytest.raises((ValueError, OverflowError)):
        parse_moment(text)
