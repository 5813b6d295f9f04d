"""The agent's case pages through the Django test client: who may do what, the list with its
filters, search and pages, the case page's actions and their refusals, a new case by hand,
attachments, notifications."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.cases import services
from cxm.cases.models import (
    CannedReply,
    Case,
    CaseActivity,
    CaseAttachment,
    CaseMessage,
    MessageKind,
    Notification,
    StatusCategory,
)
from cxm.customers.models import Customer
from cxm.customers.services import customer_save


def _case(complaint, **kw):
    kw.setdefault("subject", "Late delivery")
    return services.case_create(case_type=complaint, **kw)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _detail(case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _action(case, name: str) -> str:
    return reverse(f"cases:{name}", args=[case.pk])


# --- who may do what -------------------------------------------------------------------


@pytest.mark.django_db
def test_viewer_reads_but_cannot_act(complaint, customer, make_user):
    case = _case(complaint, customer=customer)
    viewer = _client(make_user(Role.VIEWER, username="viewer"))
    listing = viewer.get(reverse("cases:list"))
    assert listing.status_code == 200 and "Late delivery" in listing.text
    page = viewer.get(_detail(case))
    assert page.status_code == 200 and "Late delivery" in page.text
    assert _action(case, "reply") not in page.text  # no action forms for a reader
    refused = viewer.post(_action(case, "reply"), {"reply-body": "Hello"})
    assert refused.status_code == 403
    assert viewer.post(_action(case, "note"), {"note-body": "x"}).status_code == 403
    assert viewer.get(reverse("cases:create")).status_code == 403
    assert not case.messages.exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(complaint):
    case = _case(complaint)
    for url in (reverse("cases:list"), _detail(case), reverse("cases:notifications")):
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_contacts_only_with_view_contacts(complaint, customer, make_user, agents):
    _case(complaint, customer=customer)
    viewer = _client(make_user(Role.VIEWER, username="viewer"))
    assert "Sara Ahmadi" in viewer.get(reverse("cases:list")).text
    assert "sara@example.com" not in viewer.get(reverse("cases:list")).text
    assert "+989121234567" not in viewer.get(reverse("cases:list")).text
    page = _client(agents[0]).get(reverse("cases:list"))
    assert "+989121234567" in page.text


# --- the list ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_filters_and_search_through_the_page(complaint, agents, team, status_of):
    sara = customer_save(customer=Customer(name="Sara Ahmadi", external_id="s1"))
    _case(complaint, subject="Mine", assignee=agents[0], team=team, customer=sara)
    _case(complaint, subject="Theirs", assignee=agents[1], priority="low")
    done = _case(complaint, subject="Done one")
    services.case_set_status(case=done, status=status_of(StatusCategory.RESOLVED))
    client = _client(agents[0])
    url = reverse("cases:list")

    def subjects(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {case.subject for case, _badge in response.context["rows"]}

    assert subjects({}) == {"Mine", "Theirs"}  # active by default
    assert subjects({"status": "all"}) == {"Mine", "Theirs", "Done one"}
    assert subjects({"mine": "on"}) == {"Mine"}
    assert subjects({"team": team.pk}) == {"Mine"}
    assert subjects({"priority": "low"}) == {"Theirs"}
    assert subjects({"q": "sara"}) == {"Mine"}
    assert subjects({"q": "theirs"}) == {"Theirs"}
    assert subjects({"status": "resolved"}) == {"Done one"}
    # An unknown choice is a bad filter, not a crash: the default list is shown.
    assert subjects({"status": "nonsense"}) == {"Mine", "Theirs"}


@pytest.mark.django_db
def test_list_pages(complaint, agents):
    for i in range(55):
        _case(complaint, subject=f"Case {i:02d}")
    client = _client(agents[0])
    first = client.get(reverse("cases:list"))
    assert len(first.context["rows"]) == 50
    assert first.context["paginator"].count == 55
    second = client.get(reverse("cases:list"), {"page": 2})
    subjects = [c.subject for c, _b in second.context["rows"]]
    assert subjects == [f"Case {i:02d}" for i in range(4, -1, -1)]
    assert 'rel="prev"' in second.text


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(complaint, agents, team, customer, email_channel):
    client = _client(agents[0])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:list")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        _case(complaint, customer=customer, team=team, assignee=agents[1], channel=email_channel)
    few = queries()
    for _ in range(10):
        _case(complaint, customer=customer, team=team, assignee=agents[2], channel=email_channel)
    assert queries() == few
    # session, user, count, page (+ type, status, channel, topic by key), unread count and
    # the five filter choice lists
    assert few <= 15


# --- the case page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_shows_header_thread_and_history(complaint, customer, email_channel, agents):
    case = _case(
        complaint, customer=customer, channel=email_channel, assignee=agents[0], message="Hi"
    )
    services.case_note(case=case, author=agents[0], body="Checking the courier")
    page = _client(agents[0]).get(_detail(case))
    assert page.status_code == 200
    text = page.text
    assert reverse("customers:detail", args=[customer.pk]) in text
    assert "Checking the courier" in text and 'class="msg-item note"' in text
    assert 'class="msg-item inbound"' in text
    assert ("First response due" in text and "Resolution due" in text) or "No service level" in text
    assert "Case opened" in text  # the history


@pytest.mark.django_db
def test_reply_through_the_page_sends_and_stops_the_first_response_clock(
    complaint, customer, email_channel, agents, office_policy, django_capture_on_commit_callbacks
):
    case = _case(complaint, customer=customer, channel=email_channel, assignee=agents[0])
    assert case.first_responded_on is None
    client = _client(agents[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_action(case, "reply"), {"reply-body": "We are on it."})
    assert response.status_code == 302 and response["Location"].startswith(_detail(case))
    case.refresh_from_db()
    assert case.first_responded_on is not None
    reply = case.messages.get(kind=MessageKind.OUTBOUND)
    assert reply.author == agents[0] and reply.delivery_status == "sent"
    assert [m for m in mail.outbox if m.to == ["sara@example.com"] and "We are on it." in m.body]
    page = client.get(response["Location"])
    assert "Reply sent." in page.text and "Sent" in page.text


@pytest.mark.django_db
def test_reply_and_resolve(complaint, customer, email_channel, agents):
    case = _case(complaint, customer=customer, channel=email_channel)
    response = _client(agents[0]).post(
        _action(case, "reply"), {"reply-body": "Fixed.", "reply-then": "resolved"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status_category == StatusCategory.RESOLVED


@pytest.mark.django_db
def test_reply_with_attachment_and_download(complaint, customer, email_channel, agents):
    case = _case(complaint, customer=customer, channel=email_channel)
    upload = SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf")
    response = _client(agents[0]).post(
        _action(case, "reply"), {"reply-body": "The label", "reply-attachments": [upload]}
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get(message__case=case)
    url = reverse("cases:attachment", args=[attachment.pk])
    assert url in _client(agents[1]).get(_detail(case)).text
    download = _client(agents[1]).get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="label.pdf"' in download["Content-Disposition"]
    assert download.getvalue() == b"%PDF-1.4 label"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


@pytest.mark.django_db
def test_empty_reply_is_refused_clearly_and_writes_nothing(complaint, customer, agents):
    case = _case(complaint, customer=customer)
    response = _client(agents[0]).post(_action(case, "reply"), {"reply-body": "   "})
    assert response.status_code == 400
    assert "The reply is empty." in response.text
    assert not case.messages.exists()
    case.refresh_from_db()
    assert case.first_responded_on is None


@pytest.mark.django_db
def test_forbidden_attachment_is_refused_and_the_text_is_kept(complaint, customer, agents):
    case = _case(complaint, customer=customer)
    upload = SimpleUploadedFile("invoice.pdf.exe", b"MZ", content_type="application/x-msdownload")
    response = _client(agents[0]).post(
        _action(case, "reply"),
        {"reply-body": "See the attached invoice", "reply-attachments": [upload]},
    )
    assert response.status_code == 400
    assert "Files of this type are not accepted: invoice.pdf.exe" in response.text
    assert "See the attached invoice" in response.text  # what was typed is not lost
    assert not CaseMessage.objects.filter(case=case).exists()
    assert not CaseAttachment.objects.exists()


@pytest.mark.django_db
def test_note_with_mention_notifies(complaint, agents, team):
    case = _case(complaint, team=team)
    response = _client(agents[0]).post(
        _action(case, "note"), {"note-body": "@agent2 can you call the courier?"}
    )
    assert response.status_code == 302
    note = case.messages.get(kind=MessageKind.NOTE)
    assert list(note.mentions.all()) == [agents[1]]
    notification = Notification.objects.get(user=agents[1], kind="mention")
    assert notification.case == case
    # The mentioned agent sees the unread count in the top bar.
    page = _client(agents[1]).get(reverse("cases:list"))
    assert re.search(r'class="badge bad">\s*1<', page.text)


@pytest.mark.django_db
def test_note_with_attachment_and_a_refused_one(complaint, agents):
    case = _case(complaint)
    client = _client(agents[0])
    photo = SimpleUploadedFile("photo.jpg", b"jpeg", content_type="image/jpeg")
    ok = client.post(_action(case, "note"), {"note-body": "Photo", "note-attachments": [photo]})
    assert ok.status_code == 302
    assert CaseAttachment.objects.get(message__case=case).name == "photo.jpg"
    script = SimpleUploadedFile("run.bat", b"echo", content_type="text/plain")
    refused = client.post(
        _action(case, "note"), {"note-body": "Script", "note-attachments": [script]}
    )
    assert refused.status_code == 400 and "not accepted: run.bat" in refused.text
    assert not case.messages.filter(body="Script").exists()


@pytest.mark.django_db
def test_status_change(complaint, agents, status_of):
    case = _case(complaint)
    waiting = status_of(StatusCategory.WAITING_CUSTOMER)
    response = _client(agents[0]).post(_action(case, "status"), {"status-status": waiting.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == waiting and case.status_category == StatusCategory.WAITING_CUSTOMER
    assert CaseActivity.objects.filter(case=case, kind="status", actor=agents[0]).exists()


@pytest.mark.django_db
def test_assign_to_me_and_to_another_team(complaint, agents, team, make_user):
    from cxm.accounts.models import Team

    case = _case(complaint, team=team)
    client = _client(agents[2])
    assert client.post(_action(case, "assign"), {"assign-to_me": "on"}).status_code == 302
    case.refresh_from_db()
    assert case.assignee == agents[2]
    other = Team.objects.create(name="Billing", unit=team.unit)
    response = client.post(
        _action(case, "assign"), {"assign-assignee": "", "assign-team": other.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.team == other and case.assignee is None


@pytest.mark.django_db
def test_edit_priority_and_parent(complaint, agents):
    parent = _case(complaint, subject="Courier outage")
    case = _case(complaint)
    response = _client(agents[0]).post(
        _action(case, "edit"),
        {"edit-priority": "urgent", "edit-type": complaint.pk, "edit-parent": f"#{parent.pk}"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.priority == "urgent" and case.parent == parent
    unknown = _client(agents[0]).post(
        _action(case, "edit"),
        {"edit-priority": "low", "edit-type": complaint.pk, "edit-parent": "#999999"},
    )
    assert unknown.status_code == 400 and "There is no case #999999." in unknown.text
    case.refresh_from_db()
    assert case.priority == "urgent"


@pytest.mark.django_db
def test_merge_by_number(complaint, customer, agents):
    target = _case(complaint, customer=customer, subject="Original")
    duplicate = _case(complaint, customer=customer, subject="Duplicate", message="Again")
    response = _client(agents[0]).post(
        _action(duplicate, "merge"), {"merge-target": str(target.pk)}
    )
    assert response.status_code == 302 and response["Location"] == _detail(target)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target
    assert duplicate.status_category == StatusCategory.CLOSED
    assert target.messages.filter(body="Again").exists()


@pytest.mark.django_db
def test_merge_into_unknown_number_or_itself_is_refused(complaint, agents):
    case = _case(complaint)
    client = _client(agents[0])
    unknown = client.post(_action(case, "merge"), {"merge-target": "#987654"})
    assert unknown.status_code == 400 and "There is no case #987654." in unknown.text
    itself = client.post(_action(case, "merge"), {"merge-target": str(case.pk)})
    assert itself.status_code == 400 and "cannot be merged into itself" in itself.text
    case.refresh_from_db()
    assert case.merged_into is None and case.status_category == StatusCategory.OPEN


@pytest.mark.django_db
def test_canned_reply_fills_the_box_in_persian_with_variables(complaint, customer, agents):
    agents[0].first_name = "Reza"
    agents[0].save()
    reply = CannedReply.objects.create(
        title="Apology",
        texts={
            "en": "Dear {customer_name}",
            "fa": "{customer_name} گرامی، درخواست {case_number} در حال پیگیری است. {agent_name}",
        },
    )
    case = _case(complaint, customer=customer)  # the customer prefers Persian
    number = str(case.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    expected = f"Sara Ahmadi گرامی، درخواست {number} در حال پیگیری است. Reza"
    client = _client(agents[0])
    page = client.get(_detail(case), {"canned": reply.pk})  # without JavaScript
    assert expected in page.text
    fragment = client.get(_action(case, "canned"), {"canned": reply.pk}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert fragment.text.startswith("<textarea") and expected in fragment.text
    assert client.get(_action(case, "canned"), {"canned": 999999}).status_code == 404


@pytest.mark.django_db
def test_html_in_messages_is_escaped_and_sanitised(complaint, customer, agents):
    case = _case(complaint, customer=customer, subject="<b>bold</b> subject")
    services.case_receive(case=case, body="<script>alert('x')</script>\nsecond line")
    services.case_receive(
        case=case,
        body="html mail",
        body_html='<p>Hello <strong>there</strong></p><script>alert("y")</script>',
    )
    text = _client(agents[0]).get(_detail(case)).text
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>second line" in text
    assert "<p>Hello <strong>there</strong></p>" in text  # sanitised HTML is shown as HTML
    assert "&lt;b&gt;bold&lt;/b&gt; subject" in text
    listing = _client(agents[0]).get(reverse("cases:list")).text
    assert "<b>bold</b>" not in listing


@pytest.mark.django_db
def test_htmx_refusal_is_swapped_in(complaint, agents):
    case = _case(complaint)
    response = _client(agents[0]).post(
        _action(case, "reply"), {"reply-body": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "The reply is empty." in response.text


# --- a new case by hand ------------------------------------------------------------------


@pytest.mark.django_db
def test_new_case_by_hand(complaint, agents, email_channel, team):
    sara = customer_save(customer=Customer(name="Sara Ahmadi", external_id="s1"))
    client = _client(agents[0])
    search = client.get(reverse("cases:create"), {"customer_q": "sara"})
    assert search.status_code == 200 and f"?customer={sara.pk}" in search.text
    response = client.post(
        reverse("cases:create"),
        {
            "customer": str(sara.pk),
            "channel": email_channel.pk,
            "type": complaint.pk,
            "priority": "urgent",
            "subject": "Called about a refund",
            "description": "On the phone",
            "team": team.pk,
            "assignee": agents[1].pk,
        },
    )
    case = Case.objects.get(subject="Called about a refund")
    assert response.status_code == 302 and response["Location"] == _detail(case)
    assert case.source == "manual" and case.customer == sara and case.priority == "urgent"
    assert case.team == team and case.assignee == agents[1]
    assert CaseActivity.objects.filter(case=case, kind="created", actor=agents[0]).exists()


@pytest.mark.django_db
def test_new_case_with_unknown_customer_is_refused(complaint, agents):
    response = _client(agents[0]).post(
        reverse("cases:create"), {"customer": "999999", "type": complaint.pk, "subject": "x"}
    )
    assert response.status_code == 200
    assert "There is no customer with this number." in response.text
    assert not Case.objects.exists()


# --- notifications -----------------------------------------------------------------------


@pytest.mark.django_db
def test_notifications_list_mark_read_and_mark_all(complaint, agents):
    case = _case(complaint)
    for i in range(3):
        services.notify(users=[agents[0]], text=f"Note {i}", kind="x", case=case)
    services.notify(users=[agents[1]], text="Not yours", kind="x", case=case)
    client = _client(agents[0])
    page = client.get(reverse("cases:notifications"))
    assert page.status_code == 200
    texts = [n.text for n in page.context["notifications"]]
    assert set(texts) == {"Note 0", "Note 1", "Note 2"} and "Not yours" not in page.text
    one = Notification.objects.filter(user=agents[0]).earliest("id")
    client.post(reverse("cases:notifications-read"), {"notification": one.pk})
    one.refresh_from_db()
    assert one.read_at is not None
    assert Notification.objects.filter(user=agents[0], read_at__isnull=True).count() == 2
    # Another user's notification id marks nothing.
    theirs = Notification.objects.get(user=agents[1])
    client.post(reverse("cases:notifications-read"), {"notification": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("cases:notifications-read"))
    assert not Notification.objects.filter(user=agents[0], read_at__isnull=True).exists()
    assert client.get(reverse("cases:notifications-read")).status_code == 405


@pytest.mark.django_db
def test_unread_badge_is_one_query(agents):
    client = _client(agents[0])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("cases:notifications"))
    sql = [q["sql"] for q in ctx.captured_queries]
    unread = [q for q in sql if "cases_notification" in q and '"read_at" IS NULL' in q]
    assert len(unread) == 1


def test_business_duration_text():
    from cxm.cases.views import business_duration

    assert business_duration(95) == "1 hour 35 minutes left"
    assert business_duration(-30) == "overdue by 30 minutes"
    assert business_duration(None) == ""


@pytest.mark.django_db
def test_remaining_business_time_on_the_case_page(complaint, agents, office_policy):
    import time_machine

    monday_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    case = _case(complaint, now=monday_10)
    with time_machine.travel(monday_10 + dt.timedelta(minutes=20), tick=False):
        text = _client(agents[0]).get(_detail(case)).text
    assert "40 minutes left" in text


@pytest.mark.django_db
def test_persian_agent_sees_jalali_due_times_and_persian_digits(
    complaint, make_user, office_policy
):
    import time_machine

    monday_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # 2 Azar 1405
    case = _case(complaint, now=monday_10)
    agent = make_user(Role.AGENT, username="persian", language="fa")
    with time_machine.travel(monday_10 + dt.timedelta(minutes=20), tick=False):
        text = _client(agent).get(_detail(case)).text
    assert 'dir="rtl"' in text
    assert "۱۴۰۵" in text  # the Jalali year of the due times
    assert "۴۰" in text and "40 minutes" not in text  # business minutes left, Persian digits
