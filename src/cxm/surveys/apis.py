"""REST API of surveys: read surveys; list, read, create and bulk-create responses; and the
survey-event webhook that invites customers to touchpoint surveys."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxm.accounts.roles import Capability
from cxm.channels.models import Channel
from cxm.common.bulk_api import (
    bulk_items,
    clean_bulk_items,
    field_errors,
    invalid_items_response,
)
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import Customer
from cxm.journeys.models import Touchpoint
from cxm.surveys import selectors, services
from cxm.surveys.error_codes import SurveyErrorCode
from cxm.surveys.models import FollowUpRule, Question, Survey
from cxm.surveys.models import Response as SurveyResponse
from cxm.surveys.validation import (
    CleanResponse,
    InputError,
    ResponseContext,
    clean_hidden,
    clean_response_input,
)


class QuestionOutputSerializer(serializers.ModelSerializer):
    options = serializers.JSONField(
        read_only=True,
        help_text='Choice options, or a matrix\'s rows: [{"code": "speed", "labels": {"en": …}}]',
    )
    columns = serializers.SerializerMethodField(
        help_text="A matrix's answer values: column codes, or the numbers 1 … scale_max"
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "key",
            "type",
            "page",
            "position",
            "required",
            "scale_max",
            "texts",
            "options",
            "columns",
        ]

    def get_columns(self, obj: Question) -> list[str] | None:
        return obj.column_codes if obj.is_matrix else None


class FollowUpRuleOutputSerializer(serializers.ModelSerializer):
    condition = serializers.DictField(read_only=True, help_text='e.g. {"lte": 6}')

    class Meta:
        model = FollowUpRule
        fields = ["id", "question_key", "condition", "followup_survey", "delay_hours", "active"]


class SurveyOutputSerializer(serializers.ModelSerializer):
    default_language = serializers.CharField(read_only=True, help_text="fa, ar, hu or en")
    questions = QuestionOutputSerializer(many=True, read_only=True)
    followup_rules = FollowUpRuleOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "languages",
            "default_language",
            "touchpoint",
            "channel",
            "trigger_event",
            "public_slug",
            "questions",
            "followup_rules",
            "created_at",
        ]


class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    """Surveys with their questions (the keys that responses answer)."""

    serializer_class = SurveyOutputSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self) -> Any:
        return Survey.objects.prefetch_related("questions", "followup_rules").order_by("-id")


class ResponseOutputSerializer(serializers.ModelSerializer):
    channel: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    customer_external_id = serializers.CharField(
        source="customer.external_id", read_only=True, default=None
    )
    agent: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    language = serializers.CharField(read_only=True, help_text="fa, ar, hu or en")
    answers = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "survey",
            "external_id",
            "customer",
            "customer_external_id",
            "channel",
            "touchpoint",
            "stage",
            "team",
            "agent",
            "language",
            "hidden",
            "source",
            "submitted_at",
            "answers",
        ]

    def get_answers(self, obj: SurveyResponse) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for answer in obj.answers.all():
            if answer.number_value is not None:
                value: Any = int(answer.number_value)
            elif answer.choices:
                value = answer.choices
            else:
                value = answer.text_value
            result[answer.question.key] = value
        return result


class ResponseInputSerializer(serializers.Serializer):
    """Documents the input; validation is `clean_response_input`, shared with imports."""

    survey = serializers.IntegerField()
    external_id = serializers.CharField(required=False, max_length=100)
    customer_external_id = serializers.CharField(required=False)
    channel = serializers.CharField(required=False, help_text="Channel code")
    touchpoint = serializers.IntegerField(required=False)
    team = serializers.IntegerField(required=False)
    agent = serializers.CharField(required=False, help_text="Username")
    language = serializers.CharField(required=False, help_text="fa, ar, hu or en")
    hidden = serializers.DictField(child=serializers.CharField(), required=False)
    submitted_at = serializers.DateTimeField(required=False)
    source = serializers.CharField(required=False)  # type: ignore[assignment]
    answers = serializers.DictField(
        help_text='By question key, e.g. {"nps": 9, "reason": "…"}; a matrix by row code, '
        'e.g. {"service": {"speed": 4, "price": 3}}'
    )


def _clean_one(raw: Any, context: ResponseContext, *, bulk: bool) -> CleanResponse:
    if not isinstance(raw, dict):
        raise InputError(
            {"non_field": (SurveyErrorCode.INVALID, _("Each item must be a JSON object."))}
        )
    return clean_response_input(raw, context=context, require_external_id=bulk)


class ResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Survey responses. Everybody signed in reads; writing needs `responses.import`."""

    serializer_class = ResponseOutputSerializer
    write_capability = Capability.RESPONSES_IMPORT

    def get_queryset(self) -> Any:
        return selectors.response_list(filters=self.request.query_params.dict()).prefetch_related(
            "answers__question"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("survey", int),
            OpenApiParameter("channel", str, description="Channel code"),
            OpenApiParameter("touchpoint", int),
            OpenApiParameter("customer", int),
            OpenApiParameter("customer_external_id", str),
            OpenApiParameter("external_id", str),
            OpenApiParameter("submitted_after", str, description="ISO datetime, inclusive"),
            OpenApiParameter("submitted_before", str, description="ISO datetime, exclusive"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ResponseInputSerializer, responses={201: ResponseOutputSerializer})
    def create(self, request: Request) -> Response:
        """One response. Sending an existing `external_id` again replaces it (200)."""
        raw = request.data
        try:
            item = _clean_one(raw, selectors.response_context([raw]), bulk=False)
        except InputError as exc:
            return Response(
                {
                    "message": _("Validation error"),
                    "code": "invalid",
                    "extra": {"fields": field_errors(exc)},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = services.responses_upsert(items=[item])
        pk = result.ids[item.external_id] if item.external_id else result.new_ids[0]
        saved = self.get_queryset().get(pk=pk)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(saved).data, status=code)

    @extend_schema(
        request=inline_serializer(
            "ResponseBulkInput", {"items": ResponseInputSerializer(many=True)}
        ),
        responses={
            200: inline_serializer(
                "ResponseBulkOutput",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "ids": serializers.DictField(child=serializers.IntegerField()),
                },
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        """Up to 10,000 responses, idempotent by `external_id` (required), all-or-nothing.

        Any bad item rejects the whole request (400) with every item's errors listed.
        """
        items = bulk_items(
            request.data,
            not_a_list=_('Send {"items": [...]} with a list of responses.'),
            too_many_code=SurveyErrorCode.TOO_MANY,
        )
        if not items:
            return Response({"created": 0, "updated": 0, "ids": {}})
        context = selectors.response_context(items)
        clean, errors = clean_bulk_items(
            items,
            lambda raw: _clean_one(raw, context, bulk=True),
            error_types=(InputError,),
            external_id=lambda item: item.external_id,
            duplicate_code=SurveyErrorCode.DUPLICATE_IN_BATCH,
        )
        if errors:
            return invalid_items_response(errors, len(items))
        result = services.responses_upsert(items=clean)
        return Response({"created": result.created, "updated": result.updated, "ids": result.ids})


class SurveyEventInputSerializer(serializers.Serializer):
    event = serializers.CharField(max_length=100, help_text="e.g. order.delivered, case.closed")
    customer_external_id = serializers.CharField()
    touchpoint = serializers.IntegerField(required=False, allow_null=True)
    channel = serializers.CharField(required=False, allow_blank=True, help_text="Channel code")
    hidden = serializers.DictField(child=serializers.CharField(), required=False)


class SurveyEventApi(APIView):
    """Webhook for other systems: an event happened to a customer (an order was delivered,
    a case closed); invites them to every active touchpoint survey listening to it."""

    write_capability = Capability.RESPONSES_IMPORT

    @extend_schema(
        request=SurveyEventInputSerializer,
        responses={
            201: inline_serializer(
                "SurveyEventOutput",
                {
                    "invitations": inline_serializer(
                        "SurveyEventInvitation",
                        {
                            "id": serializers.IntegerField(),
                            "survey": serializers.IntegerField(),
                            "url": serializers.CharField(),
                            "expires_at": serializers.DateTimeField(),
                        },
                        many=True,
                    )
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = SurveyEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = Customer.objects.filter(external_id=values["customer_external_id"]).first()
        if customer is None:
            raise ApplicationError(
                _("No customer has this external id."), code=SurveyErrorCode.UNKNOWN_CUSTOMER
            )
        touchpoint = (
            get_object_or_404(Touchpoint, pk=values["touchpoint"])
            if values.get("touchpoint")
            else None
        )
        channel = None
        if values.get("channel"):
            channel = Channel.objects.filter(code=values["channel"]).first()
            if channel is None:
                raise ApplicationError(
                    _("Unknown channel “%(value)s”.") % {"value": values["channel"]},
                    code=SurveyErrorCode.UNKNOWN_CHANNEL,
                )
        try:
            hidden = clean_hidden(values.get("hidden"))
        except InputError as exc:
            raise ApplicationError(exc.errors["hidden"][1]) from None
        invitations = services.invitation_create_for_event(
            event=values["event"],
            customer=customer,
            touchpoint=touchpoint,
            channel=channel,
            hidden=hidden,
        )
        return Response(
            {
                "invitations": [
                    {
                        "id": inv.pk,
                        "survey": inv.survey_id,
                        "url": request.build_absolute_uri(
                            reverse("survey_public:invitation", args=[inv.token])
                        ),
                        "expires_at": inv.expires_at,
                    }
                    for inv in invitations
                ]
            },
            status=status.HTTP_201_CREATED,
        )
