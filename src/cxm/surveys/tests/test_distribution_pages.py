"""Builder pages and API of distribution: preview, send, the invitation list, permissions."""

import pytest
import time_machine
from django.core import mail

from cxm.accounts.roles import Role
from cxm.customers.models import Segment
from cxm.customers.services import consent_set
from cxm.surveys import services
from cxm.surveys.models import DeliveryState, Invitation
from cxm.surveys.tests.distribution_helpers import (  # noqa: F401  (fixture)
    DAYTIME,
    channel,
    fake_senders,
    make_customer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_senders")]


@pytest.fixture
def audience(nps_survey):
    """A segment of four: one fine, one opted out of e-mail, one without e-mail, one already
    invited to another survey this month."""
    segment = Segment.objects.create(name="VIP")
    fine = make_customer()
    opted = make_customer()
    consent_set(customer=opted, channel=channel("email"), status="opt_out", source="test")
    no_email = make_customer(email="")
    budget = make_customer()
    other = services.survey_create_from_template(
        template="relationship_nps", name="Other", languages=["fa"]
    )
    sent = services.invitation_create(survey=other, customer=budget)
    Invitation.objects.filter(pk=sent.pk).update(sent_at=DAYTIME, status="sent")
    for customer in (fine, opted, no_email, budget):
        customer.segments.add(segment)
    return segment


def test_preview_counts_by_reason(client_for, nps_survey, audience):
    client = client_for(Role.CX_MANAGER)
    with time_machine.travel(DAYTIME, tick=False):
        response = client.post(
            f"/surveys/{nps_survey.pk}/send/",
            {"segment": audience.pk, "channel": channel("email").pk},
        )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.total == 4 and preview.will_send == 1 and preview.later == 0
    assert dict(preview.blocked) == {
        "opted_out": 1,
        "no_contact_point": 1,
        "contact_budget": 1,
    }
    assert "opted out of this channel" in response.content.decode()
    assert not Invitation.objects.filter(survey=nps_survey).exists()


def test_confirm_creates_and_sends(client_for, nps_survey, audience):
    client = client_for(Role.CX_MANAGER)
    with time_machine.travel(DAYTIME, tick=False):
        response = client.post(
            f"/surveys/{nps_survey.pk}/send/",
            {"segment": audience.pk, "channel": channel("email").pk, "confirm": "1"},
        )
    assert response.status_code == 302
    assert response["Location"] == f"/surveys/{nps_survey.pk}/invitations/list/"
    invitations = Invitation.objects.filter(survey=nps_survey)
    assert invitations.count() == 4
    assert sorted(invitations.values_list("status", flat=True)) == [
        "blocked",
        "blocked",
        "blocked",
        "sent",
    ]
    assert len(mail.outbox) == 1
    # Sending again skips customers who already have an invitation to this survey.
    with time_machine.travel(DAYTIME, tick=False):
        client.post(
            f"/surveys/{nps_survey.pk}/send/",
            {"segment": audience.pk, "channel": channel("email").pk, "confirm": "1"},
        )
    assert Invitation.objects.filter(survey=nps_survey).count() == 7  # the 3 blocked again

    page = client.get(f"/surveys/{nps_survey.pk}/invitations/list/")
    html = page.content.decode()
    assert "The customer opted out of this channel." in html
    assert "already invited to a survey in the last 30 days" in html
    blocked = client.get(f"/surveys/{nps_survey.pk}/invitations/list/?status=blocked")
    assert len(blocked.context["rows"]) == 6


def test_audience_is_required(client_for, nps_survey):
    client = client_for(Role.CX_MANAGER)
    response = client.post(f"/surveys/{nps_survey.pk}/send/", {})
    assert response.status_code == 400
    assert "Choose a segment or a lifecycle stage." in response.content.decode()


def test_lifecycle_stage_audience(client_for, nps_survey):
    make_customer(lifecycle_stage="at_risk")
    make_customer(lifecycle_stage="active")
    client = client_for(Role.CX_MANAGER)
    with time_machine.travel(DAYTIME, tick=False):
        response = client.post(f"/surveys/{nps_survey.pk}/send/", {"lifecycle_stage": "at_risk"})
    assert response.context["preview"].total == 1


def test_permissions(client_for, nps_survey):
    viewer = client_for(Role.VIEWER)
    assert viewer.get(f"/surveys/{nps_survey.pk}/send/").status_code == 403
    assert (
        viewer.post(f"/surveys/{nps_survey.pk}/send/", {"lifecycle_stage": "new"}).status_code
        == 403
    )
    assert viewer.get(f"/surveys/{nps_survey.pk}/invitations/list/").status_code == 200
    detail = viewer.get(f"/surveys/{nps_survey.pk}/").content.decode()
    assert f"/surveys/{nps_survey.pk}/send/" not in detail
    assert f"/surveys/{nps_survey.pk}/invitations/list/" in detail
    manager = client_for(Role.CX_MANAGER)
    assert (
        f"/surveys/{nps_survey.pk}/send/"
        in manager.get(f"/surveys/{nps_survey.pk}/").content.decode()
    )
    assert manager.get(f"/surveys/{nps_survey.pk}/send/").status_code == 200


def test_inactive_survey_is_not_sent(client_for, nps_survey):
    services.survey_set_status(survey=nps_survey, status="closed")
    make_customer(lifecycle_stage="new")
    response = client_for(Role.CX_MANAGER).post(
        f"/surveys/{nps_survey.pk}/send/", {"lifecycle_stage": "new", "confirm": "1"}
    )
    assert response.status_code == 409
    assert not Invitation.objects.exists()


def test_api_shows_the_blocked_reason(api_for, nps_survey):
    customer = make_customer(email="", phone="", external_id="X-1")
    invitation = services.invitation_create(survey=nps_survey, customer=customer)
    with time_machine.travel(DAYTIME, tick=False):
        from cxm.surveys.distribution import invitation_send

        invitation_send(invitation=invitation)
    api = api_for(Role.VIEWER)
    data = api.get(f"/api/v1/survey-invitations/?survey={nps_survey.pk}&status=blocked").json()
    (item,) = data["results"]
    assert item["customer_external_id"] == "X-1"
    assert item["status"] == DeliveryState.BLOCKED
    assert item["blocked_reason"] == "no_contact_point"
    assert item["blocked_message"] == "The customer has no address or number for this channel."
    persian = api.get(
        f"/api/v1/survey-invitations/{invitation.pk}/", headers={"Accept-Language": "fa"}
    ).json()
    assert persian["blocked_reason"] == "no_contact_point"
    assert api.post("/api/v1/survey-invitations/", {}).status_code in (403, 405)
