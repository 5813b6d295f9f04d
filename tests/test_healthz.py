"""/healthz answers JSON about the database and the task queue; production settings are strict."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django_tasks import task

pytestmark = pytest.mark.django_db


@task()
def noop() -> None:
    """A task that is only ever queued, never run."""


def test_healthz_is_ok_with_database_and_tasks(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["tasks"]["ok"] is True
    assert body["tasks"]["backend"] == "django_tasks_db.DatabaseBackend"
    assert body["tasks"]["pending"] == 0
    assert body["tasks"]["failed"] == 0


def test_healthz_needs_no_login_and_only_reads(client):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_reports_pending_tasks(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    noop.enqueue()
    body = client.get("/healthz").json()
    assert body["tasks"]["pending"] == 1
    assert body["tasks"]["oldest_pending_seconds"] >= 0


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from cxm.common import views

    monkeypatch.setattr(
        views, "_database_status", lambda: {"ok": False, "error": "OperationalError"}
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] is False
    assert body["tasks"]["ok"] is False


GOOD_KEY = "k3y-" + "x7Qp" * 12  # 52 characters, not the development default


def _import_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", "import cxm.config.settings.production"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "1"}, "DEBUG must be off"),
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-opencxm-development-key-change-me"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY"),
    ],
    ids=["debug-on", "no-key", "default-key", "short-key"],
)
def test_production_settings_refuse_unsafe_configuration(env, message):
    done = _import_production(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert message in done.stderr


def test_production_settings_load_with_a_proper_key():
    done = _import_production(SECRET_KEY=GOOD_KEY, DEBUG="0")
    assert done.returncode == 0, done.stderr
