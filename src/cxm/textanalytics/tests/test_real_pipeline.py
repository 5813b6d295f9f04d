"""The same paths with the real pipeline of `cxm.core.nlp` (the default model, PII masking,
topic matching) instead of the fake: what the production settings run. Texts are written
for these tests."""

import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.textanalytics import engine, training
from cxm.textanalytics.models import TextItem
from cxm.textanalytics.tests.helpers import item, nps_survey, respond, topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _real_pipeline(settings):
    settings.CXM_TEXT_PIPELINE = ""
    settings.CXM_TEXT_REDACTOR = ""
    settings.CXM_TEXT_MODEL_LOADER = ""
    engine.forget_loaded_model()


def test_survey_comment_through_the_real_pipeline(django_capture_on_commit_callbacks):
    delivery = topic("delivery", en=["delivery"], fa=["ارسال"])
    survey = nps_survey()
    with django_capture_on_commit_callbacks(execute=True):
        respond(
            survey,
            nps=1,
            reason="The delivery was terribly late, call me on 09121234567",
        )
    stored = TextItem.objects.get()
    assert (stored.language, stored.sentiment, stored.intent) == ("en", "negative", "complaint")
    assert stored.model_version == "default-1"
    assert list(stored.topics.all()) == [delivery]
    assert "09121234567" not in stored.redacted_text and "09121234567" in stored.text


def test_explorer_search_and_masking_with_the_real_masker(client_for):
    item("پشتیبانی عالی بود، شماره من 09121234567")
    viewer = client_for(Role.VIEWER)
    found = viewer.get(reverse("textanalytics:explorer"), {"q": "پشتيباني"})  # Arabic yeh
    assert len(found.context["rows"]) == 1
    assert "09121234567" not in found.content.decode()
    assert viewer.get(reverse("textanalytics:explorer"), {"q": "0912"}).context["rows"] == []


def test_analyze_api_with_the_default_model(api_for):
    response = api_for(Role.VIEWER).post(
        "/api/v1/text/analyze/",
        {"texts": ["خیلی عالی بود، ممنون از پشتیبانی", "", "😀"]},
        format="json",
    )
    results = response.json()["results"]
    assert results[0]["language"] == "fa" and results[0]["sentiment"] == "positive"
    # Empty and emoji-only texts: the defined result, never an error.
    assert [(r["language"], r["sentiment"], r["sentiment_confidence"]) for r in results[1:]] == [
        ("other", "neutral", 0.0),
        ("other", "neutral", 0.0),
    ]
    assert {r["model_version"] for r in results} == {"default-1"}


def test_the_real_trainer_compares_with_the_default_model(tmp_path, make_user):
    trained = pytest.importorskip("cxm.core.nlp.trained")
    texts, labels = [], []
    for i in range(40):  # a small made-up set: enough for a stratified split
        texts.append(f"the courier smashed parcel number {i} and support ignored me")
        labels.append("negative")
        texts.append(f"order {i} arrived early, packed with care, lovely staff")
        labels.append("positive")
    outcome = training.core_trainer(
        texts=texts,
        labels=labels,
        languages=["en"] * len(texts),
        current=None,
        output_dir=tmp_path / "model",
    )
    assert outcome.metrics["current_version"] == "default-1"
    assert outcome.metrics["candidate"]["all"]["n"] == outcome.metrics["current"]["all"]["n"] > 0
    loaded = trained.load_model(outcome.path)
    assert loaded.version == outcome.version
    assert [s.label for s in loaded.predict(["the courier smashed it"], ["en"])] == ["negative"]
    comments = [
        training.ScoredComment("bad", "en", "nps", 3, None),
        training.ScoredComment("fine", "en", "nps", 8, None),
        training.ScoredComment("great", "en", "csat", 5, 5),
    ]
    assert training.core_weak_labels(comments) == ["negative", None, "positive"]
