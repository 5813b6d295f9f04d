"""The shapes the text pipeline and its models share.

A sentiment model is anything with `version`, `languages` and `predict(texts, languages)`;
the default model and trained ones (`cxm train-sentiment`) implement it, and a user can plug
a transformer model through the same interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

LANGUAGES = ("fa", "ar", "hu", "en")
OTHER_LANGUAGE = "other"
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = (
    "complaint",
    "inquiry",
    "return_refund",
    "order",
    "praise",
    "suggestion",
    "other",
)


@dataclass(frozen=True)
class Sentiment:
    """`label` in SENTIMENTS, `score` in −1…1 (negative to positive), `confidence` in 0…1."""

    label: str
    score: float
    confidence: float


NEUTRAL_UNKNOWN = Sentiment("neutral", 0.0, 0.0)  # the defined result for empty/no-letter text


@runtime_checkable
class SentimentModel(Protocol):
    """Predicts sentiment for texts in known languages (one of LANGUAGES or "other")."""

    version: str

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]: ...


@dataclass(frozen=True)
class TopicRule:
    """An organisation-defined topic: keywords and example phrases per language."""

    code: str
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> keywords


@dataclass(frozen=True)
class Analysis:
    """What the pipeline says about one text."""

    language: str
    sentiment: Sentiment
    intent: str
    intent_confidence: float
    topics: tuple[str, ...]
    model_version: str
