"""Writes of text analytics: texts in from their sources, analysed in batches, corrected by
analysts; the topic taxonomy; social posts.

The sources hand over ids only (survey responses, inbound case messages, social posts);
`text_items_from_*` stores the texts in one bulk write, and `text_items_analyse` masks
personal data and runs the pipeline over stored texts in batches of `BATCH_SIZE`. Both
are idempotent: one TextItem per source (unique constraint), and a re-analysis leaves an
analyst's corrections alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.common.bulk import bulk_update_rows
from cxm.common.exceptions import ApplicationError
from cxm.core.nlp.base import INTENTS, SENTIMENTS, Analysis
from cxm.core.text import normalize_search
from cxm.textanalytics import engine
from cxm.textanalytics.error_codes import TextErrorCode as Code
from cxm.textanalytics.models import (
    SocialPost,
    SourceKind,
    TextItem,
    TextItemTopic,
    Topic,
)
from cxm.textanalytics.signals import texts_analysed

log = logging.getLogger(__name__)

BATCH_SIZE = 500
_SCORE_OF_LABEL = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


# ----------------------------------------------------------------------------- sources


def _new_item(
    *, kind: str, source_id: int, text: str, created_at: dt.datetime, **links: Any
) -> TextItem:
    # Masking and the search twin come with the analysis: storing needs no pipeline, so a
    # webhook or a survey write never waits for (or fails on) the NLP code.
    return TextItem(
        source_kind=kind, source_id=source_id, created_at=created_at, text=text, **links
    )


def _store(items: list[TextItem]) -> list[int]:
    """Insert the items that are not stored yet; the ids of those still waiting for
    analysis (new ones and any a crash left unanalysed)."""
    if not items:
        return []
    TextItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=BATCH_SIZE)
    ids: list[int] = []
    by_kind: dict[str, list[int]] = {}
    for item in items:
        by_kind.setdefault(item.source_kind, []).append(item.source_id)
    for kind, source_ids in by_kind.items():
        ids.extend(
            TextItem.objects.filter(
                source_kind=kind, source_id__any=source_ids, analysed_at__isnull=True
            ).values_list("pk", flat=True)
        )
    return sorted(ids)


def text_items_from_responses(*, response_ids: Collection[int]) -> list[int]:
    """Store the non-empty free-text answers of these responses (one query to read, one
    bulk insert); returns the ids waiting for analysis."""
    from cxm.surveys.models import Answer, QuestionType

    if not response_ids:
        return []
    answers = (
        Answer.objects.filter(response_id__any=list(response_ids), question__type=QuestionType.TEXT)
        .exclude(text_value="")
        .values_list(
            "pk",
            "text_value",
            "response_id",
            "response__survey_id",
            "response__customer_id",
            "response__channel_id",
            "response__submitted_at",
        )
    )
    items = [
        _new_item(
            kind=SourceKind.SURVEY_ANSWER,
            source_id=pk,
            text=text,
            created_at=submitted_at,
            response_id=response_id,
            survey_id=survey_id,
            customer_id=customer_id,
            channel_id=channel_id,
        )
        for pk, text, response_id, survey_id, customer_id, channel_id, submitted_at in answers
        if text.strip()
    ]
    return _store(items)


def text_items_from_case_messages(*, message_ids: Collection[int]) -> list[int]:
    """Store inbound case messages (the customer's words; replies and notes are not
    feedback); returns the ids waiting for analysis."""
    from cxm.cases.models import CaseMessage, MessageKind

    if not message_ids:
        return []
    rows = CaseMessage.objects.filter(
        pk__any=list(message_ids), kind=MessageKind.INBOUND
    ).values_list("pk", "body", "created_at", "channel_id", "case__channel_id", "case__customer_id")
    items = [
        _new_item(
            kind=SourceKind.CASE_MESSAGE,
            source_id=pk,
            text=body,
            created_at=created_at,
            channel_id=channel_id or case_channel_id,
            customer_id=customer_id,
        )
        for pk, body, created_at, channel_id, case_channel_id, customer_id in rows
        if body.strip()
    ]
    return _store(items)


@dataclass(frozen=True, kw_only=True)
class SocialPostData:
    """One post to store (validated by the importer or the Telegram handler)."""

    platform: str
    text: str
    posted_at: dt.datetime
    external_id: str = ""
    author_handle: str = ""
    url: str = ""
    kind: str = SourceKind.SOCIAL_POST  # or imported_review


@dataclass
class SocialStoreResult:
    created: int = 0
    duplicates: int = 0
    item_ids: list[int] | None = None


@transaction.atomic
def social_posts_store(*, posts: Sequence[SocialPostData], actor: Any = None) -> SocialStoreResult:
    """Store posts (a post already stored under the same platform and id is skipped) and
    their TextItems; analysis is queued after commit."""
    result = SocialStoreResult(item_ids=[])
    with_id = [p for p in posts if p.external_id]
    existing: set[tuple[str, str]] = set()
    if with_id:
        existing = set(
            SocialPost.objects.filter(
                external_id__any=list({p.external_id for p in with_id})
            ).values_list("platform", "external_id")
        )
    seen: set[tuple[str, str]] = set()
    fresh: list[tuple[SocialPost, SocialPostData]] = []
    for data in posts:
        key = (data.platform, data.external_id)
        if data.external_id and (key in existing or key in seen):
            result.duplicates += 1
            continue
        seen.add(key)
        fresh.append(
            (
                SocialPost(
                    platform=data.platform,
                    external_id=data.external_id,
                    author_handle=data.author_handle,
                    url=data.url,
                    posted_at=data.posted_at,
                    text=data.text,
                    imported_by=actor if getattr(actor, "pk", None) else None,
                ),
                data,
            )
        )
    created = SocialPost.objects.bulk_create([post for post, _data in fresh], batch_size=BATCH_SIZE)
    items = [
        _new_item(kind=data.kind, source_id=post.pk, text=post.text, created_at=post.posted_at)
        for post, (_p, data) in zip(created, fresh, strict=True)
    ]
    result.created = len(created)
    result.item_ids = _store(items)
    text_items_queue_analysis(result.item_ids)
    return result


def text_items_queue_analysis(item_ids: Sequence[int]) -> None:
    """Analyse these items in a background task once the current transaction commits."""
    if not item_ids:
        return
    ids = list(item_ids)

    def enqueue() -> None:
        from cxm.textanalytics import tasks

        for start in range(0, len(ids), BATCH_SIZE * 10):
            tasks.analyse_items.enqueue(ids[start : start + BATCH_SIZE * 10])

    transaction.on_commit(enqueue)


# ---------------------------------------------------------------------------- analysis


def _apply(item: TextItem, analysis: Analysis, now: dt.datetime) -> None:
    item.language = analysis.language
    item.model_version = analysis.model_version
    item.analysed_at = now
    item.sentiment_confidence = analysis.sentiment.confidence
    item.intent_confidence = analysis.intent_confidence
    if not item.corrected_sentiment:
        item.sentiment = analysis.sentiment.label
        item.sentiment_score = analysis.sentiment.score
    if not item.corrected_intent:
        item.intent = analysis.intent


_ANALYSIS_FIELDS = [
    "redacted_text",
    "search_text",
    "language",
    "model_version",
    "analysed_at",
    "sentiment",
    "sentiment_score",
    "sentiment_confidence",
    "intent",
    "intent_confidence",
]


def _analyse_batch(items: list[TextItem], topic_ids: dict[str, int]) -> None:
    analyses = engine.analyse_texts([item.text for item in items])
    if len(analyses) != len(items):  # the pipeline's contract: one analysis per text
        raise RuntimeError("The text pipeline returned a different number of analyses.")
    now = timezone.now()
    for item, analysis in zip(items, analyses, strict=True):
        item.set_redacted(engine.redact(item.text))
        _apply(item, analysis, now)
    with transaction.atomic():
        # One UPDATE … FROM (VALUES …) per batch on PostgreSQL (bulk_update's CASE per
        # column costs ten times more at 500 rows).
        bulk_update_rows(
            TextItem,
            _ANALYSIS_FIELDS,
            [(item.pk, *(getattr(item, name) for name in _ANALYSIS_FIELDS)) for item in items],
        )
        retopic = [item for item in items if not item.topics_corrected]
        TextItemTopic.objects.filter(text_item_id__any=[i.pk for i in retopic]).delete()
        TextItemTopic.objects.bulk_create(
            [
                TextItemTopic(text_item_id=item.pk, topic_id=topic_ids[code])
                for item, analysis in zip(items, analyses, strict=True)
                if not item.topics_corrected
                for code in dict.fromkeys(analysis.topics)
                if code in topic_ids
            ],
            ignore_conflicts=True,
        )
        texts_analysed.send(sender=TextItem, item_ids=[item.pk for item in items])


def text_items_analyse(
    *,
    item_ids: Iterable[int] | None = None,
    reanalyse: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Run the pipeline over stored items, `batch_size` at a time; returns how many.

    With `item_ids`, those items (only the waiting ones unless `reanalyse`); without, every
    waiting item in id order (so a stopped run resumes where it was). One read, one bulk
    update and two writes of topic links per batch.
    """
    topic_ids = dict(Topic.objects.filter(is_active=True).values_list("code", "pk"))
    done = 0
    fields = ["pk", "text", "corrected_sentiment", "corrected_intent", "topics_corrected"]
    if item_ids is not None:
        ids = sorted(set(item_ids))
        for start in range(0, len(ids), batch_size):
            qs = TextItem.objects.filter(pk__any=ids[start : start + batch_size])
            if not reanalyse:
                qs = qs.filter(analysed_at__isnull=True)
            batch = list(qs.only(*fields).order_by("pk"))
            if batch:
                _analyse_batch(batch, topic_ids)
                done += len(batch)
                if progress:
                    progress(len(batch))
        return done
    last = 0
    while True:
        qs = TextItem.objects.filter(pk__gt=last)
        if not reanalyse:
            qs = qs.filter(analysed_at__isnull=True)
        batch = list(qs.only(*fields).order_by("pk")[:batch_size])
        if not batch:
            return done
        _analyse_batch(batch, topic_ids)
        done += len(batch)
        last = batch[-1].pk
        if progress:
            progress(len(batch))


# --------------------------------------------------------------------------- relabel


@transaction.atomic
def text_item_relabel(
    *,
    item: TextItem,
    actor: Any,
    sentiment: str | None = None,
    intent: str | None = None,
    topic_ids: Collection[int] | None = None,
) -> TextItem:
    """An analyst's correction (a strong label for training): the given fields replace the
    prediction and stay when the text is analysed again. None leaves a field as it is."""
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise ApplicationError(_("Unknown sentiment."), code=Code.UNKNOWN_LABEL)
    if intent is not None and intent not in INTENTS:
        raise ApplicationError(_("Unknown intent."), code=Code.UNKNOWN_LABEL)
    topics: list[Topic] = []
    if topic_ids is not None:
        wanted = set(topic_ids)
        topics = list(Topic.objects.filter(pk__in=wanted))
        if len(topics) != len(wanted):
            raise ApplicationError(_("Unknown topic."), code=Code.UNKNOWN_TOPIC)
    if sentiment is None and intent is None and topic_ids is None:
        return item
    fields = ["corrected_by", "corrected_at"]
    if sentiment is not None:
        item.corrected_sentiment = item.sentiment = sentiment
        # A person's label is certain; its score is the label's end of the scale.
        item.sentiment_score = _SCORE_OF_LABEL[sentiment]
        item.sentiment_confidence = 1.0
        fields += ["corrected_sentiment", "sentiment", "sentiment_score", "sentiment_confidence"]
    if intent is not None:
        item.corrected_intent = item.intent = intent
        item.intent_confidence = 1.0
        fields += ["corrected_intent", "intent", "intent_confidence"]
    if topic_ids is not None:
        item.topics_corrected = True
        fields.append("topics_corrected")
        item.topics.set(topics)
    item.corrected_by = actor
    item.corrected_at = timezone.now()
    item.save(update_fields=fields)
    return item


# ---------------------------------------------------------------------------- taxonomy


def _clean_phrases(value: Any) -> dict[str, list[str]]:
    """{"fa": ["  تأخیر ", ""], …} → {"fa": ["تأخیر"]}: strings only, trimmed, de-duplicated
    (by their search form, so ي/ی variants count as one), known languages only."""
    from cxm.core.nlp.base import LANGUAGES

    if not isinstance(value, dict):
        raise ApplicationError(_("Keywords must be given per language."), code=Code.INVALID)
    cleaned: dict[str, list[str]] = {}
    for language, words in value.items():
        if language not in LANGUAGES:
            raise ApplicationError(
                _("Unknown language %(language)s.") % {"language": language}, code=Code.INVALID
            )
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list):
            raise ApplicationError(_("Keywords must be a list."), code=Code.INVALID)
        seen: dict[str, str] = {}
        for word in words:
            text = " ".join(str(word).split())
            if text and normalize_search(text) not in seen:
                seen[normalize_search(text)] = text
        if seen:
            cleaned[language] = list(seen.values())
    return cleaned


def _check_parent(topic: Topic, parent: Topic | None) -> None:
    node = parent
    while node is not None:
        if topic.pk and node.pk == topic.pk:
            raise ApplicationError(
                _("A topic cannot be filed under itself or one of its subtopics."),
                code=Code.TOPIC_CYCLE,
            )
        node = node.parent


@transaction.atomic
def topic_save(
    *,
    topic: Topic | None = None,
    code: str,
    names: dict[str, str] | None = None,
    keywords: Any = None,
    examples: Any = None,
    parent: Topic | None = None,
    is_active: bool = True,
    owner: Any = None,
) -> Topic:
    """Create (topic=None) or change a topic of the taxonomy."""
    topic = topic or Topic()
    _check_parent(topic, parent)
    topic.code = code.strip()
    topic.names = {k: " ".join(str(v).split()) for k, v in (names or {}).items() if str(v).strip()}
    topic.keywords = _clean_phrases(keywords or {})
    topic.examples = _clean_phrases(examples or {})
    topic.parent = parent
    topic.is_active = is_active
    topic.owner = owner
    topic.full_clean()
    topic.save()
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic) -> None:
    """Remove a topic (its links to texts go; its subtopics move up to its parent)."""
    Topic.objects.filter(parent=topic).update(parent=topic.parent)
    topic.delete()
