"""Reads of text analytics: the explorer's filtered set, its trend per topic and phrase
frequencies, and the comment analysis of survey responses (for the cases' feedback rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncWeek

from cxm.core.nlp.base import Analysis, Sentiment
from cxm.core.text import normalize_search
from cxm.textanalytics.models import SourceKind, TextItem, TextItemTopic, Topic
from cxm.textanalytics.phrases import Phrase, top_phrases

MAX_SEARCH_WORDS = 5
PHRASE_SAMPLE = 2_000  # newest texts of the filtered set that phrase counts read
TREND_TOPICS = 8


def text_items_filter(filters: Mapping[str, Any]) -> QuerySet[TextItem]:
    """The explorer's set, newest first. `filters`: q (words, all must occur, in their
    search form: ي/ی, ك/ک, digits and marks folded), topic (id), sentiment, intent,
    language, channel (id), kind, date_from / date_to (dates, inclusive), analysed
    ("yes"/"no"). A PostgreSQL trigram index serves `q`; SQLite scans."""
    qs = TextItem.objects.select_related("channel").order_by("-created_at", "-id")
    if query := normalize_search(filters.get("q")):
        for word in query.split(" ")[:MAX_SEARCH_WORDS]:
            qs = qs.filter(search_text__contains=word)
    if topic := filters.get("topic"):
        qs = qs.filter(
            Exists(TextItemTopic.objects.filter(text_item_id=OuterRef("pk"), topic_id=topic))
        )
    for name in ("sentiment", "intent", "language", "channel"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if kind := filters.get("kind"):
        qs = qs.filter(source_kind=kind)
    if date_from := filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to := filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=date_to)
    analysed = filters.get("analysed")
    if analysed == "yes":
        qs = qs.filter(analysed_at__isnull=False)
    elif analysed == "no":
        qs = qs.filter(analysed_at__isnull=True)
    return qs


def with_topics(items: list[TextItem]) -> dict[int, list[Topic]]:
    """The topics of a page of items: one query."""
    result: dict[int, list[Topic]] = {item.pk: [] for item in items}
    links = TextItemTopic.objects.filter(text_item_id__in=list(result)).select_related("topic")
    for link in links.order_by("topic__code"):
        result[link.text_item_id].append(link.topic)
    return result


@dataclass(frozen=True)
class TopicTrend:
    weeks: list[dt.date]
    series: dict[int, list[int]]  # topic id -> count per week
    topics: dict[int, Topic]


def topic_trend(items: QuerySet[TextItem], *, top: int = TREND_TOPICS) -> TopicTrend:
    """Weekly counts of the `top` commonest topics in the filtered set (two queries)."""
    links = TextItemTopic.objects.filter(text_item__in=items.order_by().values("pk"))
    top_ids = [
        row["topic_id"]
        for row in links.values("topic_id").annotate(n=Count("pk")).order_by("-n", "topic_id")[:top]
    ]
    rows = (
        links.filter(topic_id__in=top_ids)
        .annotate(week=TruncWeek("text_item__created_at"))
        .values("week", "topic_id")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    counts: dict[tuple[dt.date, int], int] = {}
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        counts[(week, row["topic_id"])] = row["n"]
    weeks = sorted({week for week, _topic in counts})
    if weeks:  # weeks without mentions are zeros, not gaps
        span = (weeks[-1] - weeks[0]).days // 7
        weeks = [weeks[0] + dt.timedelta(weeks=i) for i in range(span + 1)]
    return TopicTrend(
        weeks=weeks,
        series={t: [counts.get((w, t), 0) for w in weeks] for t in top_ids},
        topics=Topic.objects.in_bulk(top_ids),
    )


def phrase_frequencies(
    items: QuerySet[TextItem], *, sample: int = PHRASE_SAMPLE, limit: int = 20
) -> tuple[list[Phrase], list[Phrase], int]:
    """Top words and word pairs of the newest `sample` texts of the set (masked text, so
    no phone number or e-mail shows up as a phrase); also how many texts were read."""
    rows = list(items.values_list("redacted_text", "language")[:sample])
    words, pairs = top_phrases(rows, limit=limit)
    return words, pairs, len(rows)


def cases_of_messages(message_ids: list[int]) -> dict[int, int]:
    """Case id per case message id (one query; none when the list is empty)."""
    from cxm.cases.models import CaseMessage

    if not message_ids:
        return {}
    return dict(CaseMessage.objects.filter(pk__in=message_ids).values_list("pk", "case_id"))


def social_links(post_ids: list[int]) -> dict[int, str]:
    """The link of each social post that has one (one query; none for an empty list)."""
    from cxm.textanalytics.models import SocialPost

    if not post_ids:
        return {}
    return dict(SocialPost.objects.filter(pk__in=post_ids).exclude(url="").values_list("pk", "url"))


# ------------------------------------------------------------------ feedback rules


def _analysis_of(item: TextItem, topic_codes: list[str]) -> Analysis:
    return Analysis(
        language=item.language,
        sentiment=Sentiment(
            item.sentiment,
            float(item.sentiment_score or 0.0),
            float(item.sentiment_confidence or 0.0),
        ),
        intent=item.intent,
        intent_confidence=float(item.intent_confidence or 0.0),
        topics=tuple(topic_codes),
        model_version=item.model_version,
    )


def comment_analysis_for_responses(response_ids: Collection[int]) -> dict[int, Analysis]:
    """What the analysed free-text comments of these responses say, per response id (two
    queries). Corrections by analysts win over predictions. A response with several
    comments is summarised by its most negative one (lowest score; its intent), with the
    topics of all of them; responses without an analysed comment are absent."""
    if not response_ids:
        return {}
    items = list(
        TextItem.objects.filter(
            source_kind=SourceKind.SURVEY_ANSWER,
            response_id__any=list(response_ids),
            analysed_at__isnull=False,
        ).order_by("response_id", "sentiment_score", "pk")
    )
    codes: dict[int, list[str]] = {item.pk: [] for item in items}
    for item_id, code in TextItemTopic.objects.filter(text_item_id__in=list(codes)).values_list(
        "text_item_id", "topic__code"
    ):
        codes[item_id].append(code)
    result: dict[int, Analysis] = {}
    topics: dict[int, list[str]] = {}
    for item in items:
        assert item.response_id is not None
        topics.setdefault(item.response_id, []).extend(codes[item.pk])
        if item.response_id not in result:
            result[item.response_id] = _analysis_of(item, [])
    return {
        rid: Analysis(
            language=a.language,
            sentiment=a.sentiment,
            intent=a.intent,
            intent_confidence=a.intent_confidence,
            topics=tuple(sorted(set(topics[rid]))),
            model_version=a.model_version,
        )
        for rid, a in result.items()
    }
