"""The trainable sentiment model: training, prediction, persistence, weak labels, comparison.

Fixtures are synthetic sentences generated here (no rows of the dev data)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cxm.core.nlp.base import NEUTRAL_UNKNOWN, Sentiment, SentimentModel
from cxm.core.nlp.features import log_count_ratio, word_document
from cxm.core.nlp.trained import (
    FORMAT,
    ModelFileError,
    TrainedSentimentModel,
    TrainingError,
    load_model,
    read_manifest,
    save_model,
    train_and_compare,
    train_sentiment,
    weak_labels,
)

WORDS = {
    ("en", "positive"): ["great", "lovely", "fast", "friendly", "perfect", "tasty"],
    ("en", "negative"): ["awful", "cold", "late", "rude", "broken", "bland"],
    ("fa", "positive"): ["عالی", "خوشمزه", "سریع", "تازه", "ممنون"],
    ("fa", "negative"): ["افتضاح", "سرد", "دیر", "بد", "کثیف"],
}
SUBJECTS = {
    "en": ["the pizza", "delivery", "the courier", "this phone", "our order"],
    "fa": ["پیتزا", "ارسال", "پیک", "غذا", "سفارش"],
}


def synthetic(n_per_class: int = 30, seed: int = 1, languages=("en", "fa")):
    """(texts, labels, languages): '<subject> was <word> and <word>' style sentences."""
    rng = random.Random(seed)
    texts, labels, langs = [], [], []
    for language in languages:
        for label in ("negative", "positive"):
            for _ in range(n_per_class):
                a, b = rng.sample(WORDS[(language, label)], 2)
                subject = rng.choice(SUBJECTS[language])
                if language == "en":
                    texts.append(f"{subject} was {a} and {b}")
                else:
                    texts.append(f"{subject} {a} و {b} بود")
                labels.append(label)
                langs.append(language)
    return texts, labels, langs


@pytest.fixture(scope="module")
def model():
    texts, labels, langs = synthetic()
    return train_sentiment(texts, labels, langs)


def test_learns_a_small_synthetic_set(model) -> None:
    assert isinstance(model, SentimentModel)
    assert isinstance(model, TrainedSentimentModel)
    assert model.languages == ("en", "fa")
    assert model.version.startswith("trained-en-fa-")
    unseen = ["my soup was tasty and friendly", "the driver was rude, cold", "سفارش تازه بود"]
    result = model.predict(unseen, ["en", "en", "fa"])
    assert [r.label for r in result] == ["positive", "negative", "positive"]
    assert result[0].score > 0 > result[1].score
    assert all(0.0 <= r.confidence <= 1.0 and -1.0 <= r.score <= 1.0 for r in result)


def test_other_language_uses_the_fallback_and_empty_text_is_neutral(model) -> None:
    result = model.predict(["great and lovely", "", "👍👍", "12/10"], ["hu", "en", "en", "other"])
    assert result[0].label == "positive"  # Hungarian has no own model: pooled fallback
    assert result[1:] == [NEUTRAL_UNKNOWN] * 3


def test_low_confidence_is_neutral(model) -> None:
    text = ["the pizza was great and awful"]
    sure = model.predict(text, ["en"])[0]
    model_copy = train_sentiment(*synthetic(), neutral_threshold=0.999)
    unsure = model_copy.predict(text, ["en"])[0]
    assert sure.confidence < 0.999
    assert unsure == Sentiment("neutral", unsure.score, unsure.confidence)


def test_three_classes_learn_neutral() -> None:
    texts, labels, langs = synthetic(languages=("en",))
    for i in range(30):
        texts.append(f"the parcel number {i} arrived on tuesday as listed")
        labels.append("Neutral")  # labels are case-insensitive
        langs.append("en")
    model = train_sentiment(texts, labels, langs)
    assert model.neutral_threshold == 0.0
    [result] = model.predict(["the parcel arrived on monday as listed"], ["en"])
    assert result.label == "neutral"


def test_save_and_load_give_identical_predictions(model, tmp_path: Path) -> None:
    model.metrics = {"held_out": {"all": {"macro_f1": 1.0}}}
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    probe, langs = ["the courier was late", "غذا عالی بود", "x y z"], ["en", "fa", "hu"]
    assert loaded.predict(probe, langs) == model.predict(probe, langs)
    assert loaded.version == model.version
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["format"] == FORMAT
    assert manifest["version"] == model.version
    assert manifest["languages"] == ["en", "fa"]
    assert manifest["metrics"] == model.metrics
    assert set(manifest["libraries"]) >= {"scikit-learn", "numpy", "python"}
    assert manifest["created_at"] == model.created_at
    assert read_manifest(tmp_path / "m") == manifest


def test_load_refuses_a_directory_without_a_valid_manifest(model, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"no manifest\.json"):
        load_model(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(ModelFileError, match="not a cxm-sentiment/1 manifest"):
        load_model(tmp_path)
    save_model(model, tmp_path / "ok")
    (tmp_path / "ok" / "model.joblib").unlink()
    with pytest.raises(ModelFileError, match=r"no model\.joblib"):
        load_model(tmp_path / "ok")


def test_training_errors() -> None:
    texts, labels, langs = synthetic(languages=("en",))
    with pytest.raises(TrainingError, match=r"unknown label.* rows 2, 5"):
        bad = list(labels)
        bad[1], bad[4] = "good", "meh"
        train_sentiment(texts, bad, langs)
    with pytest.raises(TrainingError, match="only one class"):
        train_sentiment(texts[:30], labels[:30], langs[:30])
    with pytest.raises(TrainingError, match=r"too few rows per class.*positive: 19"):
        train_sentiment(texts[:49], labels[:49], langs[:49])


def test_negation_marking_and_log_count_ratio() -> None:
    assert word_document("this is not good, but fine", "en") == "this is not ¬good but fine"
    assert word_document("nem jó a film. szép", "hu") == "nem ¬jó ¬a ¬film szép"
    # r = log((p/|p|)/(q/|q|)), alpha = 1, worked by hand: feature 0 in both positives,
    # feature 1 in the negative only -> p = (3, 1), q = (1, 2); r0 = log(3/4 / (1/3)).
    import numpy as np
    from scipy import sparse

    matrix = sparse.csr_matrix(np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 5.0]]))
    r = log_count_ratio(matrix, np.array([True, True, False]), np.array([False, False, True]))
    assert r == pytest.approx([np.log(0.75 / (1 / 3)), np.log(0.25 / (2 / 3))])


def test_weak_labels_mapping() -> None:
    rows = [
        ("nps zero", "nps", 0, None),
        ("nps six", "NPS", 6, None),
        ("nps seven", "nps", 7, None),
        ("nps eight", "nps", 8, None),
        ("nps nine", "nps", 9, None),
        ("csat two", "csat", 2, 5),
        ("csat three", "csat", 3, 5),
        ("csat four", "csat", 4, None),
        ("csat3 one", "csat", 1, 3),
        ("csat3 two", "csat", 2, 3),
        ("ces two", "ces", 2, 7),
        ("ces five", "ces", 5, 7),
        ("ces six", "ces", 6, 7),
        ("out of range", "nps", 11, None),
        ("no score", "nps", None, None),
        ("", "nps", 0, None),
        ("unknown metric", "stars", 5, 5),
    ]
    assert weak_labels(rows) == [
        ("nps zero", "negative"),
        ("nps six", "negative"),
        ("nps nine", "positive"),
        ("csat two", "negative"),
        ("csat four", "positive"),
        ("csat3 one", "negative"),
        ("ces two", "negative"),
        ("ces six", "positive"),
    ]


class _Constant:
    """A current model that always says positive: macro-F1 = 1/3 on balanced binary data."""

    version = "constant"

    def predict(self, texts, languages):
        return [Sentiment("positive", 1.0, 1.0) for _ in texts]


def test_train_and_compare_picks_the_better_model() -> None:
    texts, labels, langs = synthetic(n_per_class=40)
    first = train_and_compare(texts, labels, langs, current=_Constant())
    assert first.better
    assert first.current_metrics is not None
    assert first.current_metrics["all"]["macro_f1"] == pytest.approx(1 / 3, abs=0.01)
    assert first.candidate_metrics["all"]["macro_f1"] > 0.9
    assert first.candidate.metrics["held_out"] == first.candidate_metrics
    # The candidate against itself is not better (equal figures): keep the active model.
    second = train_and_compare(texts, labels, langs, current=first.candidate)
    assert not second.better
    assert train_and_compare(texts, labels, langs).better  # no current model yet
