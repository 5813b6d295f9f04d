"""Retraining the sentiment model from the organisation's own data ("Retrain sentiment").

Training data: survey comments whose response carries a score (NPS/CSAT/CES), labelled by
`cxm.core.nlp.trained.weak_labels` (weak labels), plus every analyst correction (strong
labels, which win over a weak label of the same text). The trainer
(`cxm.core.nlp.trained.train_and_compare`, or the callable named by CXM_TEXT_TRAINER in
tests) trains on a part, evaluates the new and the active model on the held-out rest and
says whether the new one is better; only then does it become the active version.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cxm.common.exceptions import ApplicationError
from cxm.textanalytics import engine
from cxm.textanalytics.error_codes import TextErrorCode as Code
from cxm.textanalytics.models import (
    SentimentModelVersion,
    SourceKind,
    TextItem,
    TrainingRun,
    TrainingStatus,
)

log = logging.getLogger(__name__)

DEFAULT_TRAINER = "cxm.textanalytics.training.core_trainer"
DEFAULT_WEAK_LABELLER = "cxm.textanalytics.training.core_weak_labels"
MAX_WEAK_LABELS = 200_000
STALE_AFTER = dt.timedelta(hours=6)  # a run "running" longer than this died with its worker


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str  # negative | neutral | positive
    language: str  # as analysed ("" when not yet)
    strong: bool


@dataclass(frozen=True)
class ScoredComment:
    """A comment and the score its response gave (for weak labelling)."""

    text: str
    language: str
    metric: str  # nps | csat | ces
    value: float
    scale_max: int | None


@dataclass
class TrainingOutcome:
    """What a trainer reports: the new model on disk and the held-out comparison."""

    version: str
    path: str
    languages: list[str]
    metrics: dict[str, Any] = field(default_factory=dict)
    better: bool = False


Trainer = Callable[..., TrainingOutcome]


def trainer() -> Trainer:
    return import_string(getattr(settings, "CXM_TEXT_TRAINER", "") or DEFAULT_TRAINER)


def weak_labeller() -> Callable[[Sequence[ScoredComment]], list[str | None]]:
    return import_string(getattr(settings, "CXM_TEXT_WEAK_LABELLER", "") or DEFAULT_WEAK_LABELLER)


def models_dir() -> Path:
    return Path(
        getattr(settings, "CXM_TEXT_MODELS_DIR", "") or Path(settings.MEDIA_ROOT) / "text-models"
    )


def core_weak_labels(comments: Sequence[ScoredComment]) -> list[str | None]:
    """Weak labels by `cxm.core.nlp.trained.weak_labels` (None: the score says nothing,
    e.g. an NPS passive), one per comment."""
    trained: Any = importlib.import_module("cxm.core.nlp.trained")
    labels: list[str | None] = []
    for c in comments:
        pairs = trained.weak_labels([(c.text, c.metric, c.value, c.scale_max)])
        labels.append(pairs[0][1] if pairs else None)
    return labels


def core_trainer(
    *,
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str],
    current: Any,
    output_dir: Path,
) -> TrainingOutcome:
    """Train with `cxm.core.nlp.trained.train_and_compare` against the model that answers
    now (the default model when no trained one is active) and save the candidate under
    `output_dir`. Raises the trainer's TrainingError for unusable labels."""
    trained: Any = importlib.import_module("cxm.core.nlp.trained")
    if current is None:
        from cxm.core.nlp.default_model import DefaultSentimentModel

        current = DefaultSentimentModel()
    report = trained.train_and_compare(list(texts), list(labels), list(languages), current)
    trained.save_model(report.candidate, output_dir)
    return TrainingOutcome(
        version=str(report.candidate.version),
        path=str(output_dir),
        languages=list(report.candidate.languages),
        metrics={
            "candidate": report.candidate_metrics,
            "current": report.current_metrics or {},
            "current_version": str(getattr(current, "version", "")),
        },
        better=bool(report.better),
    )


def training_examples() -> tuple[list[LabelledText], int, int]:
    """Corrections (strong) and scored comments (weak) as labelled texts; a corrected text
    appears once, with its correction. Returns (examples, weak count, strong count)."""
    from cxm.surveys.models import Answer, QuestionType

    strong = [
        LabelledText(text, label, language, True)
        for text, label, language in TextItem.objects.exclude(corrected_sentiment="").values_list(
            "text", "corrected_sentiment", "language"
        )
    ]
    corrected = {e.text for e in strong}
    comments = list(
        TextItem.objects.filter(
            source_kind=SourceKind.SURVEY_ANSWER, response__isnull=False, corrected_sentiment=""
        )
        .order_by("-created_at")
        .values_list("response_id", "text", "language")[:MAX_WEAK_LABELS]
    )
    scores: dict[int, tuple[str, float, int | None]] = {}
    metrics = (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES)
    for response_id, metric, value, scale_max in (
        Answer.objects.filter(
            response_id__any=[c[0] for c in comments],
            question__type__in=metrics,
            number_value__isnull=False,
        )
        .order_by("response_id", "question__page", "question__position")
        .values_list("response_id", "question__type", "number_value", "scale_max")
    ):
        if value is not None:
            scores.setdefault(response_id, (metric, float(value), scale_max))
    scored = [
        ScoredComment(text, language, *scores[rid])
        for rid, text, language in comments
        if rid in scores and text not in corrected
    ]
    weak = [
        LabelledText(c.text, label, c.language, False)
        for c, label in zip(scored, weak_labeller()(scored), strict=True)
        if label
    ]
    return [*strong, *weak], len(weak), len(strong)


@dataclass(frozen=True)
class MetricsRow:
    language: str  # a language code or "all"
    n: int
    macro_f1: float | None
    accuracy: float | None
    current_macro_f1: float | None
    current_accuracy: float | None


def metrics_table(metrics: dict[str, Any]) -> list[MetricsRow]:
    """The held-out figures of a run or version, "all" first, then per language."""
    candidate = metrics.get("candidate") or {}
    current = metrics.get("current") or {}
    if not isinstance(candidate, dict):
        return []
    names = sorted(candidate, key=lambda k: (k != "all", k))
    rows = []
    for name in names:
        new, old = candidate.get(name) or {}, current.get(name) or {}
        if not isinstance(new, dict):
            continue
        rows.append(
            MetricsRow(
                language=name,
                n=int(new.get("n") or 0),
                macro_f1=new.get("macro_f1"),
                accuracy=new.get("accuracy"),
                current_macro_f1=old.get("macro_f1") if isinstance(old, dict) else None,
                current_accuracy=old.get("accuracy") if isinstance(old, dict) else None,
            )
        )
    return rows


@transaction.atomic
def training_run_start(*, actor: Any) -> TrainingRun:
    """Queue a retraining (one at a time)."""
    busy = TrainingRun.objects.select_for_update().filter(
        status__in=(TrainingStatus.QUEUED, TrainingStatus.RUNNING),
        created_at__gte=timezone.now() - STALE_AFTER,
    )
    if busy.exists():
        raise ApplicationError(_("A retraining is already running."), code=Code.TRAINING_RUNNING)
    run = TrainingRun.objects.create(started_by=actor)

    def enqueue() -> None:
        from cxm.textanalytics import tasks

        tasks.train_sentiment.enqueue(run.pk)

    transaction.on_commit(enqueue)
    return run


def _finish(run: TrainingRun, status: str, message: str = "") -> TrainingRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.save()
    return run


def training_run_execute(*, run_id: int) -> TrainingRun:
    """Train, compare and activate when better (the task's body)."""
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().get(pk=run_id)
        if run.status != TrainingStatus.QUEUED:
            return run
        run.status = TrainingStatus.RUNNING
        run.save(update_fields=["status"])
    examples, run.weak_labels, run.strong_labels = training_examples()
    if len({e.label for e in examples}) < 2:
        return _finish(
            run,
            TrainingStatus.FAILED,
            _("Not enough labelled comments: at least two different labels are needed."),
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    output_dir = models_dir() / f"sentiment-{stamp}-{run.pk}"
    try:
        outcome = trainer()(
            texts=[e.text for e in examples],
            labels=[e.label for e in examples],
            languages=[e.language or "other" for e in examples],
            current=engine.active_model(),
            output_dir=output_dir,
        )
    except Exception as exc:  # the trainer's refusal (a single class, …) is the run's result
        log.exception("Retraining %s failed", run.pk)
        return _finish(run, TrainingStatus.FAILED, str(exc)[:2000])
    with transaction.atomic():
        version = SentimentModelVersion.objects.create(
            version=outcome.version,
            path=outcome.path,
            languages=outcome.languages,
            metrics=outcome.metrics,
            trained_by=run.started_by,
        )
        run.model_version = version
        run.metrics = outcome.metrics
        run.activated = outcome.better
        if outcome.better:
            model_version_activate(version=version)
        return _finish(
            run,
            TrainingStatus.DONE,
            _("The new model is better and is now active.")
            if outcome.better
            else _("The new model is not better than the active one; nothing changed."),
        )


@transaction.atomic
def model_version_activate(*, version: SentimentModelVersion | None) -> None:
    """Make `version` the active model (None: back to the default model). Texts analysed
    from now on record it; `cxm analyze_backlog --reanalyse` re-runs older ones."""
    others = SentimentModelVersion.objects.filter(is_active=True)
    if version is not None:
        others = others.exclude(pk=version.pk)
    others.update(is_active=False)
    if version is not None and not version.is_active:
        version.is_active = True
        version.save(update_fields=["is_active"])
