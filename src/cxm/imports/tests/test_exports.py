"""Exports: the error report and the customer list, with formulas neutralised."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cxm.accounts.roles import Role
from cxm.customers.models import Customer
from cxm.imports.models import ImportJob
from cxm.imports.tests.helpers import job_id_from, mapping_post, upload, write_csv

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def _xlsx(response) -> list[list[object]]:
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def report_job(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    rows = [["external_id", "name", "email"], ["F1", "Ann", FORMULA], ["F2", "Bob", "b@x.io"]]
    job = ImportJob.objects.get(pk=job_id_from(upload(client, write_csv(tmp_path / "f.csv", rows))))
    client.post(reverse("imports:job", args=[job.pk]), mapping_post(job, "skip_bad_rows"))
    return client, job


def test_error_report_csv_neutralises_formulas(report_job):
    client, job = report_job
    response = client.get(reverse("imports:errors-export", args=[job.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == ["Row", "Column", "Message", "Value"]
    assert rows[1][0] == "2" and rows[1][1] == "email"
    assert rows[1][3] == "'" + FORMULA
    assert rows[1][2].startswith("'=HYPERLINK") is False  # message names the value in quotes
    assert "is not a valid e-mail address" in rows[1][2]


def test_error_report_xlsx_neutralises_formulas(report_job):
    client, job = report_job
    rows = _xlsx(client.get(reverse("imports:errors-export", args=[job.pk, "xlsx"])))
    assert rows[0] == ["Row", "Column", "Message", "Value"]
    assert rows[1][0] == 2 and rows[1][3] == "'" + FORMULA


def test_customer_export_respects_filters_and_neutralises(client_for):
    Customer.objects.create(
        external_id="K1", name=FORMULA, phone="+989121234567", lifecycle_stage="active"
    )
    Customer.objects.create(external_id="K2", name="Churned one", lifecycle_stage="churned")
    client = client_for(Role.CX_MANAGER)
    rows = _csv(
        client.get(reverse("imports:export-customers", args=["csv"]), {"lifecycle_stage": "active"})
    )
    header = rows[0]
    assert header[:5] == ["external_id", "name", "phone", "email", "telegram"]
    assert "consent_sms" in header
    assert [r[0] for r in rows[1:]] == ["K1"]
    assert rows[1][1] == "'" + FORMULA
    assert rows[1][2] == "+989121234567"  # a plain number is safe and left alone

    sheet = _xlsx(client.get(reverse("imports:export-customers", args=["xlsx"])))
    assert {r[0] for r in sheet[1:]} == {"K1", "K2"}
    assert any(r[1] == "'" + FORMULA for r in sheet)


def test_customer_export_hides_contacts_without_the_capability(client_for):
    Customer.objects.create(
        external_id="K1", name="Ann", phone="+989121234567", email="ann@example.com"
    )
    rows = _csv(client_for(Role.VIEWER).get(reverse("imports:export-customers", args=["csv"])))
    assert "phone" not in rows[0] and "email" not in rows[0]
    assert "+989121234567" not in str(rows) and "ann@example.com" not in str(rows)


def test_exported_customers_import_back_unchanged(client_for, tmp_path):
    Customer.objects.create(
        external_id="K1", name="Ann", phone="+36301234567", lifecycle_stage="active"
    )
    client = client_for(Role.ADMINISTRATOR)
    rows = _csv(client.get(reverse("imports:export-customers", args=["csv"])))
    path = tmp_path / "roundtrip.csv"
    path.write_text("\ufeff" + "\r\n".join(",".join(r) for r in rows), encoding="utf-8")
    job = ImportJob.objects.get(pk=job_id_from(upload(client, path)))
    assert {"external_id", "name", "phone", "lifecycle_stage", "consent_sms"} <= set(job.mapping)


def test_customer_list_links_to_the_export_with_its_filters(client_for):
    page = client_for(Role.VIEWER).get(reverse("customers:list"), {"lifecycle_stage": "active"})
    html = page.content.decode()
    assert reverse("imports:export-customers", args=["csv"]) + "?lifecycle_stage=active" in html
    assert reverse("imports:export-customers", args=["xlsx"]) + "?lifecycle_stage=active" in html
