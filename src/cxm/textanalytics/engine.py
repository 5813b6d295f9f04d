"""The bridge between the stored texts and the pure pipeline in `cxm.core.nlp`.

- `pipeline()` is `cxm.core.nlp.pipeline.analyze` (or the callable named by the setting
  CXM_TEXT_PIPELINE, which tests use to inject a tiny fake);
- `active_model()` loads the active `SentimentModelVersion` once per process (and again only
  when another version becomes active); None means the pipeline's default model;
- `active_topic_rules()` is the active taxonomy as `TopicRule`s;
- `redact()` masks phones, e-mails, card and national-id numbers (`cxm.core.nlp.pii`, or the
  callable named by CXM_TEXT_REDACTOR).

Imports of the pipeline are lazy: loading a model costs time and memory, and pages that only
read stored analyses never need it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from cxm.core.nlp.base import Analysis, SentimentModel, TopicRule

DEFAULT_PIPELINE = "cxm.core.nlp.pipeline.analyze"
DEFAULT_REDACTOR = "cxm.core.nlp.pii.redact"
DEFAULT_LOADER = "cxm.core.nlp.trained.load_model"


class Pipeline(Protocol):
    def __call__(
        self,
        texts: Sequence[str],
        *,
        model: SentimentModel | None = None,
        topics: Sequence[TopicRule] = (),
        language: str = "auto",
    ) -> list[Analysis]: ...


def pipeline() -> Pipeline:
    return import_string(getattr(settings, "CXM_TEXT_PIPELINE", "") or DEFAULT_PIPELINE)


def redactor() -> Callable[[str], str]:
    return import_string(getattr(settings, "CXM_TEXT_REDACTOR", "") or DEFAULT_REDACTOR)


def redact(text: str) -> str:
    return str(redactor()(text))


def model_loader() -> Callable[[str], SentimentModel]:
    return import_string(getattr(settings, "CXM_TEXT_MODEL_LOADER", "") or DEFAULT_LOADER)


_lock = threading.Lock()
_loaded: dict[str, Any] = {"key": None, "model": None}


def active_model() -> SentimentModel | None:
    """The active trained model (one small query; the load happens once per version and
    process), or None for the pipeline's default model."""
    from cxm.textanalytics.models import SentimentModelVersion

    row = SentimentModelVersion.objects.filter(is_active=True).values_list("pk", "path").first()
    key = row if row is None else (row[0], row[1])
    with _lock:
        if _loaded["key"] != key:
            _loaded["model"] = None if row is None else model_loader()(row[1])
            _loaded["key"] = key
        return _loaded["model"]


def forget_loaded_model() -> None:
    """Drop the per-process model (tests; after a version was deleted)."""
    with _lock:
        _loaded.update(key=None, model=None)


def active_topic_rules() -> list[TopicRule]:
    """The active topics as the rules the pipeline matches (keywords per language; the
    example phrases are documentation for analysts and seeds for suggestions)."""
    from cxm.textanalytics.models import Topic

    rules = []
    for code, keywords in Topic.objects.filter(is_active=True).values_list("code", "keywords"):
        rules.append(
            TopicRule(
                code=code,
                keywords={
                    language: tuple(dict.fromkeys(w for w in words if w))
                    for language, words in (keywords or {}).items()
                    if isinstance(words, list)
                },
            )
        )
    return rules


def analyse_texts(texts: Sequence[str], *, language: str = "auto") -> list[Analysis]:
    """Run the pipeline with the active model and taxonomy (no storage)."""
    if not texts:
        return []
    return pipeline()(
        list(texts), model=active_model(), topics=active_topic_rules(), language=language
    )
