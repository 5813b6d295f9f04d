"""Working-calendar pages through the Django test client: reading for everybody signed in,
editing for `sla.change`, the week editor (Persian digits, errors per day), holidays and
the JSON and iCalendar uploads."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cxm.accounts.roles import Role
from cxm.sla import services
from cxm.sla.models import Holiday, WorkingCalendar
from cxm.sla.tests.factories import OFFICE_WEEK, WorkingCalendarFactory
from cxm.sla.tests.test_services import ICS

pytestmark = pytest.mark.django_db


def week_post(**days: str) -> dict[str, str]:
    data = {"name": "Tehran", "timezone": "Asia/Tehran", "is_active": "on"}
    data.update({day: "" for day in ("sat", "sun", "mon", "tue", "wed", "thu", "fri")})
    data.update(days)
    return data


def test_viewer_reads_but_cannot_edit(client_for):
    calendar = WorkingCalendarFactory.create(name="Tehran office")
    services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 21), name="نوروز")
    viewer = client_for(Role.VIEWER)
    listing = viewer.get(reverse("sla:list")).content.decode()
    assert "Tehran office" in listing and reverse("sla:create") not in listing
    detail = viewer.get(reverse("sla:detail", args=[calendar.pk])).content.decode()
    assert "نوروز" in detail and "08:00-16:00" in detail
    assert reverse("sla:edit", args=[calendar.pk]) not in detail
    assert viewer.get(reverse("sla:create")).status_code == 403
    posted = viewer.post(reverse("sla:holiday-add", args=[calendar.pk]), {"date": "2026-04-01"})
    assert posted.status_code == 403
    assert viewer.post(reverse("sla:holidays-load", args=[calendar.pk]), {}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("sla:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_create_with_persian_digits_and_several_intervals(client_for):
    manager = client_for(Role.CX_MANAGER)
    response = manager.post(
        reverse("sla:create"),
        week_post(sat="۰۸:۰۰-۱۲:۰۰، ۱۳:۰۰-۱۶:۰۰", thu="08:00 - 13:00", mon="22:00-24:00"),
    )
    calendar = WorkingCalendar.objects.get(name="Tehran")
    assert response.status_code == 302
    assert response["Location"] == reverse("sla:detail", args=[calendar.pk])
    assert calendar.week["sat"] == [["08:00", "12:00"], ["13:00", "16:00"]]
    assert calendar.week["mon"] == [["22:00", "24:00"]] and calendar.week["fri"] == []


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ({"sat": "16:00-08:00"}, "overnight"),
        ({"sun": "8am-16:00"}, "&#x27;8am&#x27;"),
        ({"mon": "08:00-12:00, 11:00-13:00"}, "overlap"),
        ({"tue": "08:00"}, "not an interval"),
        ({}, "at least one day"),
    ],
)
def test_week_editor_errors(client_for, days, message):
    response = client_for(Role.ADMINISTRATOR).post(reverse("sla:create"), week_post(**days))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WorkingCalendar.objects.exists()


def test_edit_shows_the_week_as_text_and_saves(client_for):
    calendar = WorkingCalendarFactory.create(name="Old")
    admin = client_for(Role.ADMINISTRATOR)
    page = admin.get(reverse("sla:edit", args=[calendar.pk])).content.decode()
    assert 'value="08:00-13:00"' in page
    response = admin.post(
        reverse("sla:edit", args=[calendar.pk]),
        week_post(name="New", timezone="Europe/Budapest", mon="09:00-17:00"),
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert (calendar.name, calendar.timezone) == ("New", "Europe/Budapest")
    assert calendar.week["sat"] == []


def test_delete_calendar(client_for):
    calendar = WorkingCalendarFactory.create()
    response = client_for().post(reverse("sla:edit", args=[calendar.pk]), {"delete": "1"})
    assert response.status_code == 302 and not WorkingCalendar.objects.exists()


def test_holidays_add_with_a_jalali_date_and_delete(client_for, settings):
    calendar = WorkingCalendarFactory.create()
    admin = client_for(Role.ADMINISTRATOR, language="fa")
    response = admin.post(
        reverse("sla:holiday-add", args=[calendar.pk]),
        {"date": "۱۴۰۵/۰۱/۰۱", "name": "نوروز"},
        HTTP_ACCEPT_LANGUAGE="fa",
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get()
    assert holiday.date == dt.date(2026, 3, 21)
    again = admin.post(
        reverse("sla:holiday-add", args=[calendar.pk]), {"date": "2026-03-21"}, follow=True
    )
    with translation.override("fa"):
        message = translation.gettext("%(date)s is already a holiday in this calendar.")
    assert message.replace("%(date)s", "").strip() in again.content.decode()
    admin.post(reverse("sla:holiday-delete", args=[holiday.pk]))
    assert not Holiday.objects.exists()


def test_detail_shows_jalali_dates_in_persian(client_for):
    calendar = WorkingCalendarFactory.create()
    services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 21), name="نوروز")
    client = client_for(Role.VIEWER)
    client.post(reverse("preferences-language"), {"language": "fa"})
    page = client.get(reverse("sla:detail", args=[calendar.pk])).content.decode()
    assert 'dir="rtl"' in page
    assert "۱۴۰۵/۰۱/۰۱" in page or "1405/01/01" in page


def test_load_official_holidays_for_a_jalali_year(client_for):
    calendar = WorkingCalendarFactory.create()
    response = client_for().post(
        reverse("sla:holidays-load", args=[calendar.pk]),
        {"country": "IR", "year": "۱۴۰۵"},
        follow=True,
    )
    assert "holidays added" in response.content.decode()
    dates = set(calendar.holidays.values_list("date", flat=True))
    assert dt.date(2026, 3, 21) in dates and dt.date(2026, 3, 20) not in dates  # 29 Esfand 1404
    assert max(dates) < dt.date(2027, 3, 21)


def test_ics_upload_and_bad_file(client_for):
    calendar = WorkingCalendarFactory.create()
    admin = client_for()
    url = reverse("sla:holidays-ics", args=[calendar.pk])
    good = admin.post(url, {"file": SimpleUploadedFile("h.ics", ICS)}, follow=True)
    assert "5 holidays added from 5 all-day dates" in good.content.decode()
    bad = admin.post(url, {"file": SimpleUploadedFile("h.ics", b"nonsense")}, follow=True)
    assert "not a usable iCalendar" in bad.content.decode()
    assert calendar.holidays.count() == 5


def test_json_export_and_import(client_for):
    calendar = WorkingCalendarFactory.create()
    services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 21))
    admin = client_for()
    exported = admin.get(reverse("sla:export", args=[calendar.pk]))
    assert exported["Content-Type"].startswith("application/json")
    data = json.loads(exported.content)
    assert data == {"timezone": "Asia/Tehran", "week": OFFICE_WEEK, "holidays": ["2026-03-21"]}

    upload = SimpleUploadedFile("c.json", exported.content)
    response = admin.post(reverse("sla:import"), {"name": "Copy", "file": upload})
    copy = WorkingCalendar.objects.get(name="Copy")
    assert response.status_code == 302 and copy.export_dict() == data

    broken = SimpleUploadedFile("c.json", b'{"timezone": "Asia/Tehran", "week": {"sat": 1}}')
    failed = admin.post(reverse("sla:import"), {"name": "Broken", "file": broken})
    assert failed.status_code == 200 and "list of [start, end]" in failed.content.decode()
    assert not WorkingCalendar.objects.filter(name="Broken").exists()

    data["timezone"] = "Europe/Budapest"
    replace = SimpleUploadedFile("c.json", json.dumps(data).encode())
    admin.post(reverse("sla:replace", args=[copy.pk]), {"file": replace})
    copy.refresh_from_db()
    assert copy.timezone == "Europe/Budapest"
