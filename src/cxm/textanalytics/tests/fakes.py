"""A tiny stand-in for the text pipeline and the PII masker, injected by settings
(CXM_TEXT_PIPELINE, CXM_TEXT_REDACTOR) so these tests depend on the storage and pages,
not on the models' accuracy. Words and rules are made up for the tests."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cxm.core.nlp.base import Analysis, Sentiment, SentimentModel, TopicRule
from cxm.core.text import normalize_search

NEGATIVE = {"bad", "late", "broken", "بد", "خراب", "سيء", "rossz"}
POSITIVE = {"good", "great", "خوب", "عالی", "جيد", "jó"}
calls: list[int] = []  # batch sizes the fake was called with


def _language(text: str) -> str:
    if re.search("[\u0600-\u06ff]", text):
        return "ar" if re.search("[ةيك]", text) else "fa"
    if re.search("[áéíóöőúüű]", text.lower()):
        return "hu"
    return "en" if text.strip() else "other"


def analyze(
    texts: Sequence[str],
    *,
    model: SentimentModel | None = None,
    topics: Sequence[TopicRule] = (),
    language: str = "auto",
) -> list[Analysis]:
    calls.append(len(texts))
    result = []
    for text in texts:
        words = set(re.findall(r"\w+", normalize_search(text)))
        lang = _language(text) if language == "auto" else language
        if words & {normalize_search(w) for w in NEGATIVE}:
            sentiment = Sentiment("negative", -0.8, 0.9)
        elif words & {normalize_search(w) for w in POSITIVE}:
            sentiment = Sentiment("positive", 0.7, 0.8)
        else:
            sentiment = Sentiment("neutral", 0.0, 0.5)
        matched = tuple(
            rule.code
            for rule in topics
            if any(
                normalize_search(k) in normalize_search(text)
                for words_ in rule.keywords.values()
                for k in words_
            )
        )
        intent = "complaint" if sentiment.label == "negative" else "other"
        version = getattr(model, "version", "fake-1")
        result.append(Analysis(lang, sentiment, intent, 0.6, matched, version))
    return result


_PHONE = re.compile(r"\+?\d[\d ]{7,}\d")
_EMAIL = re.compile(r"\S+@\S+")


def redact(text: str) -> str:
    return _EMAIL.sub("[EMAIL]", _PHONE.sub("[PHONE]", text))


class FakeModel:
    def __init__(self, path: str):
        self.version = f"trained:{path.rsplit('/', 1)[-1]}"

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        return [Sentiment("neutral", 0.0, 0.0) for _ in texts]


def load_model(path: str) -> FakeModel:
    return FakeModel(path)
