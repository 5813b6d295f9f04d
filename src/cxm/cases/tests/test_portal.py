"""The customer portal: token security, language, thread without notes, reply, new case,
attachments, rating and the rate limit."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cxm.cases import portal_tokens, services
from cxm.cases.models import Case, CaseAttachment, CaseSource, MessageKind, StatusCategory
from cxm.customers.models import Customer

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the rate limiter counts in the cache
    yield
    cache.clear()


@pytest.fixture
def other_customer(db) -> Customer:
    return Customer.objects.create(
        external_id="B-1", name="Bence Nagy", email="b@example.com", preferred_language="hu"
    )


@pytest.fixture
def english_customer(db) -> Customer:
    return Customer.objects.create(
        external_id="G-1", name="Grace", email="g@example.com", preferred_language="en"
    )


def _case(customer, complaint, **kw):
    kw.setdefault("subject", "Late delivery")
    kw.setdefault("message", "Where is my parcel?")
    return services.case_create(case_type=complaint, customer=customer, **kw)


def _url(customer, name="home", *args):
    from django.urls import reverse

    return reverse(f"cases_portal:{name}", args=[portal_tokens.portal_token(customer), *args])


# ------------------------------------------------------------------------------ tokens


def test_portal_link_is_absolute_and_opens_the_customers_page(settings, customer):
    settings.CXM_PUBLIC_URL = "https://cx.example.com/"
    link = portal_tokens.portal_link(customer)
    assert link.startswith("https://cx.example.com/portal/")
    assert portal_tokens.customer_for_token(link.split("/portal/")[1].rstrip("/")) == customer


@pytest.mark.django_db
def test_tampered_token_is_refused_with_a_clear_page(customer, complaint):
    _case(customer, complaint)
    token = portal_tokens.portal_token(customer)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = Client().get(f"/portal/{tampered}/")
    assert response.status_code == 403
    assert b"Link not valid" in response.content
    assert b"Late delivery" not in response.content


@pytest.mark.django_db
def test_a_token_signed_for_another_purpose_is_refused(customer):
    from django.core import signing

    from cxm.surveys.tokens import sign_key

    survey_like = sign_key(signing.b62_encode(customer.pk))
    assert Client().get(f"/portal/{survey_like}/").status_code == 403


@pytest.mark.django_db
def test_expired_token_answers_410(settings, customer):
    settings.CXM_PORTAL_LINK_DAYS = 30
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        token = portal_tokens.portal_token(customer)
    with time_machine.travel(dt.datetime(2026, 2, 5, tzinfo=UTC), tick=False):
        response = Client().get(f"/portal/{token}/")
    assert response.status_code == 410
    assert b"Link expired" in response.content


@pytest.mark.django_db
def test_token_of_a_deleted_customer_is_refused(customer):
    token = portal_tokens.portal_token(customer)
    customer.delete()
    assert Client().get(f"/portal/{token}/").status_code == 403


@pytest.mark.django_db
def test_customer_a_cannot_open_customer_bs_case(customer, other_customer, complaint):
    theirs = _case(other_customer, complaint, subject="Bence's secret problem")
    client = Client()
    for name in ("case", "rate"):
        response = client.get(_url(customer, name, theirs.pk))
        assert response.status_code == 404
        assert b"secret" not in response.content
    posted = client.post(_url(customer, "case", theirs.pk), {"message": "hijack"})
    assert posted.status_code == 404
    assert not theirs.messages.filter(body="hijack").exists()
    rated = client.post(_url(customer, "rate", theirs.pk), {"rating": "1"})
    assert rated.status_code == 404
    listing = client.get(_url(customer))
    assert b"secret" not in listing.content


# ------------------------------------------------------------------------------ pages


@pytest.mark.django_db
def test_list_in_the_customers_language_rtl_and_persian_digits(customer, complaint):
    case = _case(customer, complaint)
    response = Client().get(_url(customer), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "fa"
    assert response["Referrer-Policy"] == "no-referrer"
    assert 'lang="fa"' in html and 'dir="rtl"' in html
    assert "جدید" in html  # the status "new" in Persian
    persian_ref = "#" + str(case.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert persian_ref in html
    assert "Late delivery" in html


@pytest.mark.django_db
def test_english_customer_gets_ltr(english_customer, complaint):
    _case(english_customer, complaint)
    html = Client().get(_url(english_customer)).content.decode()
    assert 'dir="ltr"' in html and "New" in html


@pytest.mark.django_db
def test_case_page_hides_internal_notes(english_customer, complaint, make_user):
    case = _case(english_customer, complaint)
    agent = make_user("agent", username="ag")
    services.case_note(case=case, author=agent, body="INTERNAL: customer is rude")
    services.case_reply(case=case, author=agent, body="We are on it.")
    html = Client().get(_url(english_customer, "case", case.pk)).content.decode()
    assert "Where is my parcel?" in html and "We are on it." in html
    assert "INTERNAL" not in html


@pytest.mark.django_db
def test_user_text_is_escaped(english_customer, complaint):
    case = _case(english_customer, complaint, message="<script>alert(1)</script>")
    html = Client().get(_url(english_customer, "case", case.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# ------------------------------------------------------------------------------ posting


@pytest.mark.django_db
def test_reply_goes_through_case_receive_on_the_web_channel(
    english_customer, complaint, status_of, make_user
):
    case = _case(english_customer, complaint)
    agent = make_user("agent", username="ag")
    services.case_reply(
        case=case, author=agent, body="Is it fixed?", status=status_of("waiting_customer")
    )
    nonce = "a" * 32
    url = _url(english_customer, "case", case.pk)
    upload = SimpleUploadedFile("photo.jpg", b"jpeg-bytes", content_type="image/jpeg")
    response = Client().post(
        url, {"message": "Still broken", "nonce": nonce, "attachments": upload}
    )
    assert response.status_code == 302 and response["Location"] == url
    message = case.messages.get(body="Still broken")
    assert message.kind == MessageKind.INBOUND
    assert message.channel is not None and message.channel.code == "web"
    assert message.external_id == f"portal:{nonce}"
    assert CaseAttachment.objects.get(message=message).name == "photo.jpg"
    case.refresh_from_db()
    assert case.status_category == StatusCategory.OPEN  # waiting on customer → open again
    # The same form sent twice (double click) adds nothing.
    Client().post(url, {"message": "Still broken", "nonce": nonce})
    assert case.messages.filter(body="Still broken").count() == 1


@pytest.mark.django_db
def test_reply_refuses_forbidden_attachment_and_empty_message(english_customer, complaint):
    case = _case(english_customer, complaint)
    url = _url(english_customer, "case", case.pk)
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = Client().post(url, {"message": "see file", "attachments": bad})
    assert response.status_code == 400
    assert b"not accepted" in response.content
    assert not case.messages.filter(body="see file").exists()
    empty = Client().post(url, {"message": ""})
    assert empty.status_code == 400


@pytest.mark.django_db
def test_reply_to_a_closed_case_opens_a_linked_new_case(english_customer, complaint, status_of):
    case = _case(english_customer, complaint)
    services.case_set_status(case=case, status=status_of("closed"))
    url = _url(english_customer, "case", case.pk)
    response = Client().post(url, {"message": "Again!"})
    new_case = Case.objects.get(parent=case)
    assert response.status_code == 302
    assert response["Location"] == url.replace(f"/cases/{case.pk}/", f"/cases/{new_case.pk}/")
    assert new_case.messages.get().body == "Again!"


@pytest.mark.django_db
def test_new_case_from_the_portal(english_customer, complaint):
    url = _url(english_customer, "new")
    page = Client().get(url)
    assert page.status_code == 200
    assert b"Detractor follow-up" not in page.content  # internal types are not offered
    response = Client().post(
        url,
        {
            "case_type": complaint.pk,
            "subject": "Broken screen",
            "message": "It arrived broken.",
            "nonce": "b" * 32,
        },
    )
    case = Case.objects.get(subject="Broken screen")
    assert response.status_code == 302
    assert response["Location"] == url.replace("/new/", f"/cases/{case.pk}/")
    assert case.customer == english_customer
    assert case.source == CaseSource.PORTAL
    assert case.channel is not None and case.channel.code == "web"
    assert case.language == "en"
    assert case.messages.get().body == "It arrived broken."


@pytest.mark.django_db
def test_new_case_needs_an_active_type_and_a_subject(english_customer, complaint):
    complaint.is_active = False
    complaint.save()
    response = Client().post(
        _url(english_customer, "new"),
        {"case_type": complaint.pk, "subject": "", "message": "x"},
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_rating_only_once_resolved_and_only_once(english_customer, complaint, status_of):
    case = _case(english_customer, complaint)
    client = Client()
    url = _url(english_customer, "rate", case.pk)
    early = client.post(url, {"rating": "5"})
    assert early.status_code == 400
    assert b"once it is resolved" in early.content
    services.case_set_status(case=case, status=status_of("resolved"))
    page = client.get(_url(english_customer, "case", case.pk)).content.decode()
    assert "Rate the resolution" in page
    assert client.post(url, {"rating": "7"}).status_code == 400
    response = client.post(url, {"rating": "4", "comment": "Quick, thanks"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.resolution_rating, case.resolution_comment) == (4, "Quick, thanks")
    again = client.post(url, {"rating": "1"})
    assert again.status_code == 409
    case.refresh_from_db()
    assert case.resolution_rating == 4


@pytest.mark.django_db
def test_posting_is_rate_limited(english_customer, complaint):
    from cxm.cases.portal_views import POSTS_PER_WINDOW

    case = _case(english_customer, complaint)
    url = _url(english_customer, "case", case.pk)
    client = Client()
    for i in range(POSTS_PER_WINDOW):
        assert client.post(url, {"message": f"m{i}"}).status_code == 302
    refused = client.post(url, {"message": "one too many"})
    assert refused.status_code == 429
    assert not case.messages.filter(body="one too many").exists()


@pytest.mark.django_db
def test_attachment_download_is_scoped_to_the_customer(
    english_customer, other_customer, complaint, make_user
):
    upload = services.IncomingAttachment(name="invoice.pdf", content=b"%PDF", content_type="x")
    case = _case(english_customer, complaint, attachments=[upload])
    attachment = CaseAttachment.objects.get(message__case=case)
    ok = Client().get(_url(english_customer, "attachment", case.pk, attachment.pk))
    assert ok.status_code == 200 and ok.getvalue() == b"%PDF"
    other = Client().get(_url(other_customer, "attachment", case.pk, attachment.pk))
    assert other.status_code == 404
    # A file on an internal note is not served to the customer.
    agent = make_user("agent", username="ag")
    note = services.case_note(case=case, author=agent, body="internal scan")
    note_file = CaseAttachment.objects.create(
        message=note, file=attachment.file.name, name="scan.pdf", content_type="x", size=4
    )
    hidden = Client().get(_url(english_customer, "attachment", case.pk, note_file.pk))
    assert hidden.status_code == 404
