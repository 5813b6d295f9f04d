import subprocess
import sys
from collections.abc import Sequence

import pytest

from cxm.core.nlp.base import NEUTRAL_UNKNOWN, Sentiment, TopicRule
from cxm.core.nlp.pipeline import analyze

RULES = [TopicRule("delivery", {"fa": ("پیک",), "en": ("delivery",)})]


def test_batch_keeps_order_and_fills_every_field():
    texts = ["پیک خیلی دیر رسید 😡", "Thanks, great delivery!", "", "😀", None]
    results = analyze(texts, topics=RULES)
    assert [r.language for r in results] == ["fa", "en", "other", "other", "other"]
    assert results[0].sentiment.label == "negative" and results[0].intent == "complaint"
    assert results[0].topics == ("delivery",)
    assert results[1].sentiment.label == "positive" and results[1].topics == ("delivery",)
    for empty in results[2:]:
        assert empty.sentiment == NEUTRAL_UNKNOWN
        assert (empty.intent, empty.intent_confidence, empty.topics) == ("other", 0.0, ())
    assert {r.model_version for r in results} == {"default-1"}


def test_forced_language():
    (result,) = analyze(["kheili bad"], language="en")
    assert result.language == "en"
    with pytest.raises(ValueError):
        analyze(["x"], language="de")


def test_hundred_kilobytes_of_mixed_html_is_handled():
    text = "<div>غذا سرد بود</div> cold food 😡 " * 3000
    assert len(text.encode()) > 100_000
    (result,) = analyze([text])
    assert result.language == "fa" and result.sentiment.label == "negative"


class FixedModel:
    version = "fixed-7"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        self.calls.append((list(texts), list(languages)))
        return [Sentiment("positive", 0.5, 0.9) for _ in texts]


def test_another_model_gets_only_texts_with_letters_in_one_call():
    model = FixedModel()
    results = analyze(["good food", "", "🙂", "غذای خوب"], model=model)
    assert model.calls == [(["good food", "غذای خوب"], ["en", "fa"])]
    assert [r.sentiment.label for r in results] == ["positive", "neutral", "neutral", "positive"]
    assert results[0].model_version == "fixed-7"


def test_nlp_imports_no_django():
    code = (
        "import sys, cxm.core.nlp.pipeline, cxm.core.nlp.pii; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
