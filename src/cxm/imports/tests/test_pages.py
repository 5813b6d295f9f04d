"""The import pages end to end: upload real files, map, dry run, commit, report."""

from typing import Any

import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.customers.models import Customer
from cxm.imports.models import ImportJob, ImportRowError, ImportStatus
from cxm.imports.tests.helpers import job_id_from, mapping_post, upload, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

PERSIAN_ROWS = [
    ["شناسه", "نام", "موبایل", "ایمیل", "رضایت sms"],
    ["C1", "علی رضایی", "0912 123 4567", "ali@example.com", "بله"],
    ["C2", "زهرا کریمی", "+98 935 123 4567", "", "خیر"],
    ["C3", "مریم", "12345", "not-an-email", ""],
]


def _run_to_report(client, path, mode="skip_bad_rows"):
    job = ImportJob.objects.get(pk=job_id_from(upload(client, path)))
    response = client.post(reverse("imports:job", args=[job.pk]), mapping_post(job, mode))
    assert response.status_code == 302, response.content.decode()[:3000]
    job.refresh_from_db()
    return job


def test_utf8_persian_headers_are_auto_mapped_and_dry_run_lists_bad_rows(client_for, tmp_path):
    client = client_for(Role.CX_MANAGER)
    path = write_csv(tmp_path / "customers.csv", PERSIAN_ROWS)
    job = ImportJob.objects.get(pk=job_id_from(upload(client, path)))
    assert (job.file_format, job.encoding, job.delimiter) == ("csv", "utf-8", ",")
    assert job.mapping == {
        "external_id": 0,
        "name": 1,
        "phone": 2,
        "email": 3,
        "consent_sms": 4,
    }
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "علی رضایی" in page  # the preview

    client.post(reverse("imports:job", args=[job.pk]), mapping_post(job, "skip_bad_rows"))
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.valid_rows, job.invalid_rows) == (3, 2, 1)
    assert job.progress_percent == 100
    assert Customer.objects.count() == 0  # a dry run writes nothing
    errors = {(e.row_number, e.column): e for e in job.errors.all()}
    assert set(errors) == {(4, "موبایل"), (4, "ایمیل")}
    assert errors[4, "موبایل"].value == "12345"
    assert "“12345” is not a valid phone number." in errors[4, "موبایل"].message
    assert "not a valid e-mail address" in errors[4, "ایمیل"].message

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "is not a valid phone number" in page
    assert "Import 2 valid rows" in page


def test_skip_bad_rows_writes_the_good_rows(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    job = _run_to_report(client, write_csv(tmp_path / "c.csv", PERSIAN_ROWS))
    response = client.post(reverse("imports:commit", args=[job.pk]), {"mode": "skip_bad_rows"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count, job.invalid_rows) == (2, 0, 1)
    assert job.progress_percent == 100 and job.rows_processed == 3
    ali = Customer.objects.get(external_id="C1")
    assert (ali.name, ali.phone, ali.email) == ("علی رضایی", "+989121234567", "ali@example.com")
    assert ali.consents.get().status == "opt_in"
    assert Customer.objects.get(external_id="C2").consents.get().status == "opt_out"
    assert not Customer.objects.filter(external_id="C3").exists()
    assert job.errors.count() == 2  # the report stays after the import


def test_all_or_nothing_with_bad_rows_writes_nothing(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    job = _run_to_report(client, write_csv(tmp_path / "c.csv", PERSIAN_ROWS), "all_or_nothing")
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "With “all or nothing” nothing is written" in page
    response = client.post(reverse("imports:commit", args=[job.pk]), {"mode": "all_or_nothing"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert Customer.objects.count() == 0
    messages = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "all-or-nothing import would write nothing" in messages


def test_cp1256_file_from_persian_excel(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    rows = [["کد مشتری", "نام و نام خانوادگی", "تلفن"], ["P1", "پژمان گودرزی", "09121234567"]]
    path = write_csv(tmp_path / "excel.csv", rows, encoding="cp1256", delimiter=";")
    job = _run_to_report(client, path, "all_or_nothing")
    assert (job.encoding, job.delimiter) == ("cp1256", ";")
    assert job.mapping == {"external_id": 0, "name": 1, "phone": 2}
    client.post(reverse("imports:commit", args=[job.pk]), {"mode": "all_or_nothing"})
    customer = Customer.objects.get(external_id="P1")
    assert customer.name == "پژمان گودرزي"  # as Windows wrote it (Arabic yeh), not mojibake
    assert customer.phone == "+989121234567"
    # Search folds ي/ی, so the customer is found with the Persian letter.
    found = client.get(reverse("customers:list"), {"q": "گودرزی"}).content.decode()
    assert reverse("customers:detail", args=[customer.pk]) in found


def test_utf8_bom_and_arabic_hungarian_headers(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    rows = [["المعرف", "الاسم", "الهاتف", "Név"], ["A1", "فاطمة", "+971501234567", ""]]
    path = write_csv(tmp_path / "bom.csv", rows, encoding="utf-8-sig")
    job = ImportJob.objects.get(pk=job_id_from(upload(client, path)))
    assert job.encoding == "utf-8-sig"
    assert job.headers[0] == "المعرف"  # no BOM left in the first header
    assert job.mapping == {"external_id": 0, "name": 1, "phone": 2}


def test_xlsx_upload_and_commit(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    rows: list[list[Any]] = [
        ["external_id", "Név", "Telefon", "segments"],
        ["H1", "Kovács Éva", "+36 30 123 4567", "vip; budapest"],
        [1002, "Nagy Ádám", None, ""],
    ]
    job = _run_to_report(client, write_xlsx(tmp_path / "book.xlsx", rows), "all_or_nothing")
    assert job.file_format == "xlsx"
    assert (job.total_rows, job.invalid_rows) == (2, 0)
    client.post(reverse("imports:commit", args=[job.pk]), {"mode": "all_or_nothing"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 2
    eva = Customer.objects.get(external_id="H1")
    assert eva.phone == "+36301234567"
    assert sorted(eva.segments.values_list("name", flat=True)) == ["budapest", "vip"]
    assert Customer.objects.filter(external_id="1002").exists()  # not "1002.0"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty (0 bytes)."),
        (b"\r\n\r\n", "blank.csv", "The file has no header row"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "This is not a CSV or XLSX file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "Old Excel .xls files"),
        (b"PK\x03\x04garbage", "broken.xlsx", "The XLSX file is damaged"),
        (
            b"id,name\n1,\x8f\x90\x81\x9a\x80\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\n",
            "x.csv",
            "encoding could not be recognised",
        ),
    ],
)
def test_unreadable_files_get_a_clear_message(client_for, tmp_path, content, name, message):
    client = client_for(Role.ADMINISTRATOR)
    path = tmp_path / name
    path.write_bytes(content)
    response = upload(client, path)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_oversize_file_is_refused_before_reading(client_for, tmp_path, settings):
    settings.CXM_IMPORT_MAX_BYTES = 1024 * 1024
    client = client_for(Role.ADMINISTRATOR)
    path = tmp_path / "big.csv"
    path.write_bytes(b"external_id,name\n" + b"C1,Ann\n" * 200_000)  # 1.4 MB
    response = upload(client, path)
    assert response.status_code == 400
    assert "files up to 1 MB can be imported" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_oversize_file_under_the_request_slack_is_refused_by_the_service(
    client_for, tmp_path, settings
):
    settings.CXM_IMPORT_MAX_BYTES = 100
    client = client_for(Role.ADMINISTRATOR)
    path = write_csv(tmp_path / "c.csv", [["external_id", "name"]] + [["C", "Ann"]] * 50)
    response = upload(client, path)
    assert response.status_code == 400
    assert "can be imported" in response.content.decode()


def test_missing_required_column_is_refused_before_any_row_is_read(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    path = write_csv(tmp_path / "c.csv", [["name", "phone"], ["Ann", "09121234567"]])
    job = ImportJob.objects.get(pk=job_id_from(upload(client, path)))
    assert "external_id" not in job.mapping
    response = client.post(reverse("imports:job", args=[job.pk]), mapping_post(job))
    assert response.status_code == 400
    assert "Required column missing" in response.content.decode()
    assert "External id" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED and job.total_rows == 0


def test_duplicate_external_id_in_the_file_names_both_rows(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    rows = [["external_id", "name"], ["D1", "Ann"], ["D2", "Bob"], ["D1", "Ann again"]]
    job = _run_to_report(client, write_csv(tmp_path / "d.csv", rows))
    error = job.errors.get()
    assert (error.row_number, error.column, error.code) == (4, "external_id", "duplicate_in_file")
    assert "appears in rows 2 and 4" in error.message
    client.post(reverse("imports:commit", args=[job.pk]), {"mode": "skip_bad_rows"})
    assert Customer.objects.get(external_id="D1").name == "Ann"


def test_reimport_updates_by_external_id_and_creates_no_duplicates(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    rows = [["external_id", "name", "email"], ["R1", "Ann", "ann@example.com"], ["R2", "Bob", ""]]
    for _round in range(2):
        job = _run_to_report(client, write_csv(tmp_path / "r.csv", rows), "all_or_nothing")
        client.post(reverse("imports:commit", args=[job.pk]), {"mode": "all_or_nothing"})
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 2)
    rows[1][2] = "ann@new.example.com"
    job = _run_to_report(client, write_csv(tmp_path / "r2.csv", rows), "all_or_nothing")
    client.post(reverse("imports:commit", args=[job.pk]), {"mode": "all_or_nothing"})
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    assert Customer.objects.count() == 2
    assert Customer.objects.get(external_id="R1").email == "ann@new.example.com"


def test_html_in_cells_is_escaped_on_the_report_and_preview(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    evil = "<script>alert(1)</script>"
    rows = [["external_id", "name", "email"], ["X1", evil, evil]]
    job = _run_to_report(client, write_csv(tmp_path / "x.csv", rows))
    assert job.errors.get().value == evil
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_progress_fragment_polls_while_running_and_stops_when_done(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    job = _run_to_report(client, write_csv(tmp_path / "c.csv", PERSIAN_ROWS))
    fragment = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'value="100"' in fragment.content.decode()
    assert "every 1s" not in fragment.content.decode()
    assert fragment["HX-Refresh"] == "true"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, progress_percent=40, rows_processed=1200
    )
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="40"' in page
    assert "1,200 rows processed" in page


def test_error_report_is_paginated(client_for, tmp_path):
    client = client_for(Role.ADMINISTRATOR)
    rows = [["external_id", "name"]] + [[f"E{i}", ""] for i in range(120)]
    job = _run_to_report(client, write_csv(tmp_path / "e.csv", rows))
    assert ImportRowError.objects.filter(job=job).count() == 120
    first = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    third = client.get(reverse("imports:job", args=[job.pk]), {"page": 3}).content.decode()
    assert "Page 1 of 3" in first and "Page 3 of 3" in third
    assert first.count("This field is required.") == 50
    assert third.count("This field is required.") == 20


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT])
def test_roles_without_the_import_capability_get_403(client_for, admin_user, tmp_path, role):
    from django.test import Client

    admin = Client()
    admin.force_login(admin_user)
    job_id = job_id_from(upload(admin, write_csv(tmp_path / "c.csv", PERSIAN_ROWS)))
    client = client_for(role)
    for url in [
        reverse("imports:list"),
        reverse("imports:new"),
        reverse("imports:job", args=[job_id]),
        reverse("imports:progress", args=[job_id]),
        reverse("imports:errors-export", args=[job_id, "csv"]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("imports:commit", args=[job_id])).status_code == 403
    assert upload(client, write_csv(tmp_path / "d.csv", PERSIAN_ROWS)).status_code == 403


def test_an_analyst_imports_responses_but_not_customers(client_for, admin_user, tmp_path):
    """Analysts hold responses.import and text.change, not customers.import: the pages offer
    responses and social posts, customer jobs are 403."""
    from django.test import Client

    admin = Client()
    admin.force_login(admin_user)
    job_id = job_id_from(upload(admin, write_csv(tmp_path / "c.csv", PERSIAN_ROWS)))
    client = client_for(Role.ANALYST)
    page = client.get(reverse("imports:new"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["kind"].choices) == [
        ("responses", "Survey responses"),
        ("social_posts", "Social posts and reviews"),
    ]
    for url in [
        reverse("imports:job", args=[job_id]),
        reverse("imports:progress", args=[job_id]),
        reverse("imports:errors-export", args=[job_id, "csv"]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("imports:commit", args=[job_id])).status_code == 403
    assert upload(client, write_csv(tmp_path / "d.csv", PERSIAN_ROWS)).status_code == 400


def test_anonymous_is_sent_to_login(client, tmp_path):
    response = client.get(reverse("imports:new"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_page_shows_jobs(client_for, tmp_path):
    client = client_for(Role.CX_MANAGER)
    upload(client, write_csv(tmp_path / "listed.csv", PERSIAN_ROWS))
    page = client.get(reverse("imports:list")).content.decode()
    assert "listed.csv" in page
