"""The scheduled weekly PDF report: weeks, due logic, the PDF's content (English and a
shaped Persian one), sending once with two runs, the pages' permissions and form errors."""

import datetime as dt
import io
import logging
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from cxm.accounts.models import User
from cxm.accounts.roles import Role
from cxm.analytics import report_pdf, reports, tasks
from cxm.analytics.models import GoalKpi, KpiGoal, ReportSchedule
from cxm.analytics.services import kpi_rollup_refresh
from cxm.channels.models import Channel
from cxm.common.scheduler import periodic_jobs

TEHRAN = ZoneInfo("Asia/Tehran")
# Week of Monday 2024-03-11 (en) / Saturday 2024-03-09 (fa); "now" is Wednesday 2024-03-20.
NOW = dt.datetime(2024, 3, 20, 10, 0, tzinfo=TEHRAN)


def make_schedule(**fields) -> ReportSchedule:
    values = {
        "name": "Management",
        "recipients": "ceo@example.com, cfo@example.com",
        "language": "en",
        "weekday": 0,
        "hour": 8,
        "time_zone": "Asia/Tehran",
    }
    values.update(fields)
    schedule = ReportSchedule(**values)
    schedule.full_clean()
    schedule.save()
    return schedule


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def two_weeks(nps_survey, add_response):
    """Week of 2024-03-11 (en): 40 NPS answers, 30 promoters (NPS 75) on web;
    the week before: 10 answers, 5 promoters and 5 detractors (NPS 0) on SMS."""
    web = Channel.objects.get_or_create(code="web-r", defaults={"name": "Web form"})[0]
    sms = Channel.objects.get_or_create(code="sms-r", defaults={"name": "Text message"})[0]
    monday = dt.datetime(2024, 3, 11, 12, tzinfo=TEHRAN)
    for i in range(40):
        add_response(
            nps_survey,
            {"nps": 10 if i < 30 else 7, **({"reason": "Great"} if i < 3 else {})},
            when=monday + dt.timedelta(days=i % 7),
            channel=web,
        )
    for i in range(10):
        add_response(
            nps_survey,
            {"nps": 9 if i < 5 else 2},
            when=monday - dt.timedelta(days=7 - i % 7),
            channel=sms,
        )
    kpi_rollup_refresh(days=None)
    return nps_survey


# ------------------------------------------------------------------------------ weeks


def test_weeks_start_on_saturday_for_fa_ar_and_monday_for_hu_en():
    wednesday = dt.date(2024, 3, 20)
    assert reports.week_start(wednesday, "en") == dt.date(2024, 3, 18)
    assert reports.week_start(wednesday, "hu") == dt.date(2024, 3, 18)
    assert reports.week_start(wednesday, "fa") == dt.date(2024, 3, 16)
    assert reports.week_start(wednesday, "ar") == dt.date(2024, 3, 16)
    assert reports.last_full_week(wednesday, "en") == dt.date(2024, 3, 11)
    assert reports.last_full_week(wednesday, "fa") == dt.date(2024, 3, 9)
    # On the first day of a week the last full week is the one that just ended.
    assert reports.last_full_week(dt.date(2024, 3, 16), "fa") == dt.date(2024, 3, 9)


# -------------------------------------------------------------------------------- due


@pytest.mark.django_db
def test_due_before_and_after_the_hour():
    schedule = make_schedule(weekday=0, hour=8)  # Monday 08:00 Tehran
    monday = dt.datetime(2024, 3, 18, 7, 59, tzinfo=TEHRAN)
    assert reports.due_period(schedule, monday) is None
    assert reports.due_period(schedule, monday + dt.timedelta(minutes=1)) == dt.date(2024, 3, 11)
    # Later in the week it is still due until sent (a scheduler that was down catches up).
    assert reports.due_period(schedule, NOW) == dt.date(2024, 3, 11)


@pytest.mark.django_db
def test_due_follows_the_schedules_time_zone():
    schedule = make_schedule(weekday=0, hour=8, time_zone="Europe/Budapest", language="hu")
    # 10:00 in Tehran on Monday is 07:30 in Budapest: not yet.
    assert reports.due_period(schedule, dt.datetime(2024, 3, 18, 10, 0, tzinfo=TEHRAN)) is None
    assert reports.due_period(
        schedule, dt.datetime(2024, 3, 18, 8, 0, tzinfo=ZoneInfo("Europe/Budapest"))
    ) == dt.date(2024, 3, 11)


@pytest.mark.django_db
def test_not_due_when_sent_this_week_or_inactive():
    schedule = make_schedule(last_sent_period=dt.date(2024, 3, 11))
    assert reports.due_period(schedule, NOW) is None
    schedule.last_sent_period = dt.date(2024, 3, 4)
    assert reports.due_period(schedule, NOW) == dt.date(2024, 3, 11)
    schedule.active = False
    assert reports.due_period(schedule, NOW) is None


@pytest.mark.django_db
def test_a_saturday_week_is_due_from_its_weekday():
    schedule = make_schedule(language="fa", weekday=5, hour=9)  # Saturday 09:00
    saturday = dt.datetime(2024, 3, 16, 8, 0, tzinfo=TEHRAN)
    assert reports.due_period(schedule, saturday) is None
    assert reports.due_period(schedule, saturday.replace(hour=9)) == dt.date(2024, 3, 9)


# -------------------------------------------------------------------------------- PDF


@pytest.mark.django_db
def test_english_pdf_has_the_weeks_numbers(two_weeks, admin_user):
    KpiGoal.objects.create(
        kpi=GoalKpi.NPS, target=50, owner=admin_user, deadline=dt.date(2024, 12, 31)
    )
    schedule = make_schedule()
    data = reports.report_pdf(schedule, dt.date(2024, 3, 11))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "weekly report" in text
    assert "NPS" in text and "75" in text  # this week: 30 of 40 promoters, no detractor
    assert "+75" in text  # change against the week before (NPS 0)
    assert "Web form" in text and "40" in text  # the channel breakdown
    assert "+25.0" in text  # the goal's gap: 75 − 50
    assert "New comments: 3" in text
    assert "the week before has fewer than 30 answers" in text  # 10 answers
    # The week before as the report's week: 10 answers, the interval and a warning.
    text = pdf_text(reports.report_pdf(schedule, dt.date(2024, 3, 4)))
    assert "NPS: fewer than 30 answers (10)" in text
    report = reports.weekly_report(schedule, dt.date(2024, 3, 11))
    nps = report.kpis[0]
    assert nps.current is not None and nps.previous is not None and nps.difference is not None
    assert nps.current.n == 40 and nps.previous.n == 10
    assert nps.difference.value == pytest.approx(75.0) and nps.difference.significant
    assert [p.n for p in report.trend] == [0, 0, 0, 0, 0, 0, 10, 40]
    assert report.responses == 40 and report.previous_responses == 10


@pytest.mark.django_db
def test_persian_pdf_is_shaped_with_jalali_dates_and_persian_digits(two_weeks):
    schedule = make_schedule(name="گزارش هفتگی مدیریت", language="fa", weekday=5)
    report = reports.weekly_report(schedule, dt.date(2024, 3, 9))
    assert report.start == dt.date(2024, 3, 9)
    assert report_pdf.format_day(report.start, "fa") == "۱۴۰۲/۱۲/۱۹"
    data = reports.report_pdf(schedule, dt.date(2024, 3, 9))
    assert data.startswith(b"%PDF")
    assert b"Vazirmatn" in data  # the embedded font: shaped Persian, not "?"


@pytest.mark.django_db
def test_without_the_font_a_core_font_is_used_with_a_warning(two_weeks, settings, tmp_path, caplog):
    settings.NODE_MODULES = tmp_path
    schedule = make_schedule(language="fa", weekday=5)
    with caplog.at_level(logging.WARNING, logger="cxm.analytics.report_pdf"):
        data = reports.report_pdf(schedule, dt.date(2024, 3, 9))
    assert data.startswith(b"%PDF")
    assert "Vazirmatn font is missing" in caplog.text


# ---------------------------------------------------------------------------- sending


@pytest.mark.django_db
def test_send_due_reports_sends_once_even_when_run_twice(two_weeks, time_machine):
    time_machine.move_to(NOW)
    schedule = make_schedule()
    make_schedule(name="Later", weekday=4)  # Friday: not due on Wednesday
    tasks.send_due_reports.enqueue()
    tasks.send_due_reports.enqueue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ceo@example.com", "cfo@example.com"]
    name, content, mimetype = message.attachments[0]
    assert name == "cx-report-2024-03-11.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    schedule.refresh_from_db()
    assert schedule.last_sent_period == dt.date(2024, 3, 11)

    time_machine.move_to(NOW + dt.timedelta(days=2))  # Friday: "Later" sends the same week
    tasks.send_due_reports.enqueue()
    assert len(mail.outbox) == 2 and "2024-03-11" in mail.outbox[1].attachments[0][0]

    time_machine.move_to(NOW + dt.timedelta(days=5))  # next Monday 10:00: the next week
    tasks.send_due_reports.enqueue()
    tasks.send_due_reports.enqueue()
    assert len(mail.outbox) == 3 and "2024-03-18" in mail.outbox[2].attachments[0][0]


@pytest.mark.django_db
def test_a_stale_copy_of_the_schedule_cannot_send_again(two_weeks):
    """Two workers load the schedule before either sends: the conditional update lets one."""
    make_schedule()
    first, second = ReportSchedule.objects.get(), ReportSchedule.objects.get()
    assert reports.report_send_if_due(schedule=first, now=NOW)
    assert not reports.report_send_if_due(schedule=second, now=NOW)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_send_releases_the_week(two_weeks, monkeypatch):
    schedule = make_schedule()

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(reports, "report_send", broken)
    assert reports.reports_send_due(now=NOW) == []
    schedule.refresh_from_db()
    assert schedule.last_sent_period is None


def test_send_due_reports_is_a_periodic_job():
    assert any(
        job.name == "analytics.send_due_reports" and job.task is tasks.send_due_reports
        for job in periodic_jobs()
    )


# ------------------------------------------------------------------------------ pages


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENT, Role.SUPERVISOR])
def test_pages_need_the_reports_capability(client_for, role):
    schedule = make_schedule()
    client = client_for(role)
    for url in (
        reverse("analytics:report-list"),
        reverse("analytics:report-create"),
        reverse("analytics:report-edit", args=[schedule.pk]),
        reverse("analytics:report-download", args=[schedule.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("analytics:report-send", args=[schedule.pk])).status_code == 403
    assert client.post(reverse("analytics:report-create"), {"name": "x"}).status_code == 403
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(reverse("analytics:report-list")).status_code == 302


@pytest.mark.django_db
def test_an_analyst_creates_downloads_and_sends(client_for, two_weeks, time_machine):
    time_machine.move_to(NOW)
    client = client_for(Role.ANALYST)
    response = client.post(
        reverse("analytics:report-create"),
        {
            "name": "Weekly to management",
            "recipients": "ceo@example.com\nops@example.com",
            "language": "en",
            "weekday": "0",
            "hour": "8",
            "time_zone": "Asia/Tehran",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    schedule = ReportSchedule.objects.get()
    assert schedule.recipient_list() == ["ceo@example.com", "ops@example.com"]
    assert isinstance(schedule.created_by, User)
    html = client.get(reverse("analytics:report-list")).content.decode()
    assert "Weekly to management" in html

    pdf = client.get(reverse("analytics:report-download", args=[schedule.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "cx-report-2024-03-11.pdf" in pdf["Content-Disposition"]

    assert client.post(reverse("analytics:report-send", args=[schedule.pk])).status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ceo@example.com", "ops@example.com"]
    schedule.refresh_from_db()
    assert schedule.last_sent_period is None  # "send now" leaves the weekly schedule alone


@pytest.mark.django_db
def test_bad_input_gives_clear_errors(client_for):
    client = client_for(Role.CX_MANAGER)
    response = client.post(
        reverse("analytics:report-create"),
        {
            "name": "Bad",
            "recipients": "ceo@example.com, not-an-address",
            "language": "en",
            "weekday": "0",
            "hour": "25",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "hour" in errors
    assert "not-an-address" in str(errors["recipients"])
    assert "Mars/Olympus" in str(errors["time_zone"])
    assert not ReportSchedule.objects.exists()
