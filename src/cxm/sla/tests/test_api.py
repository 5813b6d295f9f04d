"""REST API of working calendars and holidays: CRUD, validation, export and permissions."""

import datetime as dt

import pytest

from cxm.accounts.roles import Role
from cxm.sla import services
from cxm.sla.models import Holiday, WorkingCalendar
from cxm.sla.tests.factories import OFFICE_WEEK, WorkingCalendarFactory

pytestmark = pytest.mark.django_db


def test_calendar_crud_and_export(api_for):
    api = api_for(Role.CX_MANAGER)
    created = api.post(
        "/api/v1/calendars/",
        {"name": "Budapest", "timezone": "Europe/Budapest", "week": {"mon": [["09:00", "17:00"]]}},
        format="json",
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["week"]["tue"] == [] and created.data["holiday_count"] == 0

    holiday = api.post(
        "/api/v1/holidays/", {"calendar": pk, "date": "2026-03-15", "name": "Nemzeti ünnep"}
    )
    assert holiday.status_code == 201 and holiday.data["source"] == "manual"
    duplicate = api.post("/api/v1/holidays/", {"calendar": pk, "date": "2026-03-15"})
    assert duplicate.status_code == 400 and duplicate.data["code"] == "duplicate_holiday"

    exported = api.get(f"/api/v1/calendars/{pk}/export/")
    assert exported.status_code == 200
    assert exported.json() == {
        "timezone": "Europe/Budapest",
        "week": {
            "sat": [],
            "sun": [],
            "mon": [["09:00", "17:00"]],
            "tue": [],
            "wed": [],
            "thu": [],
            "fri": [],
        },
        "holidays": ["2026-03-15"],
    }

    patched = api.patch(f"/api/v1/calendars/{pk}/", {"is_active": False}, format="json")
    assert patched.status_code == 200 and patched.data["holiday_count"] == 1
    listed = api.get("/api/v1/holidays/", {"calendar": pk})
    assert [h["date"] for h in listed.data["results"]] == ["2026-03-15"]
    assert api.delete(f"/api/v1/calendars/{pk}/").status_code == 204
    assert not Holiday.objects.exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"week": {"sat": [["22:00", "06:00"]]}}, "overnight"),
        ({"week": {"sat": [["08:00", "16:00"]]}, "timezone": "Mars/Base"}, "unknown time zone"),
        ({"week": {"saturday": [["08:00", "16:00"]]}}, "unknown weekday"),
    ],
)
def test_invalid_week_is_a_400_with_the_reason(api_for, body, words):
    response = api_for().post(
        "/api/v1/calendars/", {"name": "Bad", "timezone": "Asia/Tehran", **body}, format="json"
    )
    assert response.status_code == 400
    assert words in str(response.data["extra"]["fields"])
    assert not WorkingCalendar.objects.exists()


def test_load_holidays_action(api_for):
    calendar = WorkingCalendarFactory.create()
    response = api_for().post(
        f"/api/v1/calendars/{calendar.pk}/load-holidays/",
        {"country": "IR", "years": [2026]},
        format="json",
    )
    assert response.status_code == 201
    assert "2026-03-21" in {h["date"] for h in response.data}
    assert all(h["source"] == "library" for h in response.data)


def test_read_for_everybody_write_needs_sla_change(api_for):
    calendar = WorkingCalendarFactory.create()
    services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 21))
    agent = api_for(Role.AGENT)
    assert agent.get("/api/v1/calendars/").status_code == 200
    assert agent.get(f"/api/v1/calendars/{calendar.pk}/export/").status_code == 200
    body = {"name": "X", "timezone": "UTC", "week": OFFICE_WEEK}
    assert agent.post("/api/v1/calendars/", body, format="json").status_code == 403
    holiday = Holiday.objects.get()
    assert agent.delete(f"/api/v1/holidays/{holiday.pk}/").status_code == 403
    assert agent.post(f"/api/v1/calendars/{calendar.pk}/load-holidays/", {}).status_code == 403
