"""Case reports on a small fixture whose figures are computed by hand: SLA achievement,
first-response achievement, median/p90 of business minutes, backlog age buckets, reopen
rate, breakdowns, contact volume, the complaints-handling report, the page and its exports."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cxm.accounts.roles import Role
from cxm.cases import reports
from cxm.cases.models import (
    Capa,
    CapaStatus,
    Case,
    CaseMessage,
    CaseStatus,
    CaseTopic,
    CaseType,
    MessageKind,
)
from cxm.channels.models import Channel

START, END = dt.date(2026, 5, 1), dt.date(2026, 5, 31)


def local(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


NOW = local(dt.date(2026, 6, 10))


@pytest.fixture
def fixture(db, complaint, office_policy, team, agents):
    """R1..R10 resolved in May; R1..R5 complaints on e-mail, R6..R10 inquiries on the web.

    first_response_minutes = 5·i, resolution_minutes = 10·i; R1..R8 have a policy (R9, R10
    none); R1, R2 breached the response, R3 the resolution; R4 was reopened; R1 rated 5,
    R2 rated 3. Plus: R11 resolved in April (outside), a merged duplicate (left out),
    and active cases of several ages, one of them with its first response overdue in May.
    """
    email, web = Channel.objects.get(code="email"), Channel.objects.get(code="web")
    inquiry = CaseType.objects.get(code="inquiry")
    delivery = CaseTopic.objects.create(code="delivery", names={"en": "Delivery"})
    resolved = CaseStatus.objects.get(category="resolved", is_default=True)
    open_status = CaseStatus.objects.get(category="open", is_default=True)
    cases = {}

    def make(name: str, **fields):
        base = {
            "subject": name,
            "type": complaint,
            "status": open_status,
            "status_category": "open",
            "team": team,
        }
        base.update(fields)
        created_at = base.pop("created_at", local(dt.date(2026, 5, 2)))
        case = Case.objects.create(**base)
        Case.objects.filter(pk=case.pk).update(created_at=created_at)
        cases[name] = case
        return case

    for i in range(1, 11):
        day = dt.date(2026, 5, 2 + i)
        make(
            f"R{i}",
            type=complaint if i <= 5 else inquiry,
            topic=delivery if i <= 3 else None,
            channel=email if i <= 5 else web,
            assignee=agents[0] if i % 2 else agents[1],
            status=resolved,
            status_category="resolved",
            sla_policy=office_policy if i <= 8 else None,
            response_by=local(day, 9) if i <= 8 else None,
            first_responded_on=local(day, 10),
            first_response_minutes=5.0 * i,
            resolved_at=local(day, 15),
            resolution_minutes=10.0 * i,
            response_breached=i in (1, 2),
            resolution_breached=i == 3,
            reopen_count=1 if i == 4 else 0,
            resolution_rating={1: 5, 2: 3}.get(i),
        )
    make(
        "R11",
        status=resolved,
        status_category="resolved",
        sla_policy=office_policy,
        resolved_at=local(dt.date(2026, 4, 20)),
        resolution_minutes=9999.0,
        created_at=local(dt.date(2026, 4, 1)),
    )
    make(
        "dup",
        status=resolved,
        status_category="resolved",
        resolved_at=local(dt.date(2026, 5, 20)),
        resolution_minutes=1.0,
        merged_into=cases["R1"],
    )
    # Active now (NOW = 10 June 12:00): ages 2 h, 2 d, 5 d, 5 d, 10 d.
    for name, age in (("A0", dt.timedelta(hours=2)), ("A1", dt.timedelta(days=2))):
        make(name, created_at=NOW - age, channel=web)
    for name in ("A2", "A3"):
        make(name, created_at=NOW - dt.timedelta(days=5), channel=email)
    make(
        "A4",
        created_at=NOW - dt.timedelta(days=31),
        channel=email,
        response_by=local(dt.date(2026, 5, 20)),
        response_breached=True,
    )
    # Customer messages: 3 by e-mail in the week of 4 May, 2 on the web in the week of 11 May.
    for i, (name, channel, day) in enumerate(
        [
            ("R1", email, dt.date(2026, 5, 4)),
            ("R2", email, dt.date(2026, 5, 5)),
            ("R3", email, dt.date(2026, 5, 10)),
            ("R6", web, dt.date(2026, 5, 11)),
            ("R7", web, dt.date(2026, 5, 12)),
        ]
    ):
        CaseMessage.objects.create(
            case=cases[name],
            kind=MessageKind.INBOUND,
            channel=channel,
            body=f"m{i}",
            created_at=local(day),
        )
    CaseMessage.objects.create(
        case=cases["R1"],
        kind=MessageKind.OUTBOUND,
        channel=email,
        body="reply",
        created_at=local(dt.date(2026, 5, 4)),
    )
    return cases


def filters(**kw) -> reports.ReportFilters:
    return reports.ReportFilters(start=START, end=END, **kw)


# ------------------------------------------------------------------------------ figures


def test_percentiles_match_percentile_cont():
    # 10..100: median 55; p90 at position 0.9·9 = 8.1 → 90 + 0.1·10 = 91.
    assert reports.percentiles([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) == [55.0, 91.0]
    assert reports.percentiles([7]) == [7.0, 7.0]
    assert reports.percentiles([]) == []


@pytest.mark.django_db
def test_summary_by_hand(fixture):
    s = reports.summary(filters(), now=NOW)
    assert s.opened == 10 + 1  # R1..R10 and A4 (31 days before 10 June = 10 May)
    assert s.resolved == 10
    assert (s.sla_cases, s.sla_met) == (8, 5)  # R4..R8
    assert s.sla_pct == 62.5
    # Answered in May with a target: R1..R8 (6 in time) + A4, still unanswered, due in May.
    assert (s.response_cases, s.response_met) == (9, 6)
    assert s.response_pct == 66.7
    # first_response_minutes 5..50: median 27.5, p90 = 45 + 0.1·5 = 45.5
    assert s.frt_median == pytest.approx(27.5)
    assert s.frt_p90 == pytest.approx(45.5)
    assert s.resolution_median == pytest.approx(55.0)
    assert s.resolution_p90 == pytest.approx(91.0)
    assert (s.reopened, s.reopen_pct) == (1, 10.0)
    assert (s.rated, s.rating_avg) == (2, pytest.approx(4.0))
    assert s.backlog == {"lt_1d": 1, "1_3d": 1, "3_7d": 2, "gt_7d": 1}


@pytest.mark.django_db
def test_filters_narrow_the_figures(fixture, agents):
    web = Channel.objects.get(code="web")
    s = reports.summary(filters(channel=web), now=NOW)
    assert s.resolved == 5 and (s.sla_cases, s.sla_met) == (3, 3)
    assert s.backlog == {"lt_1d": 1, "1_3d": 1, "3_7d": 0, "gt_7d": 0}
    by_agent = reports.summary(filters(agent=agents[0]), now=NOW)  # R1, R3, R5, R7, R9
    assert by_agent.resolved == 5
    assert by_agent.resolution_median == pytest.approx(50.0)
    inquiry = CaseType.objects.get(code="inquiry")
    assert reports.summary(filters(case_type=inquiry), now=NOW).resolved == 5


@pytest.mark.django_db
def test_breakdown_by_channel(fixture):
    rows = {r.label: r for r in reports.breakdown(filters(), "channel", now=NOW)}
    email, web = rows["E-mail"], rows["Web / portal"]
    assert (email.resolved, email.sla_cases, email.sla_met, email.sla_pct) == (5, 5, 2, 40.0)
    assert (web.resolved, web.sla_cases, web.sla_met, web.sla_pct) == (5, 3, 3, 100.0)
    assert email.resolution_median == pytest.approx(30.0)  # 10..50
    assert web.resolution_median == pytest.approx(80.0)  # 60..100
    assert web.frt_median == pytest.approx(40.0)  # 30..50
    assert (email.backlog, web.backlog) == (3, 2)
    assert email.reopen_pct == 20.0


@pytest.mark.django_db
def test_breakdown_by_agent_and_team(fixture, agents, team):
    rows = {r.key: r for r in reports.breakdown(filters(), "agent", now=NOW)}
    assert rows[agents[0].pk].resolved == 5 and rows[agents[1].pk].resolved == 5
    assert rows[None].label == "Unassigned" and rows[None].backlog == 5
    teams = reports.breakdown(filters(), "team", now=NOW)
    assert [(r.label, r.resolved) for r in teams] == [(team.name, 10)]
    with pytest.raises(ValueError):
        reports.breakdown(filters(), "colour")


@pytest.mark.django_db
def test_contact_volume_per_channel_and_week(fixture):
    volume = reports.contact_volume(filters())
    assert volume.weeks[0] == dt.date(2026, 4, 27) and len(volume.weeks) == 5
    assert volume.series == {"E-mail": [0, 3, 0, 0, 0], "Web / portal": [0, 0, 2, 0, 0]}


@pytest.mark.django_db
def test_complaints_handling_report(fixture):
    Capa.objects.create(title="Open one", problem_statement="P", due_on=dt.date(2026, 1, 1))
    Capa.objects.create(title="Done", problem_statement="P", status=CapaStatus.CLOSED)
    r = reports.complaints_report(filters())
    # Complaints opened in May: R1..R5 and A4.
    assert r.received == 6
    assert r.acknowledged == 5
    assert r.acknowledged_in_target == 3  # R3, R4, R5
    assert (r.resolved, r.resolved_in_target) == (5, 4)  # R3 breached
    assert r.still_open == 1
    assert (r.rated, r.rating_avg) == (2, pytest.approx(4.0))
    topics = {row.label: row for row in r.by_topic}
    assert (topics["Delivery"].received, topics["Delivery"].resolved_in_target) == (3, 2)
    assert topics["Not set"].received == 3
    assert [c.title for c in r.open_capas] == ["Open one"]


# ------------------------------------------------------------------------------ page


@pytest.mark.django_db
def test_report_page_in_persian_with_jalali_period(fixture, client_for):
    client = client_for(Role.AGENT, language="fa")
    # 1405/02/11 = 2026-05-01, 1405/03/10 = 2026-05-31
    response = client.get(
        reverse("cases:cases_reports:index"), {"start": "۱۴۰۵/۰۲/۱۱", "end": "1405/03/10"}
    )
    assert response.status_code == 200
    assert response.context["filters"].start == START
    assert response.context["filters"].end == END
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "۶۲٫۵" in html or "۶۲.۵" in html  # SLA achieved 62.5 in Persian digits
    assert 'id="report-chart-data"' in html


@pytest.mark.django_db
def test_report_page_refuses_a_reversed_period(client_for):
    client = client_for(Role.AGENT)
    response = client.get(
        reverse("cases:cases_reports:index"), {"start": "2026-05-31", "end": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()


@pytest.mark.django_db
def test_report_needs_sign_in(client):
    assert client.get(reverse("cases:cases_reports:index")).status_code == 302


@pytest.mark.django_db
def test_csv_export_of_one_table(fixture, client_for):
    client = client_for(Role.AGENT)
    url = reverse("cases:cases_reports:index")
    params = {"start": "2026-05-01", "end": "2026-05-31", "export": "csv", "table": "by_channel"}
    response = client.get(url, params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Channel", "Opened", "Resolved", "SLA achieved %"]
    by_label = {r[0]: r for r in rows[1:]}
    assert by_label["E-mail"][2:4] == ["5", "40.0"]
    assert client.get(url, {**params, "table": "nope"}).status_code == 400


@pytest.mark.django_db
def test_xlsx_export_has_every_table(fixture, client_for):
    client = client_for(Role.AGENT)
    response = client.get(
        reverse("cases:cases_reports:index"),
        {"start": "2026-05-01", "end": "2026-05-31", "export": "xlsx"},
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert "Summary" in book.sheetnames and "By agent" in book.sheetnames
    assert "Complaints by topic" in book.sheetnames
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["SLA achieved % (resolved cases with a service level)"] == 62.5
    assert summary["Cases resolved"] == 10
