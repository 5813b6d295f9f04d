import pytest

from cxm.accounts.roles import Role
from cxm.customers.models import ChannelConsent, Customer, CustomerEvent
from cxm.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"
BULK = "/api/v1/customers/bulk-upsert/"


def item(n: int, **extra):
    return {"external_id": f"E{n}", "name": f"نام {n}", "phone": f"0912{n:07d}", **extra}


def test_create_read_update_delete(api_for):
    api = api_for(Role.CX_MANAGER)
    created = api.post(
        URL,
        {
            "external_id": "X1",
            "name": "Ali",
            "phone": "+98 912 123 4567",
            "email": "A@Example.com",
            "preferred_language": "فارسی",
            "segments": ["VIP"],
            "consents": {"sms": "opt_in"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["phone"] == "+989121234567" and body["email"] == "a@example.com"
    assert body["preferred_language"] == "fa" and body["segments"] == ["VIP"]
    assert body["consents"]["sms"]["status"] == "opt_in"
    pk = body["id"]
    patched = api.patch(f"{URL}{pk}/", {"lifecycle_stage": "at_risk"}, format="json")
    assert patched.status_code == 200 and patched.json()["lifecycle_stage"] == "at_risk"
    assert patched.json()["name"] == "Ali"  # fields not sent stay as they were
    assert api.delete(f"{URL}{pk}/").status_code == 204
    assert not Customer.objects.filter(pk=pk).exists()


def test_validation_errors_have_codes_and_messages(api_for):
    api = api_for(Role.AGENT)
    response = api.post(URL, {"external_id": "", "phone": "12", "email": "nope"}, format="json")
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert fields["external_id"]["code"] == "required"
    assert fields["name"]["code"] == "required"
    assert fields["phone"]["code"] == "invalid_phone"
    assert fields["email"]["code"] == "invalid_email"
    assert Customer.objects.count() == 0


def test_duplicate_create_is_refused(api_for):
    CustomerFactory(external_id="D1")
    response = api_for(Role.AGENT).post(URL, {"external_id": "D1", "name": "x"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "duplicate"


def test_list_filters_and_search(api_for):
    CustomerFactory(name="كريم", phone="+989121111111")
    CustomerFactory(name="Other")
    api = api_for(Role.ANALYST)
    assert api.get(URL, {"q": "کریم"}).json()["count"] == 1
    assert api.get(URL, {"phone": "09121111111"}).json()["count"] == 1
    assert api.get(URL, {"phone": "garbage"}).json()["count"] == 0
    page = api.get(URL, {"page_size": 1}).json()
    assert page["count"] == 2 and page["next"] and len(page["results"]) == 1


def test_viewer_sees_no_contact_details_and_cannot_write(api_for):
    CustomerFactory(name="Z", phone="+989121111111", email="z@example.com")
    api = api_for(Role.VIEWER)
    row = api.get(URL).json()["results"][0]
    assert row["phone"] is None and row["email"] is None and row["name"] == "Z"
    assert api.post(URL, {"external_id": "V", "name": "v"}, format="json").status_code == 403
    assert api.post(BULK, {"items": [item(1)]}, format="json").status_code == 403


def test_anonymous_gets_401(client):
    assert client.get(URL).status_code in (401, 403)


def test_token_endpoint(make_user, client):
    make_user(Role.AGENT, username="tok")
    response = client.post("/api/v1/auth/token/", {"username": "tok", "password": "pw-Secret-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_bulk_upsert_is_idempotent(api_for):
    api = api_for(Role.CX_MANAGER)
    items = [item(n, consents={"sms": "opt_in"}, segments=["A"]) for n in range(300)]
    first = api.post(BULK, {"items": items}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 300 and first.json()["updated"] == 0
    events = CustomerEvent.objects.count()
    again = api.post(BULK, {"items": items}, format="json").json()
    assert again == {**again, "created": 0, "updated": 0, "unchanged": 300}
    assert Customer.objects.count() == 300 and ChannelConsent.objects.count() == 300
    assert CustomerEvent.objects.count() == events  # nothing changed, nothing recorded
    items[5]["name"] = "changed"
    third = api.post(BULK, {"items": items}, format="json").json()
    assert third["updated"] == 1 and third["unchanged"] == 299
    assert Customer.objects.get(external_id="E5").name == "changed"


def test_bulk_upsert_all_or_nothing_with_per_item_errors(api_for):
    api = api_for(Role.CX_MANAGER)
    items = [item(1), item(2, phone="bad"), item(3), {"external_id": "E1", "name": "dup"}, "x"]
    response = api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 400
    errors = {e["index"]: e for e in response.json()["extra"]["items"]}
    assert set(errors) == {1, 3, 4}
    assert errors[1]["errors"]["phone"]["code"] == "invalid_phone"
    assert errors[3]["errors"]["external_id"]["code"] == "duplicate_in_batch"
    assert Customer.objects.count() == 0


def test_bulk_upsert_limit(api_for, settings):
    settings.CXM_BULK_MAX_ITEMS = 3
    response = api_for(Role.CX_MANAGER).post(
        BULK, {"items": [item(n) for n in range(4)]}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "too_many"


def test_bulk_upsert_keeps_fields_not_sent(api_for):
    api = api_for(Role.CX_MANAGER)
    api.post(
        BULK, {"items": [item(1, email="a@example.com", lifecycle_stage="active")]}, format="json"
    )
    api.post(BULK, {"items": [{"external_id": "E1", "name": "new name"}]}, format="json")
    customer = Customer.objects.get(external_id="E1")
    assert customer.name == "new name" and customer.email == "a@example.com"
    assert customer.lifecycle_stage == "active"


def test_schema_and_docs_are_served(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/customers/bulk-upsert/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


def test_segments_api(api_for):
    api = api_for(Role.CX_MANAGER)
    api.post(
        BULK,
        {"items": [item(1, segments=["VIP", "Tehran"]), item(2, segments=["VIP"])]},
        format="json",
    )
    rows = {r["name"]: r["customers"] for r in api.get("/api/v1/segments/").json()["results"]}
    assert rows == {"Tehran": 1, "VIP": 2}
    created = api.post("/api/v1/segments/", {"name": "Budapest"}, format="json")
    assert created.status_code == 201
    assert (
        api_for(Role.VIEWER).post("/api/v1/segments/", {"name": "x"}, format="json").status_code
        == 403
    )
