"""Dashboard, goals, survey results, exports and API through the HTTP client."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cxm.accounts.models import Team, Unit
from cxm.accounts.roles import Role
from cxm.analytics.models import KpiGoal, SavedView
from cxm.analytics.services import kpi_rollup_refresh
from cxm.customers.models import Customer

NOW = timezone.now()


@pytest.fixture
def commented(nps_survey, add_response):
    customer = Customer.objects.create(
        name="Sara", external_id="S1", phone="+989121234567", email="sara@example.com"
    )
    add_response(
        nps_survey,
        {"nps": 3, "reason": '=HYPERLINK("x") <script>alert(1)</script>'},
        when=NOW - dt.timedelta(days=1),
        customer=customer,
    )
    for i in range(5):
        add_response(nps_survey, {"nps": 9 + i % 2}, when=NOW - dt.timedelta(days=2 + i))
    kpi_rollup_refresh(days=None)
    return nps_survey


def test_dashboard_small_n_warning_and_escaped_comment(client_for, commented):
    html = client_for(Role.ADMINISTRATOR).get(reverse("analytics:dashboard")).content.decode()
    assert "few answers" in html and "Fewer than 30 answers" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "+989121234567" in html
    assert 'id="chart-data" type="application/json"' in html


def test_viewer_reads_but_sees_no_contacts(client_for, commented):
    response = client_for(Role.VIEWER).get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sara" in html and "+989121234567" not in html and "sara@example.com" not in html


def test_dashboard_query_count_is_bounded(client_for, commented, django_assert_max_num_queries):
    client = client_for(Role.ADMINISTRATOR)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("analytics:dashboard"), {"language": "en"}).status_code == 200


def test_home_shows_kpis_and_customers(client_for, commented):
    html = client_for(Role.VIEWER).get(reverse("home")).content.decode()
    assert 'class="today"' in html and 'id="tile-nps"' in html


def test_goal_gap_and_permissions(client_for, make_user, commented):
    unit = Unit.objects.create(name="U", code="u")
    Team.objects.create(name="T", unit=unit)
    owner = make_user(Role.CX_MANAGER)
    KpiGoal.objects.create(kpi="nps", target=50, owner=owner, deadline=dt.date(2030, 1, 1))
    html = client_for(Role.VIEWER).get(reverse("analytics:dashboard")).content.decode()
    # 6 answers: 5 promoters, 1 detractor -> NPS 66.7, gap +16.7 (shown to one decimal)
    assert ("+16.6" in html or "+16.7" in html) and "badge ok" in html
    viewer = client_for(Role.VIEWER)
    assert viewer.get(reverse("analytics:goal-create")).status_code == 403
    manager = client_for(Role.CX_MANAGER)
    response = manager.post(
        reverse("analytics:goal-create"),
        {"kpi": "csat", "target": "80", "deadline": "2030-06-01", "team": ""},
    )
    assert response.status_code == 302
    assert KpiGoal.objects.filter(kpi="csat").exists()


def test_saved_views(client_for, commented):
    client = client_for(Role.VIEWER)
    client.post(
        reverse("analytics:view-create"), {"name": "Web", "query": "channel=1", "shared": "on"}
    )
    view = SavedView.objects.get()
    assert view.shared and view.query == "channel=1"
    assert "Web" in client_for(Role.AGENT).get(reverse("analytics:dashboard")).content.decode()


def test_dashboard_export_csv_and_xlsx(client_for, commented):
    client = client_for(Role.VIEWER)
    csv = b"".join(client.get(reverse("analytics:export"), {"format": "csv"}).streaming_content)
    assert b"nps" in csv
    xlsx = client.get(reverse("analytics:export"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.worksheets[0].max_row > 1


def test_survey_results_pages_and_exports(client_for, commented):
    client = client_for(Role.VIEWER)
    pk = commented.pk
    nps_q = commented.questions.get(key="nps")
    html = client.get(
        reverse("analytics:survey-results", args=[pk]), {"xq": nps_q.pk, "xby": "language"}
    ).content.decode()
    assert "crosstab" in html and "Answered on page" in html
    assert client.get(reverse("analytics:survey-responses", args=[pk])).status_code == 200
    assert client.get(reverse("analytics:survey-comments", args=[pk])).status_code == 200
    csv = b"".join(
        client.get(
            reverse("analytics:survey-export", args=[pk]), {"format": "csv"}
        ).streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv  # neutralised formula
    codebook = b"".join(
        client.get(
            reverse("analytics:survey-export", args=[pk]), {"format": "csv", "part": "codebook"}
        ).streaming_content
    ).decode("utf-8-sig")
    lines = codebook.splitlines()
    assert lines[0].startswith("Key,Page,Type")
    assert sum(1 for line in lines if line.startswith("nps,1,nps,,")) == 11  # codes 0..10
    xlsx = client.get(reverse("analytics:survey-export", args=[pk]), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames == ["Responses", "Codebook"]


def test_api_kpis_shape(api_for, commented):
    data = (
        api_for(Role.VIEWER).get("/api/v1/kpis/", {"metric": "nps", "group_by": "language"}).json()
    )
    assert data["metric"] == "nps" and data["overall"]["n"] == 6
    assert data["overall"]["low_n"] is True
    assert {"group", "label", "n", "value", "ci_low", "ci_high"} <= set(data["results"][0])
    assert api_for(Role.VIEWER).get("/api/v1/kpis/", {"metric": "x"}).status_code == 400


def test_api_goals_crud_needs_capability(api_for):
    body = {"kpi": "nps", "target": "40", "deadline": "2030-01-01"}
    assert api_for(Role.VIEWER).post("/api/v1/goals/", body, format="json").status_code == 403
    manager = api_for(Role.CX_MANAGER)
    created = manager.post("/api/v1/goals/", body, format="json")
    assert created.status_code == 201, created.content
    goal_id = created.json()["id"]
    assert api_for(Role.VIEWER).get("/api/v1/goals/").status_code == 200
    assert (
        manager.patch(f"/api/v1/goals/{goal_id}/", {"target": "45"}, format="json").status_code
        == 200
    )
    assert manager.delete(f"/api/v1/goals/{goal_id}/").status_code == 204


def test_tehran_day_boundary(nps_survey, add_response):
    from cxm.analytics.models import DailyKpi

    tz = ZoneInfo("Asia/Tehran")
    add_response(nps_survey, {"nps": 9}, when=dt.datetime(2024, 3, 19, 23, 50, tzinfo=tz))
    kpi_rollup_refresh(days=None)
    assert DailyKpi.objects.get(metric="nps").day == dt.date(2024, 3, 19)


def test_newest_comments_walk_past_responses_without_matching_comments(db, monkeypatch):
    """The walk goes batch by batch past recent responses that do not match (another
    language here) and still finds the older matching comments, newest first."""
    import datetime as dt

    from django.utils import timezone

    from cxm.analytics import selectors
    from cxm.surveys import services as survey_services
    from cxm.surveys.models import SurveyStatus
    from cxm.surveys.validation import clean_answers

    monkeypatch.setattr(selectors, "COMMENT_SCAN_BATCH", 3)
    # six newer English comments, two older Persian ones
    survey = survey_services.survey_create_from_template(
        template="touchpoint_csat", name="C", languages=["fa", "en"]
    )
    survey_services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
    questions = list(survey.questions.all())
    for i, language in enumerate(["fa", "fa", "en", "en", "en", "en", "en", "en"]):
        answers = clean_answers(questions, {"csat": 4, "comment": f"{language}-{i}"})
        response = survey_services.response_submit(
            survey=survey, answers=answers, language=language
        )
        response.submitted_at = timezone.now() - dt.timedelta(hours=10 - i)
        response.save(update_fields=["submitted_at"])
    filters = selectors.DashboardFilters(
        start=timezone.localdate() - dt.timedelta(days=2),
        end=timezone.localdate(),
        language="fa",
    )
    comments = selectors.newest_comments(filters)
    assert [c.answer.text_value for c in comments] == ["fa-1", "fa-0"]
