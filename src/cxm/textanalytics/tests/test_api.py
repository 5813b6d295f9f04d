import pytest

from cxm.accounts.roles import Role
from cxm.textanalytics.models import Topic
from cxm.textanalytics.tests.helpers import item, topic

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/text-items/"
TOPICS = "/api/v1/topics/"
ANALYZE = "/api/v1/text/analyze/"


def test_text_items_list_filters_and_masks(api_for):
    delivery = topic("delivery", en=["late"])
    item("late again, mail me at sara@example.com")
    item("great people")
    viewer = api_for(Role.VIEWER)
    body = viewer.get(ITEMS, {"topic": delivery.code}).json()
    assert [r["text"] for r in body["results"]] == ["late again, mail me at [EMAIL]"]
    assert body["results"][0]["topics"] == ["delivery"]
    assert body["results"][0]["sentiment"] == "negative"
    analyst = api_for(Role.ANALYST)
    assert (
        "sara@example.com" in analyst.get(ITEMS, {"topic": "delivery"}).json()["results"][0]["text"]
    )
    assert [r["text"] for r in viewer.get(ITEMS, {"sentiment": "positive"}).json()["results"]] == [
        "great people"
    ]
    assert viewer.get(ITEMS, {"topic": "nope"}).json()["results"] == []
    bad = viewer.get(ITEMS, {"sentiment": "angry"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert viewer.get(ITEMS, {"date_from": "2024-13-40"}).status_code == 400
    assert api_for(Role.VIEWER).get(ITEMS).status_code == 200


def test_relabel_by_patch_needs_text_change(api_for):
    price = topic("price", en=["expensive"])
    stored = item("bad")
    url = f"{ITEMS}{stored.pk}/"
    assert (
        api_for(Role.AGENT).patch(url, {"sentiment": "positive"}, format="json").status_code == 403
    )
    analyst = api_for(Role.ANALYST)
    response = analyst.patch(url, {"sentiment": "positive", "topics": ["price"]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["sentiment"], body["corrected_sentiment"], body["topics"]) == (
        "positive",
        "positive",
        [price.code],
    )
    unknown = analyst.patch(url, {"topics": ["nope"]}, format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_topic"
    assert analyst.patch(url, {"intent": "shouting"}, format="json").status_code == 400


def test_topics_crud(api_for):
    payload = {"code": "delivery", "names": {"en": "Delivery"}, "keywords": {"fa": ["دیر", "دیر"]}}
    assert api_for(Role.VIEWER).post(TOPICS, payload, format="json").status_code == 403
    analyst = api_for(Role.ANALYST)
    created = analyst.post(TOPICS, payload, format="json")
    assert created.status_code == 201 and created.json()["keywords"] == {"fa": ["دیر"]}
    assert analyst.post(TOPICS, payload, format="json").status_code == 400  # code taken
    bad = analyst.post(TOPICS, {"code": "x", "keywords": {"de": ["spät"]}}, format="json")
    assert bad.status_code == 400
    pk = created.json()["id"]
    child = analyst.post(TOPICS, {"code": "courier", "parent": "delivery"}, format="json")
    assert child.status_code == 201
    cycle = analyst.patch(f"{TOPICS}{pk}/", {"parent": "courier"}, format="json")
    assert cycle.status_code == 400 and cycle.json()["code"] == "topic_cycle"
    patched = analyst.patch(f"{TOPICS}{pk}/", {"is_active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["names"] == {"en": "Delivery"}
    assert [t["code"] for t in api_for(Role.VIEWER).get(TOPICS).json()["results"]] == [
        "courier",
        "delivery",
    ]
    assert analyst.delete(f"{TOPICS}{pk}/").status_code == 204
    assert list(Topic.objects.values_list("code", flat=True)) == ["courier"]


def test_analyze_returns_analyses_without_storing(api_for):
    topic("delivery", en=["late"])
    client = api_for(Role.VIEWER)
    response = client.post(ANALYZE, {"texts": ["late and bad", "", "خوب"]}, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["sentiment"] for r in results] == ["negative", "neutral", "positive"]
    assert results[0]["topics"] == ["delivery"] and results[0]["model_version"] == "fake-1"
    from cxm.textanalytics.models import TextItem

    assert not TextItem.objects.exists()
    too_many = client.post(ANALYZE, {"texts": ["x"] * 1_001}, format="json")
    assert too_many.status_code == 400 and too_many.json()["code"] == "too_many_texts"
    assert client.post(ANALYZE, {"texts": "not a list"}, format="json").status_code == 400
    assert (
        client.post(ANALYZE, {"texts": ["a"], "language": "de"}, format="json").status_code == 400
    )
