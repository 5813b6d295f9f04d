"""REST API of text analytics: analysed texts (list with the explorer's filters, one, relabel
by PATCH), the topic taxonomy (CRUD) and analysis on demand (no storage).

Reading is open to every signed-in user (texts masked unless `pii.view`); changes need
`text.change`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxm.accounts.models import User
from cxm.accounts.permissions import user_can
from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.common.pagination import DefaultPagination
from cxm.core.nlp.base import Analysis
from cxm.textanalytics import engine, selectors, services
from cxm.textanalytics.error_codes import TextErrorCode as Code
from cxm.textanalytics.models import (
    Intent,
    SentimentLabel,
    SourceKind,
    TextItem,
    TextLanguage,
    Topic,
)

MAX_ANALYZE_TEXTS = 1_000


class TextItemOutputSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    topics = serializers.SerializerMethodField()
    channel: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TextItem
        fields = [
            "id",
            "source_kind",
            "source_id",
            "customer",
            "channel",
            "survey",
            "response",
            "created_at",
            "text",
            "language",
            "sentiment",
            "sentiment_score",
            "sentiment_confidence",
            "intent",
            "intent_confidence",
            "topics",
            "model_version",
            "analysed_at",
            "corrected_sentiment",
            "corrected_intent",
            "topics_corrected",
            "corrected_at",
        ]

    def get_text(self, obj: TextItem) -> str:
        request = self.context.get("request")
        unredacted = request is not None and user_can(request.user, Capability.PII_VIEW)
        return obj.shown_text(unredacted=unredacted)

    def get_topics(self, obj: TextItem) -> list[str]:
        topics = self.context.get("topics", {})
        if obj.pk in topics:
            return [t.code for t in topics[obj.pk]]
        return sorted(obj.topics.values_list("code", flat=True))


_FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Words that must all occur (search form)."),
    OpenApiParameter("topic", str, description="Topic code."),
    OpenApiParameter("sentiment", str, enum=SentimentLabel.values),
    OpenApiParameter("intent", str, enum=Intent.values),
    OpenApiParameter("language", str, enum=TextLanguage.values),
    OpenApiParameter("channel", str, description="Channel code."),
    OpenApiParameter("kind", str, enum=SourceKind.values),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
]


def _filters(request: Request) -> dict[str, Any]:
    """Query parameters as the selector's filters (codes to ids; bad values refused)."""
    params = request.query_params
    filters: dict[str, Any] = {
        name: params.get(name, "")
        for name in ("q", "sentiment", "intent", "language", "kind", "date_from", "date_to")
    }
    choices = {
        "sentiment": SentimentLabel.values,
        "intent": Intent.values,
        "language": TextLanguage.values,
        "kind": SourceKind.values,
    }
    for name, allowed in choices.items():
        if filters[name] and filters[name] not in allowed:
            raise ApplicationError(
                _("Unknown %(name)s: %(value)s") % {"name": name, "value": filters[name]},
                code=Code.INVALID,
            )
    for name in ("date_from", "date_to"):
        if filters[name]:
            from django.utils.dateparse import parse_date

            try:
                filters[name] = parse_date(filters[name])
            except ValueError:
                filters[name] = None
            if filters[name] is None:
                raise ApplicationError(_("Dates are written YYYY-MM-DD."), code=Code.INVALID)
    if code := params.get("topic"):
        filters["topic"] = (
            Topic.objects.filter(code=code).values_list("pk", flat=True).first() or -1
        )
    if code := params.get("channel"):
        from cxm.channels.models import Channel

        filters["channel"] = (
            Channel.objects.filter(code=code).values_list("pk", flat=True).first() or -1
        )
    return filters


class TextItemListApi(APIView):
    """GET: analysed texts, newest first, with the explorer's filters (page-numbered)."""

    pagination_class = DefaultPagination

    @extend_schema(
        operation_id="text_items_list",
        parameters=_FILTER_PARAMETERS,
        responses=TextItemOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        items = selectors.text_items_filter(_filters(request))
        paginator = self.pagination_class()
        page: list[TextItem] = paginator.paginate_queryset(items, request, view=self) or []
        context = {"request": request, "topics": selectors.with_topics(page)}
        return paginator.get_paginated_response(
            TextItemOutputSerializer(page, many=True, context=context).data
        )


class TextItemDetailApi(APIView):
    """GET one text; PATCH relabels it (sentiment, intent, topics by code), `text.change`."""

    write_capability = Capability.TEXT_CHANGE

    class RelabelInputSerializer(serializers.Serializer):
        sentiment = serializers.ChoiceField(choices=SentimentLabel.choices, required=False)
        intent = serializers.ChoiceField(choices=Intent.choices, required=False)
        topics = serializers.ListField(
            child=serializers.SlugField(),
            required=False,
            help_text=gettext_lazy("Topic codes; replaces the text's topics."),
        )

    @extend_schema(operation_id="text_items_read", responses=TextItemOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(TextItem.objects.select_related("channel"), pk=pk)
        return Response(TextItemOutputSerializer(item, context={"request": request}).data)

    @extend_schema(
        operation_id="text_items_relabel",
        request=RelabelInputSerializer,
        responses=TextItemOutputSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(TextItem.objects.select_related("channel"), pk=pk)
        data = self.RelabelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic_ids = None
        if "topics" in data.validated_data:
            codes = set(data.validated_data["topics"])
            found = dict(Topic.objects.filter(code__in=codes).values_list("code", "pk"))
            if missing := sorted(codes - set(found)):
                raise ApplicationError(
                    _("Unknown topic: %(codes)s") % {"codes": ", ".join(missing)},
                    code=Code.UNKNOWN_TOPIC,
                )
            topic_ids = list(found.values())
        services.text_item_relabel(
            item=item,
            actor=request.user,
            sentiment=data.validated_data.get("sentiment"),
            intent=data.validated_data.get("intent"),
            topic_ids=topic_ids,
        )
        return Response(TextItemOutputSerializer(item, context={"request": request}).data)


# ----------------------------------------------------------------------------- topics


class TopicSerializer(serializers.ModelSerializer):
    parent: Any = serializers.SlugRelatedField(
        slug_field="code", queryset=Topic.objects.all(), required=False, allow_null=True
    )
    owner: Any = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Topic
        fields = [
            "id",
            "code",
            "names",
            "keywords",
            "examples",
            "parent",
            "is_active",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs: dict[str, Any] = {
            "code": {"validators": []}
        }  # uniqueness: full_clean in the service


def _topic_save(topic: Topic | None, data: dict[str, Any]) -> Topic:
    base: dict[str, Any] = {}
    if topic is not None:
        base = {
            "code": topic.code,
            "names": topic.names,
            "keywords": topic.keywords,
            "examples": topic.examples,
            "parent": topic.parent,
            "is_active": topic.is_active,
            "owner": topic.owner,
        }
    try:
        return services.topic_save(topic=topic, **{**base, **data})
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from None


class TopicListApi(APIView):
    """GET: the taxonomy. POST: a new topic (`text.change`)."""

    write_capability = Capability.TEXT_CHANGE

    @extend_schema(operation_id="topics_list", responses=TopicSerializer(many=True))
    def get(self, request: Request) -> Response:
        topics = Topic.objects.select_related("parent").order_by("code")
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(topics, request, view=self)
        return paginator.get_paginated_response(TopicSerializer(page, many=True).data)

    @extend_schema(
        operation_id="topics_create", request=TopicSerializer, responses={201: TopicSerializer}
    )
    def post(self, request: Request) -> Response:
        data = TopicSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic = _topic_save(None, dict(data.validated_data))
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)


class TopicDetailApi(APIView):
    """GET, PATCH/PUT, DELETE one topic (changes need `text.change`)."""

    write_capability = Capability.TEXT_CHANGE

    @extend_schema(operation_id="topics_read", responses=TopicSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TopicSerializer(get_object_or_404(Topic, pk=pk)).data)

    @extend_schema(operation_id="topics_update", request=TopicSerializer, responses=TopicSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        topic = get_object_or_404(Topic, pk=pk)
        data = TopicSerializer(topic, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(TopicSerializer(_topic_save(topic, dict(data.validated_data))).data)

    @extend_schema(
        operation_id="topics_replace", request=TopicSerializer, responses=TopicSerializer
    )
    def put(self, request: Request, pk: int) -> Response:
        topic = get_object_or_404(Topic, pk=pk)
        data = TopicSerializer(topic, data=request.data)
        data.is_valid(raise_exception=True)
        return Response(TopicSerializer(_topic_save(topic, dict(data.validated_data))).data)

    @extend_schema(operation_id="topics_delete", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.topic_delete(topic=get_object_or_404(Topic, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------- analyze


class AnalysisOutputSerializer(serializers.Serializer):
    language = serializers.CharField()
    sentiment = serializers.CharField()
    sentiment_score = serializers.FloatField()
    sentiment_confidence = serializers.FloatField()
    intent = serializers.CharField()
    intent_confidence = serializers.FloatField()
    topics = serializers.ListField(child=serializers.CharField())
    model_version = serializers.CharField()


def analysis_as_dict(analysis: Analysis) -> dict[str, Any]:
    return {
        "language": analysis.language,
        "sentiment": analysis.sentiment.label,
        "sentiment_score": analysis.sentiment.score,
        "sentiment_confidence": analysis.sentiment.confidence,
        "intent": analysis.intent,
        "intent_confidence": analysis.intent_confidence,
        "topics": list(analysis.topics),
        "model_version": analysis.model_version,
    }


class AnalyzeApi(APIView):
    """POST {"texts": [...], "language": "auto"}: the analyses, in order (nothing stored).
    At most 1,000 texts per call. Open to every signed-in user (it changes nothing)."""

    write_capability = None

    class AnalyzeInputSerializer(serializers.Serializer):
        texts = serializers.ListField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=False), allow_empty=True
        )
        language = serializers.ChoiceField(
            choices=["auto", *TextLanguage.values], required=False, default="auto"
        )

    def get_permissions(self) -> list[Any]:
        from rest_framework.permissions import IsAuthenticated

        return [IsAuthenticated()]

    @extend_schema(
        operation_id="text_analyze",
        request=AnalyzeInputSerializer,
        responses=AnalysisOutputSerializer(many=True),
    )
    def post(self, request: Request) -> Response:
        raw = request.data.get("texts") if isinstance(request.data, dict) else None
        if isinstance(raw, list) and len(raw) > MAX_ANALYZE_TEXTS:
            raise ApplicationError(
                _("At most %(n)s texts per call.") % {"n": f"{MAX_ANALYZE_TEXTS:,}"},
                code=Code.TOO_MANY_TEXTS,
            )
        data = self.AnalyzeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        texts = data.validated_data["texts"]
        analyses = engine.analyse_texts(texts, language=data.validated_data["language"])
        return Response({"results": [analysis_as_dict(a) for a in analyses]})
