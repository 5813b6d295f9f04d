"""Inbound e-mail: the webhook (JSON and raw MIME), threading by In-Reply-To and by the
subject tag, idempotency, sanitised HTML, refused attachments, secret and size limits."""

import base64
import json
from email.message import EmailMessage

import pytest
from django.core import mail
from django.urls import reverse

from cxm.cases import services
from cxm.cases.models import (
    Case,
    CaseMessage,
    CaseSource,
    MessageKind,
    StatusCategory,
)
from cxm.customers.models import Customer

SECRET = "s3cret-inbound"


@pytest.fixture(autouse=True)
def _inbound_settings(settings, tmp_path):
    settings.CXM_INBOUND_EMAIL_SECRET = SECRET
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def url(secret: str = SECRET) -> str:
    return reverse("email_inbound:webhook", args=[secret])


def post_json(client, payload: dict, secret: str = SECRET):
    return client.post(url(secret), data=json.dumps(payload), content_type="application/json")


def raw_email(
    *,
    message_id: str = "<raw-1@mail.example.com>",
    sender: str = "Reza Karimi <reza@example.com>",
    subject: str = "My order",
    text: str = "Hello, my order is late.",
    html: str | None = None,
    in_reply_to: str | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@shop.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, content, content_type in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


@pytest.mark.django_db
def test_json_email_opens_an_inquiry_for_a_new_customer(client, django_capture_on_commit_callbacks):
    payload = {
        "message_id": "<m1@mail.example.com>",
        "from": "Leila Nouri <leila@example.com>",
        "subject": "Where is my refund?",
        "text": "I returned the shoes two weeks ago.",
        "attachments": [
            {
                "filename": "receipt.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(b"%PDF-1.4 receipt").decode(),
            }
        ],
    }
    response = post_json(client, payload)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["case_created"] is True and data["duplicate"] is False
    case = Case.objects.get(pk=data["case"])
    assert case.type.code == "inquiry"
    assert case.source == CaseSource.EMAIL
    assert case.channel is not None and case.channel.code == "email"
    assert case.subject == "Where is my refund?"
    customer = Customer.objects.get(email="leila@example.com")
    assert case.customer == customer and customer.name == "Leila Nouri"
    message = case.messages.get()
    assert message.kind == MessageKind.INBOUND
    assert message.external_id == "m1@mail.example.com"
    assert message.body == "I returned the shoes two weeks ago."
    attachment = message.attachments.get()
    assert attachment.name == "receipt.pdf" and attachment.file.read() == b"%PDF-1.4 receipt"


@pytest.mark.django_db
def test_known_customer_is_matched_by_address(client, customer):
    response = post_json(
        client,
        {"message_id": "k1@x", "from": "SARA@example.com", "subject": "Hi", "text": "Question"},
    )
    assert response.status_code == 201
    assert Case.objects.get(pk=response.json()["case"]).customer == customer
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_same_message_twice_is_recorded_once(client):
    payload = {"message_id": "<dup@x>", "from": "a@example.com", "subject": "S", "text": "T"}
    first = post_json(client, payload)
    second = post_json(client, payload)
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["case"] == first.json()["case"]
    assert Case.objects.count() == 1 and CaseMessage.objects.count() == 1


@pytest.mark.django_db
def test_raw_mime_html_is_sanitised(client):
    html = (
        '<p onclick="steal()">Hello <b>team</b></p><script>alert("x")</script>'
        '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">click</a>'
        '<a href="https://shop.example/order/7">order</a><style>p{color:red}</style>'
    )
    raw = raw_email(text="Hello team", html=html)
    response = client.post(url(), data=raw, content_type="message/rfc822")
    assert response.status_code == 201, response.content
    message = CaseMessage.objects.get(pk=response.json()["message"])
    assert message.body == "Hello team"
    clean = message.body_html
    assert "<b>team</b>" in clean and 'href="https://shop.example/order/7"' in clean
    for bad in ("script", "alert", "onerror", "onclick", "javascript:", "<img", "color:red"):
        assert bad not in clean
    assert message.case.customer is not None
    assert message.case.customer.name == "Reza Karimi"


@pytest.mark.django_db
def test_html_only_email_gets_its_text_from_the_html(client):
    payload = {
        "message_id": "h1@x",
        "from": "b@example.com",
        "subject": "HTML",
        "html": "<div>First line<br>Second &amp; last<script>evil()</script></div>",
    }
    response = post_json(client, payload)
    message = CaseMessage.objects.get(pk=response.json()["message"])
    assert message.body == "First line\nSecond & last"
    assert "evil" not in message.body_html


@pytest.mark.django_db
def test_sendgrid_raw_form_field(client):
    raw = raw_email(message_id="<sg-1@x>", subject="Via SendGrid")
    response = client.post(url(), data={"email": raw.decode(), "charsets": "{}"})
    assert response.status_code == 201, response.content
    assert Case.objects.get(pk=response.json()["case"]).subject == "Via SendGrid"


@pytest.mark.django_db
def test_reply_to_our_email_threads_by_in_reply_to(
    client, customer, email_channel, complaint, django_capture_on_commit_callbacks
):
    case = services.case_create(
        subject="Broken blender", case_type=complaint, customer=customer, channel=email_channel
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.case_reply(case=case, author=None, body="Could you send a photo?")
    reply.refresh_from_db()
    assert len(mail.outbox) == 1
    sent_id = mail.outbox[0].extra_headers["Message-ID"]
    assert reply.external_id == sent_id.strip("<>")
    response = client.post(
        url(),
        data=raw_email(
            message_id="<answer-1@customer.example>",
            sender="sara@example.com",
            subject="Re: something else entirely",
            text="Here is the photo.",
            in_reply_to=sent_id,
        ),
        content_type="message/rfc822",
    )
    assert response.status_code == 201
    assert response.json()["case"] == case.pk and response.json()["case_created"] is False
    assert case.messages.filter(kind=MessageKind.INBOUND, body="Here is the photo.").exists()


@pytest.mark.django_db
def test_subject_tag_threads_for_the_same_customer_only(client, customer, complaint):
    case = services.case_create(subject="Late parcel", case_type=complaint, customer=customer)
    tagged = f"Re: Late parcel [case #{case.pk}]"
    same = post_json(
        client, {"message_id": "t1@x", "from": "sara@example.com", "subject": tagged, "text": "?"}
    )
    assert same.json()["case"] == case.pk
    other = post_json(
        client,
        {"message_id": "t2@x", "from": "mallory@example.com", "subject": tagged, "text": "!"},
    )
    assert other.status_code == 201 and other.json()["case"] != case.pk
    assert other.json()["case_created"] is True


@pytest.mark.django_db
def test_reply_to_a_closed_case_opens_a_linked_case(client, customer, complaint, status_of):
    case = services.case_create(subject="Old", case_type=complaint, customer=customer)
    services.case_set_status(case=case, status=status_of(StatusCategory.CLOSED))
    response = post_json(
        client,
        {
            "message_id": "c1@x",
            "from": "sara@example.com",
            "subject": f"Re: Old [case #{case.pk}]",
            "text": "It broke again.",
            "html": "<p>It broke <i>again</i>.</p>",
        },
    )
    assert response.status_code == 201
    new = Case.objects.get(pk=response.json()["case"])
    assert new.pk != case.pk and new.parent == case and response.json()["case_created"]
    message = new.messages.get(kind=MessageKind.INBOUND)
    assert message.body == "It broke again." and "<i>again</i>" in message.body_html


@pytest.mark.django_db
def test_forbidden_and_huge_attachments_are_left_out_with_a_note(client, settings):
    settings.CXM_ATTACHMENT_MAX_BYTES = 1000
    raw = raw_email(
        message_id="<att@x>",
        attachments=(
            ("photo.png", b"\x89PNG small", "image/png"),
            ("invoice.pdf.exe", b"MZ evil", "application/octet-stream"),
            ("video.mp4", b"0" * 5000, "video/mp4"),
        ),
    )
    response = client.post(url(), data=raw, content_type="message/rfc822")
    assert response.status_code == 201, response.content
    refused = {item["name"] for item in response.json()["refused_attachments"]}
    assert refused == {"invoice.pdf.exe", "video.mp4"}
    case = Case.objects.get(pk=response.json()["case"])
    inbound = case.messages.get(kind=MessageKind.INBOUND)
    assert [a.name for a in inbound.attachments.all()] == ["photo.png"]
    note = case.messages.get(kind=MessageKind.NOTE)
    assert "invoice.pdf.exe" in note.body and "video.mp4" in note.body


@pytest.mark.django_db
def test_bad_secret_and_disabled_webhook_are_404(client, settings):
    payload = {"message_id": "s@x", "from": "a@example.com", "text": "x"}
    assert post_json(client, payload, secret="wrong").status_code == 404
    assert post_json(client, payload, secret=SECRET + "x").status_code == 404
    settings.CXM_INBOUND_EMAIL_SECRET = ""  # the webhook is off, whatever secret is sent
    response = post_json(client, payload, secret="anything")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_oversize_body_is_413(client, settings):
    settings.CXM_INBOUND_EMAIL_MAX_BYTES = 2000
    payload = {"message_id": "big@x", "from": "a@example.com", "text": "x" * 3000}
    response = post_json(client, payload)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_not_an_email_is_400(client):
    response = client.post(url(), data=b"\x00\xff\xfe garbage", content_type="message/rfc822")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    bad_json = client.post(url(), data="[1, 2]", content_type="application/json")
    assert bad_json.status_code == 400
    bad_b64 = post_json(
        client,
        {"from": "a@example.com", "text": "x", "attachments": [{"content_base64": "%%%"}]},
    )
    assert bad_b64.status_code == 400
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_setup_problem_is_503_so_the_provider_retries(client):
    from cxm.cases.models import CaseType

    CaseType.objects.all().delete()
    payload = {"message_id": "retry@x", "from": "a@example.com", "text": "Hello"}
    response = post_json(client, payload)
    assert response.status_code == 503 and response.json()["message"]
    assert not CaseMessage.objects.exists() and not Customer.objects.exists()
