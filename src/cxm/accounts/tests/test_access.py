import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from cxm.accounts.models import Unit, User
from cxm.accounts.roles import ROLE_CAPABILITIES, Capability, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_reads_dashboard_customers_and_people(client_for, role):
    client = client_for(role)
    for name in ("home", "customers:list", "people", "user-list", "channels:list"):
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_people_management_matches_the_role_matrix(client_for, role):
    client = client_for(role)
    allowed = Capability.PEOPLE_MANAGE in ROLE_CAPABILITIES[role]
    response = client.post(reverse("unit-create"), {"name": f"U-{role}", "code": f"u-{role}"})
    assert (response.status_code == 302) is allowed
    assert Unit.objects.filter(code=f"u-{role}").exists() is allowed


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_api_people_writes_match_the_role_matrix(api_for, role):
    api = api_for(role)
    allowed = Capability.PEOPLE_MANAGE in ROLE_CAPABILITIES[role]
    response = api.post(
        "/api/v1/units/", {"name": f"U {role}", "code": f"api-{role}"}, format="json"
    )
    assert response.status_code == (201 if allowed else 403)
    assert api.get("/api/v1/units/").status_code == 200


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_channel_edit_matches_the_role_matrix(client_for, role):
    from cxm.channels.models import Channel

    channel = Channel.objects.get(code="fax")
    response = client_for(role).post(
        reverse("channels:edit", args=[channel.pk]),
        {"code": "fax", "kind": "fax", "name": "Fax line", "position": 5},
    )
    allowed = Capability.CHANNELS_CHANGE in ROLE_CAPABILITIES[role]
    assert (response.status_code == 302) is allowed
    channel.refresh_from_db()
    assert (channel.name == "Fax line") is allowed


def test_audit_log_records_who_changed_what(client_for):
    client = client_for(Role.ADMINISTRATOR, username="boss")
    client.post(reverse("unit-create"), {"name": "Logistics", "code": "logistics"})
    entry = LogEntry.objects.get_for_model(Unit).get()
    assert entry.actor.username == "boss" and entry.action == LogEntry.Action.CREATE
    page = client.get(reverse("audit"))
    assert page.status_code == 200 and "Logistics" in page.text


def test_audit_log_hidden_from_agents(client_for):
    assert client_for(Role.AGENT).get(reverse("audit")).status_code == 403


def test_admin_creates_user_with_role(client_for):
    client = client_for(Role.ADMINISTRATOR)
    response = client.post(
        reverse("user-create"),
        {
            "username": "newagent",
            "password": "a-Long-pass-42",
            "role": "agent",
            "is_active": "on",
            "language": "ar",
            "digits": "arabic",
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(username="newagent")
    assert user.role == "agent" and user.check_password("a-Long-pass-42")
    assert user.language == "ar"


def test_weak_password_is_refused(client_for):
    client = client_for(Role.ADMINISTRATOR)
    response = client.post(
        reverse("user-create"), {"username": "weak", "password": "123", "role": "agent"}
    )
    assert response.status_code == 200 and not User.objects.filter(username="weak").exists()


def test_login_is_rate_limited(make_user):
    make_user(Role.AGENT, username="target")
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "target", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "target", "password": "pw-Secret-123"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text


def test_login_works(make_user):
    make_user(Role.AGENT, username="ok")
    client = Client()
    response = client.post(reverse("login"), {"username": "ok", "password": "pw-Secret-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_language_switch_saves_preference_and_sets_direction(make_user):
    user = make_user(Role.AGENT)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("preferences-language"), {"language": "ar", "next": "/customers/"}
    )
    assert response.status_code == 302 and response["Location"] == "/customers/"
    user.refresh_from_db()
    assert user.language == "ar"
    page = client.get("/customers/")
    assert 'lang="ar"' in page.text and 'dir="rtl"' in page.text
    client.post(
        reverse("preferences-language"), {"language": "hu", "next": "https://evil.example/"}
    )
    page = client.get("/")
    assert 'dir="ltr"' in page.text and 'lang="hu"' in page.text


def test_browser_language_is_the_default(make_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    assert 'lang="ar"' in client.get(reverse("login")).text
    client = Client(HTTP_ACCEPT_LANGUAGE="hu-HU,hu;q=0.9")
    assert 'lang="hu"' in client.get(reverse("login")).text


def test_digit_preference(make_user):
    from cxm.customers.tests.factories import CustomerFactory

    for n in range(12):
        CustomerFactory(external_id=f"D{n}")
    user = make_user(Role.AGENT, language="en", digits="arabic")
    client = Client()
    client.force_login(user)
    assert "١٢" in client.get(reverse("home")).text
    user.digits = "latin"
    user.language = "fa"
    user.save()
    page = client.get(reverse("home")).text
    assert "۱۲" not in page and ">12<" in page


@pytest.mark.django_db
def test_preferences_choose_where_notifications_go(client, make_user):
    user = make_user(Role.AGENT, username="pref", email="pref@example.com")
    client.force_login(user)
    form = {
        "first_name": "",
        "last_name": "",
        "email": "pref@example.com",
        "language": "",
        "digits": "",
        "telegram": "",
        "notify_by": "sms",
        "phone": "",
    }
    response = client.post(reverse("preferences"), form)
    assert response.status_code == 200  # SMS without a phone number: refused
    user.refresh_from_db()
    assert user.notify_by == "email"
    response = client.post(reverse("preferences"), {**form, "phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.notify_by, user.phone) == ("sms", "+989121234567")
