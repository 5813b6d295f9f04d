from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.textanalytics import engine, services, training
from cxm.textanalytics.models import SentimentModelVersion, TextItem, TrainingRun, TrainingStatus
from cxm.textanalytics.tests.helpers import item, nps_survey, respond

pytestmark = pytest.mark.django_db
seen: dict[str, Any] = {}


def fake_weak_labels(comments: Sequence[training.ScoredComment]) -> list[str | None]:
    """NPS 0–6 negative, 9–10 positive, 7–8 no label (the issue's weak-label rule)."""
    return ["negative" if c.value <= 6 else "positive" if c.value >= 9 else None for c in comments]


def fake_trainer(
    *, texts: Sequence[str], labels: Sequence[str], languages: Sequence[str], current: Any,
    output_dir: Path,
) -> training.TrainingOutcome:  # fmt: skip
    seen.update(texts=list(texts), labels=list(labels), current=current)
    better = seen.get("better", True)
    return training.TrainingOutcome(
        version=f"v-{output_dir.name}",
        path=str(output_dir),
        languages=["en"],
        metrics={
            "candidate": {"all": {"n": 3, "macro_f1": 0.9, "accuracy": 0.91}},
            "current": {"all": {"n": 3, "macro_f1": 0.8 if better else 0.95, "accuracy": 0.5}},
        },
        better=better,
    )


def failing_trainer(**kwargs: Any) -> training.TrainingOutcome:
    raise ValueError("Only one class in the labels.")


@pytest.fixture
def fake_training(settings, tmp_path):
    settings.CXM_TEXT_TRAINER = "cxm.textanalytics.tests.test_training.fake_trainer"
    settings.CXM_TEXT_WEAK_LABELLER = "cxm.textanalytics.tests.test_training.fake_weak_labels"
    settings.CXM_TEXT_MODELS_DIR = str(tmp_path)
    seen.clear()


def _scored_comments(django_capture_on_commit_callbacks) -> None:
    survey = nps_survey()
    with django_capture_on_commit_callbacks(execute=True):
        respond(survey, nps=2, reason="awful wait")
        respond(survey, nps=10, reason="lovely staff")
        respond(survey, nps=8, reason="fine I guess")


def test_retrain_button_trains_on_weak_and_strong_labels_and_activates_a_better_model(
    client_for, fake_training, django_capture_on_commit_callbacks, make_user
):
    _scored_comments(django_capture_on_commit_callbacks)
    corrected = item("meh service")
    services.text_item_relabel(item=corrected, actor=make_user(Role.ANALYST), sentiment="negative")
    # A correction wins over the weak label of the same comment.
    comment = TextItem.objects.get(text="lovely staff")
    services.text_item_relabel(item=comment, actor=make_user(Role.ANALYST), sentiment="neutral")
    analyst = client_for(Role.ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst.post(reverse("textanalytics:retrain"))
    assert response.status_code == 302
    run = TrainingRun.objects.get()
    assert run.status == TrainingStatus.DONE and run.activated
    assert (run.weak_labels, run.strong_labels) == (1, 2)
    assert sorted(zip(seen["texts"], seen["labels"], strict=True)) == [
        ("awful wait", "negative"),
        ("lovely staff", "neutral"),
        ("meh service", "negative"),
    ]
    assert seen["current"] is None  # no trained model before: the default one answers
    active = SentimentModelVersion.objects.get(is_active=True)
    assert run.model_version == active
    assert active.metrics["candidate"]["all"]["macro_f1"] == 0.9
    engine.forget_loaded_model()
    assert engine.active_model() is not None
    assert item("good").model_version.startswith("trained:")
    page = analyst.get(reverse("textanalytics:training")).content.decode()
    assert active.version in page and "0.910" in page  # the new model's held-out accuracy


def test_a_worse_model_is_kept_but_not_activated(
    fake_training, django_capture_on_commit_callbacks, make_user
):
    _scored_comments(django_capture_on_commit_callbacks)
    seen["better"] = False
    with django_capture_on_commit_callbacks(execute=True):
        run = training.training_run_start(actor=make_user(Role.ANALYST))
    run.refresh_from_db()
    assert run.status == TrainingStatus.DONE and not run.activated
    assert SentimentModelVersion.objects.count() == 1
    assert not SentimentModelVersion.objects.filter(is_active=True).exists()


def test_training_needs_two_labels_and_reports_trainer_failures(
    fake_training, settings, django_capture_on_commit_callbacks, make_user
):
    with django_capture_on_commit_callbacks(execute=True):
        run = training.training_run_start(actor=make_user(Role.ANALYST))
    run.refresh_from_db()
    assert run.status == TrainingStatus.FAILED and "two different labels" in run.message
    _scored_comments(django_capture_on_commit_callbacks)
    settings.CXM_TEXT_TRAINER = "cxm.textanalytics.tests.test_training.failing_trainer"
    with django_capture_on_commit_callbacks(execute=True):
        run = training.training_run_start(actor=None)
    run.refresh_from_db()
    assert run.status == TrainingStatus.FAILED and "one class" in run.message
    assert not SentimentModelVersion.objects.exists()


def test_one_retraining_at_a_time(fake_training, make_user):
    from cxm.common.exceptions import ApplicationError

    training.training_run_start(actor=None)  # queued, its task not yet run (no commit)
    with pytest.raises(ApplicationError):
        training.training_run_start(actor=None)


def test_manual_activation_and_rollback_to_the_default(client_for):
    version = SentimentModelVersion.objects.create(version="v1", path="/m/v1")
    analyst = client_for(Role.ANALYST)
    url = reverse("textanalytics:model-activate", args=[version.pk])
    assert client_for(Role.VIEWER).post(url).status_code == 403
    analyst.post(url)
    assert SentimentModelVersion.objects.get(is_active=True) == version
    analyst.post(reverse("textanalytics:model-activate", args=[0]))
    assert not SentimentModelVersion.objects.filter(is_active=True).exists()
