"""The REST API of imports: upload, mapping, dry run, commit, status, errors."""

import pytest

from cxm.accounts.roles import Role
from cxm.customers.models import Customer
from cxm.imports.tests.helpers import write_csv, write_xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    ["Customer ID", "Full name", "Phone", "E-mail"],
    ["A1", "Ann Smith", "+36 30 123 4567", "ann@example.com"],
    ["A2", "Bob", "0912 123 4567", "bob@@example"],
    ["A3", "Cem", "", ""],
]


def _create(api, path):
    with path.open("rb") as handle:
        return api.post("/api/v1/imports/", {"kind": "customers", "file": handle})


def test_full_api_flow(api_for, tmp_path):
    api = api_for(Role.CX_MANAGER)
    response = _create(api, write_csv(tmp_path / "api.csv", ROWS))
    assert response.status_code == 201, response.json()
    job = response.json()
    assert job["status"] == "uploaded"
    assert job["mapping"] == {"external_id": 0, "name": 1, "phone": 2, "email": 3}

    url = f"/api/v1/imports/{job['id']}/"
    response = api.post(
        url + "mapping/",
        {
            "mapping": {"external_id": "Customer ID", "name": 1, "phone": "Phone", "email": 3},
            "mode": "skip_bad_rows",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "mapped"

    response = api.post(url + "dry-run/")
    assert response.status_code == 202
    status = api.get(url).json()
    assert status["status"] == "validated"
    assert status["counts"] == {
        "total": 3,
        "valid": 2,
        "invalid": 1,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
    }
    assert status["progress"] == {"rows_processed": 3, "percent": 100, "running": False}

    errors = api.get(url + "errors/").json()
    assert errors["count"] == 1
    error = errors["results"][0]
    assert (error["row_number"], error["column"], error["code"]) == (3, "E-mail", "invalid_email")
    assert error["value"] == "bob@@example"

    response = api.post(url + "commit/", {"mode": "skip_bad_rows"}, format="json")
    assert response.status_code == 202
    status = api.get(url).json()
    assert status["status"] == "done"
    assert status["counts"]["created"] == 2
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"A1", "A3"}

    listing = api.get("/api/v1/imports/").json()
    assert [j["id"] for j in listing["results"]] == [job["id"]]


def test_errors_are_paginated(api_for, tmp_path):
    api = api_for(Role.ADMINISTRATOR)
    rows = [["external_id", "name"]] + [[f"E{i}", ""] for i in range(75)]
    job = _create(api, write_csv(tmp_path / "e.csv", rows)).json()
    url = f"/api/v1/imports/{job['id']}/"
    api.post(url + "mapping/", {"mapping": job["mapping"]}, format="json")
    api.post(url + "dry-run/")
    page = api.get(url + "errors/", {"page_size": 50}).json()
    assert page["count"] == 75 and len(page["results"]) == 50 and page["next"]
    second = api.get(url + "errors/", {"page_size": 50, "page": 2}).json()
    assert [e["row_number"] for e in second["results"]] == list(range(52, 77))


def test_missing_required_column_is_a_400_before_the_dry_run(api_for, tmp_path):
    api = api_for(Role.ADMINISTRATOR)
    job = _create(api, write_csv(tmp_path / "c.csv", [["name"], ["Ann"]])).json()
    url = f"/api/v1/imports/{job['id']}/"
    response = api.post(url + "mapping/", {"mapping": {"name": 0}}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "missing_column"
    assert body["extra"]["fields"] == ["external_id"]
    response = api.post(url + "dry-run/")
    assert response.status_code == 400 and response.json()["code"] == "missing_column"
    assert api.get(url).json()["counts"]["total"] == 0


def test_commit_all_or_nothing_is_refused_when_the_dry_run_found_bad_rows(api_for, tmp_path):
    api = api_for(Role.ADMINISTRATOR)
    job = _create(api, write_csv(tmp_path / "c.csv", ROWS)).json()
    url = f"/api/v1/imports/{job['id']}/"
    api.post(url + "mapping/", {"mapping": job["mapping"], "mode": "all_or_nothing"}, format="json")
    api.post(url + "dry-run/")
    response = api.post(url + "commit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "row_invalid"
    assert Customer.objects.count() == 0


def test_commit_before_dry_run_is_refused(api_for, tmp_path):
    api = api_for(Role.ADMINISTRATOR)
    job = _create(api, write_csv(tmp_path / "c.csv", ROWS)).json()
    response = api.post(f"/api/v1/imports/{job['id']}/commit/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_state"


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "empty_file"), (b"\x00\x01\x02binary", "unreadable_file")],
)
def test_bad_uploads(api_for, tmp_path, content, code):
    api = api_for(Role.ADMINISTRATOR)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    response = _create(api, path)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_oversize_upload(api_for, tmp_path, settings):
    settings.CXM_IMPORT_MAX_BYTES = 512
    api = api_for(Role.ADMINISTRATOR)
    path = write_csv(tmp_path / "big.csv", [["external_id", "name"]] + [["C1", "Ann"]] * 100)
    response = _create(api, path)
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"


def test_xlsx_by_api(api_for, tmp_path):
    api = api_for(Role.ADMINISTRATOR)
    path = write_xlsx(tmp_path / "b.xlsx", [["external_id", "name"], ["X1", "Ann"]])
    job = _create(api, path).json()
    assert job["file_format"] == "xlsx"


def test_unknown_kind(api_for, tmp_path):
    api = api_for(Role.ADMINISTRATOR)
    with write_csv(tmp_path / "c.csv", ROWS).open("rb") as handle:
        response = api.post("/api/v1/imports/", {"kind": "spaceships", "file": handle})
    assert response.status_code == 400 and response.json()["code"] == "unknown_kind"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT, Role.SUPERVISOR])
def test_roles_without_the_capability_get_403(api_for, tmp_path, role):
    admin = api_for(Role.ADMINISTRATOR)
    job = _create(admin, write_csv(tmp_path / "c.csv", ROWS)).json()
    url = f"/api/v1/imports/{job['id']}/"
    api = api_for(role)
    assert _create(api, write_csv(tmp_path / "d.csv", ROWS)).status_code == 403
    assert api.get("/api/v1/imports/").status_code == 403
    for path in ("", "errors/"):
        assert api.get(url + path).status_code == 403
    for path in ("mapping/", "dry-run/", "commit/"):
        assert api.post(url + path, {}, format="json").status_code == 403


def test_unauthenticated_gets_401_or_403(client):
    assert client.get("/api/v1/imports/").status_code in (401, 403)
