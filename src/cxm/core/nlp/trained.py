"""Sentiment models trained on the organisation's own labelled comments.

`train_sentiment(texts, labels, languages)` fits one sub-model per language with enough
examples (`cxm.core.nlp.features.NbLogisticText`: word and character n-grams, NB-scaled,
logistic regression) plus a pooled fallback for other languages. A prediction is the
argmax class with `score` = P(positive) − P(negative) and `confidence` = the top
probability; below `neutral_threshold` the label is "neutral" (the model is not sure).

`save_model` / `load_model` keep a model in a directory: `manifest.json` (format, version,
languages, metrics, created_at, library versions) and `model.joblib` (the fitted
estimators). joblib runs code from the file it loads, so only load directories the product
wrote itself; the manifest is checked first.

`weak_labels` turns scored comments (NPS, CSAT, CES) into training labels, and
`train_and_compare` trains a candidate and says whether it beats the active model on the
same held-out part: the product only activates a better model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from cxm.core import metrics as cx_metrics
from cxm.core.nlp.base import NEUTRAL_UNKNOWN, OTHER_LANGUAGE, SENTIMENTS, Sentiment
from cxm.core.nlp.features import C_DEFAULT, NbLogisticText, prepare
from cxm.core.nlp.normalize import has_letters

FORMAT = "cxm-sentiment/1"
MANIFEST = "manifest.json"
ESTIMATORS = "model.joblib"
FALLBACK = "*"
MIN_PER_CLASS = 20  # fewer examples of a class than this and a language gets no own model
NEUTRAL_THRESHOLD = 0.6  # two classes: below 60 % for the top one, say "neutral"


class ModelFileError(Exception):
    """A model directory cannot be loaded (no or invalid manifest, missing estimators)."""


class TrainingError(ValueError):
    """The labelled data cannot train a model (unknown labels, one class, too few rows)."""


@dataclass
class TrainedSentimentModel:
    """A `SentimentModel`: one `NbLogisticText` per language, a fallback under "*"."""

    version: str
    submodels: dict[str, NbLogisticText]
    neutral_threshold: float = NEUTRAL_THRESHOLD
    metrics: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(k for k in self.submodels if k != FALLBACK))

    def _submodel_for(self, language: str) -> NbLogisticText:
        return self.submodels.get(language) or self.submodels[FALLBACK]

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        if len(texts) != len(languages):
            raise ValueError("texts and languages must have the same length")
        results: list[Sentiment] = [NEUTRAL_UNKNOWN] * len(texts)
        groups: dict[str, list[int]] = {}
        for index, (text, language) in enumerate(zip(texts, languages, strict=True)):
            if text and has_letters(text):
                key = language if language in self.submodels else FALLBACK
                groups.setdefault(key, []).append(index)
        for key, indexes in groups.items():
            sub = self._submodel_for(key)
            normalized, docs = prepare([texts[i] for i in indexes], [key] * len(indexes))
            probabilities = sub.predict_proba(normalized, docs)
            classes = sub.classes
            for index, row in zip(indexes, probabilities, strict=True):
                results[index] = self._sentiment(classes, row)
        return results

    def _sentiment(self, classes: list[str], row: np.ndarray) -> Sentiment:
        by_class = dict(zip(classes, (float(p) for p in row), strict=True))
        score = by_class.get("positive", 0.0) - by_class.get("negative", 0.0)
        label = max(by_class, key=by_class.__getitem__)
        confidence = by_class[label]
        if confidence < self.neutral_threshold:
            label = "neutral"
        return Sentiment(label, round(score, 4), round(confidence, 4))


# --------------------------------------------------------------------------- training


def check_labels(labels: Sequence[str]) -> list[str]:
    """Labels lower-cased and stripped; `TrainingError` naming the (1-based) unknown rows."""
    cleaned = [str(label).strip().lower() for label in labels]
    bad = [i + 1 for i, label in enumerate(cleaned) if label not in SENTIMENTS]
    if bad:
        shown = ", ".join(str(i) for i in bad[:20]) + (", …" if len(bad) > 20 else "")
        raise TrainingError(
            f"{len(bad)} unknown label(s) (expected negative, neutral or positive) at rows {shown}"
        )
    return cleaned


def check_trainable(labels: Sequence[str], min_per_class: int = MIN_PER_CLASS) -> None:
    """`TrainingError` unless there are two classes or more, each with `min_per_class` rows."""
    counts = Counter(labels)
    if len(counts) < 2:
        only = next(iter(counts), "none")
        raise TrainingError(f"only one class in the labels ({only}); at least two are needed")
    small = {label: n for label, n in sorted(counts.items()) if n < min_per_class}
    if small:
        listed = ", ".join(f"{label}: {n}" for label, n in small.items())
        raise TrainingError(f"too few rows per class (at least {min_per_class} needed): {listed}")


def train_sentiment(
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str],
    *,
    C: float = C_DEFAULT,
    neutral_threshold: float | None = None,
    seed: int = 0,
    min_per_class: int = MIN_PER_CLASS,
) -> TrainedSentimentModel:
    """Fit a model: a sub-model per language with ≥ 2 classes of ≥ `min_per_class` rows each,
    and a pooled fallback (the single language's own model when there is only one).

    With a "neutral" class in the labels the classifier learns it and the default threshold
    is 0 (argmax decides); with two classes, below `NEUTRAL_THRESHOLD` means neutral.
    """
    if not len(texts) == len(labels) == len(languages):
        raise ValueError("texts, labels and languages must have the same length")
    cleaned = check_labels(labels)
    check_trainable(cleaned, min_per_class)
    by_language: dict[str, list[int]] = {}
    for index, language in enumerate(languages):
        by_language.setdefault(language or OTHER_LANGUAGE, []).append(index)
    submodels: dict[str, NbLogisticText] = {}
    for language, indexes in sorted(by_language.items()):
        if language == OTHER_LANGUAGE:
            continue
        counts = Counter(cleaned[i] for i in indexes)
        if len(counts) >= 2 and min(counts.values()) >= min_per_class:
            submodels[language] = _fit(
                [texts[i] for i in indexes], [cleaned[i] for i in indexes], language, C, seed
            )
    if len(submodels) == 1 and len(by_language) == 1:
        submodels[FALLBACK] = next(iter(submodels.values()))
    else:
        submodels[FALLBACK] = _fit(list(texts), cleaned, FALLBACK, C, seed)
    if neutral_threshold is None:
        neutral_threshold = 0.0 if "neutral" in cleaned else NEUTRAL_THRESHOLD
    languages_key = "-".join(sorted(k for k in submodels if k != FALLBACK)) or "pooled"
    digest = hashlib.sha256()
    for text, label in zip(texts, cleaned, strict=True):
        digest.update(f"{label}\t{text}\n".encode())
    now = dt.datetime.now(dt.UTC)
    return TrainedSentimentModel(
        version=f"trained-{languages_key}-{now:%Y%m%d%H%M%S}-{digest.hexdigest()[:8]}",
        submodels=submodels,
        neutral_threshold=neutral_threshold,
        created_at=now.isoformat(timespec="seconds"),
    )


def _fit(texts: list[str], labels: list[str], language: str, C: float, seed: int) -> NbLogisticText:
    normalized, docs = prepare(texts, [language] * len(texts))
    return NbLogisticText(C=C, seed=seed).fit(normalized, docs, labels)


# ------------------------------------------------------------------------- evaluation


def evaluate(
    model: Any, texts: Sequence[str], labels: Sequence[str], languages: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 (over the classes present in `labels`), per language and "all"."""
    predicted = [s.label for s in model.predict(list(texts), list(languages))]
    result: dict[str, dict[str, float]] = {}
    groups: dict[str, list[int]] = {"all": list(range(len(labels)))}
    for index, language in enumerate(languages):
        groups.setdefault(language, []).append(index)
    for name, indexes in sorted(groups.items()):
        truth = [labels[i] for i in indexes]
        guess = [predicted[i] for i in indexes]
        present = sorted(set(truth))
        result[name] = {
            "n": len(indexes),
            "accuracy": round(float(accuracy_score(truth, guess)), 4),
            "macro_f1": round(
                float(f1_score(truth, guess, labels=present, average="macro", zero_division=0)), 4
            ),
        }
    return result


def stratified_split(
    labels: Sequence[str], languages: Sequence[str], *, test_size: float = 0.2, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Train and held-out row indexes, stratified by language and label where possible."""
    indexes = list(range(len(labels)))
    strata = [f"{lang}|{label}" for lang, label in zip(languages, labels, strict=True)]
    counts = Counter(strata)
    if min(counts.values()) < 2:  # a rare language/label pair: stratify by label only
        strata = list(labels)
    train, test = train_test_split(indexes, test_size=test_size, random_state=seed, stratify=strata)
    return sorted(train), sorted(test)


@dataclass(frozen=True)
class Comparison:
    """`candidate` evaluated next to `current` on the same held-out rows."""

    candidate: TrainedSentimentModel
    candidate_metrics: dict[str, dict[str, float]]
    current_metrics: dict[str, dict[str, float]] | None
    better: bool


def train_and_compare(
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str],
    current: Any = None,
    *,
    test_size: float = 0.2,
    seed: int = 0,
    min_gain: float = 0.0,
) -> Comparison:
    """Train on a stratified split and compare macro-F1 with `current` on the held-out part.

    `better` is True when there is no current model, or when the candidate's overall
    macro-F1 exceeds the current one's by more than `min_gain`. The candidate is trained on
    the training part only, so its recorded metrics are honest held-out figures.
    """
    cleaned = check_labels(labels)
    check_trainable(cleaned)
    train, test = stratified_split(cleaned, languages, test_size=test_size, seed=seed)

    def pick(values: Sequence[str], rows: list[int]) -> list[str]:
        return [values[i] for i in rows]

    candidate = train_sentiment(
        pick(texts, train), pick(cleaned, train), pick(languages, train), seed=seed
    )
    held = (pick(texts, test), pick(cleaned, test), pick(languages, test))
    candidate_metrics = evaluate(candidate, *held)
    candidate.metrics = {"held_out": candidate_metrics}
    current_metrics = evaluate(current, *held) if current is not None else None
    better = current_metrics is None or (
        candidate_metrics["all"]["macro_f1"] > current_metrics["all"]["macro_f1"] + min_gain
    )
    return Comparison(candidate, candidate_metrics, current_metrics, better)


# ------------------------------------------------------------------------ weak labels


def weak_labels(
    score_rows: Iterable[tuple[str, str, float | int | None, int | None]],
) -> list[tuple[str, str]]:
    """(text, label) pairs from comments that come with a score: (text, metric, score, scale_max).

    NPS (0–10): 0–6 negative, 9–10 positive, 7–8 skipped (passives say little).
    CSAT (1..scale_max, default 5): the top two boxes positive, the bottom two negative
    (top/bottom box on a scale of three points or fewer), the middle skipped.
    CES (1..scale_max agreement, default 7, higher = easier): the top two positive, the
    bottom two negative. Rows without text, with an unknown metric or an invalid score
    are skipped.
    """
    pairs: list[tuple[str, str]] = []
    for text, metric, score, scale_max in score_rows:
        if not text or not has_letters(text) or score is None:
            continue
        label = _weak_label(metric.strip().lower(), score, scale_max)
        if label:
            pairs.append((text, label))
    return pairs


def _weak_label(metric: str, score: float | int, scale_max: int | None) -> str | None:
    try:
        scale = cx_metrics.scale_for(metric, scale_max if metric != "nps" else None)
        value = cx_metrics.parse_score(score, scale)
    except (ValueError, KeyError):
        return None
    if metric == "nps":
        return "negative" if value <= 6 else "positive" if value >= 9 else None
    top = cx_metrics.csat_top_boxes(scale)
    bottom = tuple(scale.low + (scale.high - b) for b in top)
    if value in top:
        return "positive"
    if value in bottom:
        return "negative"
    return None


# ----------------------------------------------------------------------- persistence


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def save_model(model: TrainedSentimentModel, path: str | Path) -> Path:
    """Write `model` into directory `path` (created; existing model files replaced)."""
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(
        {"submodels": model.submodels, "neutral_threshold": model.neutral_threshold},
        directory / ESTIMATORS,
        compress=3,
    )
    manifest = {
        "format": FORMAT,
        "version": model.version,
        "languages": list(model.languages),
        "fallback": FALLBACK in model.submodels,
        "neutral_threshold": model.neutral_threshold,
        "metrics": model.metrics,
        "created_at": model.created_at,
        "libraries": library_versions(),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return directory


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The checked manifest of a model directory; `ModelFileError` when missing or invalid."""
    directory = Path(path)
    file = directory / MANIFEST
    if not directory.is_dir():
        raise ModelFileError(f"{directory} is not a model directory")
    if not file.is_file():
        raise ModelFileError(f"{directory} has no {MANIFEST}: not a trained sentiment model")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{file} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{file} is not a {FORMAT} manifest")
    missing = [k for k in ("version", "languages", "created_at") if k not in manifest]
    if missing:
        raise ModelFileError(f"{file} lacks {', '.join(missing)}")
    return manifest


def load_model(path: str | Path) -> TrainedSentimentModel:
    """The model saved in directory `path`; `ModelFileError` if it is not a valid one."""
    manifest = read_manifest(path)
    file = Path(path) / ESTIMATORS
    if not file.is_file():
        raise ModelFileError(f"{path} has a manifest but no {ESTIMATORS}")
    try:
        stored = joblib.load(file)
    except Exception as exc:  # a damaged or foreign file: say so rather than crash later
        raise ModelFileError(f"{file} cannot be loaded: {exc}") from None
    submodels = stored.get("submodels") if isinstance(stored, dict) else None
    if not isinstance(submodels, dict) or FALLBACK not in submodels:
        raise ModelFileError(f"{file} does not hold a trained sentiment model")
    return TrainedSentimentModel(
        version=str(manifest["version"]),
        submodels=submodels,
        neutral_threshold=float(stored.get("neutral_threshold", NEUTRAL_THRESHOLD)),
        metrics=dict(manifest.get("metrics") or {}),
        created_at=str(manifest["created_at"]),
    )
