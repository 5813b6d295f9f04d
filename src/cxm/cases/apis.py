"""REST API of cases: list and create, read and change one case, and one endpoint per
action (reply, note, status, assign, merge, the thread and a customer's message).

Reading is open to signed-in users; anything that changes a case needs `cases.work`.
Every change goes through `cxm.cases.services`; a refused change answers 400 with
`{"message", "code", "extra"}`, an unknown case 404. Reply, note and a customer's message
take attachments as multipart files named `attachments`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxm.accounts.models import Team, User
from cxm.accounts.permissions import user_can
from cxm.accounts.roles import Capability
from cxm.cases import services
from cxm.cases.error_codes import CaseErrorCode as Code
from cxm.cases.models import (
    Capa,
    Case,
    CaseMessage,
    CaseSource,
    CaseStatus,
    CaseTopic,
    CaseType,
    Priority,
    RootCause,
    SlaState,
    StatusCategory,
)
from cxm.cases.services import IncomingAttachment
from cxm.channels.models import Channel
from cxm.common.pagination import DefaultPagination
from cxm.customers.models import Customer

LIST_RELATED = ("status", "type", "channel", "customer", "topic", "root_cause")
PARSERS = [JSONParser, MultiPartParser, FormParser]


def case_queryset() -> QuerySet[Case]:
    """Cases with what their serializers show (one query per page, no N+1)."""
    return Case.objects.select_related(*LIST_RELATED).defer(
        "customer__search_text", "customer__attributes"
    )


def case_get(pk: Any) -> Case:
    """The case, or a 404 that says which."""
    try:
        return case_queryset().get(pk=int(pk))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            _("Case #%(id)s does not exist.") % {"id": pk}, code=Code.UNKNOWN_CASE
        ) from None


def uploads(request: Request) -> list[IncomingAttachment]:
    """The files sent as `attachments`, checked before anything is read into memory."""
    files = request.FILES.getlist("attachments") if hasattr(request, "FILES") else []
    services.attachments_check(files)
    return [
        IncomingAttachment(
            name=str(f.name),
            content=f.read(),
            content_type=f.content_type or "application/octet-stream",
        )
        for f in files
    ]


# --------------------------------------------------------------------------- serializers


class CaseOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    status: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    type: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    channel: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    customer_name = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "subject",
            "status",
            "status_category",
            "type",
            "priority",
            "team",
            "assignee",
            "customer",
            "customer_name",
            "channel",
            "source",
            "sla_state",
            "response_by",
            "resolution_by",
            "first_responded_on",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_customer_name(self, case: Case) -> str:
        return case.customer.name if case.customer_id and case.customer else ""


class CaseDetailOutputSerializer(CaseOutputSerializer):
    topic: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    root_cause: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta(CaseOutputSerializer.Meta):
        fields = [
            *CaseOutputSerializer.Meta.fields,
            "description",
            "topic",
            "language",
            "intent",
            "parent",
            "merged_into",
            "root_cause",
            "capa",
            "resolved_at",
            "closed_at",
            "response_breached",
            "resolution_breached",
            "escalation_level",
            "reopen_count",
            "last_customer_message_at",
            "resolution_rating",
        ]
        read_only_fields = fields


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class MessageOutputSerializer(serializers.ModelSerializer):
    channel: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    attachments = AttachmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = CaseMessage
        fields = [
            "id",
            "case",
            "kind",
            "body",
            "body_html",
            "channel",
            "author",
            "external_id",
            "delivery_status",
            "delivery_error",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


def _detail(case: Case, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(CaseDetailOutputSerializer(case_get(case.pk)).data, status=code)


def _message(message: CaseMessage, *, code: int = status.HTTP_201_CREATED) -> Response:
    message = (
        CaseMessage.objects.select_related("channel")
        .prefetch_related("attachments")
        .get(pk=message.pk)
    )
    return Response(MessageOutputSerializer(message).data, status=code)


def _attachments_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=gettext_lazy("Files (multipart/form-data)."),
    )


@extend_schema_field(OpenApiTypes.INT)
class _Agent(serializers.PrimaryKeyRelatedField):
    """An active user who may work on cases."""

    def get_queryset(self) -> Any:
        return User.objects.filter(is_active=True)

    def to_internal_value(self, data: Any) -> Any:
        user = super().to_internal_value(data)
        if not user_can(user, Capability.CASES_WORK):
            raise serializers.ValidationError(_("This person does not work on cases."))
        return user


# --------------------------------------------------------------------------- list and create


class CaseFilter(django_filters.FilterSet):
    status_category = django_filters.ChoiceFilter(choices=StatusCategory.choices)
    status = django_filters.CharFilter(field_name="status__code")
    team = django_filters.NumberFilter(field_name="team_id")
    assignee = django_filters.CharFilter(
        method="filter_assignee", help_text=gettext_lazy('A user id, or "none" (unassigned).')
    )
    type = django_filters.CharFilter(field_name="type__code")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    sla_state = django_filters.ChoiceFilter(choices=SlaState.choices)
    customer = django_filters.NumberFilter(field_name="customer_id")
    channel = django_filters.CharFilter(field_name="channel__code")
    source = django_filters.ChoiceFilter(choices=CaseSource.choices)
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_assignee(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value.strip().lower() == "none":
            return queryset.filter(assignee__isnull=True)
        if not value.strip().isdigit():
            raise ValidationError({"assignee": [_('A user id or "none".')]})
        return queryset.filter(assignee_id=int(value))


class CaseCursorPagination(CursorPagination):
    """Newest first by id: each page is one index range scan, however many cases exist."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CaseListApi(APIView):
    """GET: cases, newest first, filtered (cursor pagination). POST: open a case."""

    write_capability = Capability.CASES_WORK
    parser_classes = PARSERS
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    queryset = Case.objects.none()  # for the schema's filter parameters
    pagination_class = CaseCursorPagination

    class CaseCreateInputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=300)
        type = serializers.SlugRelatedField(
            slug_field="code",
            queryset=CaseType.objects.filter(is_active=True),
            required=False,
            help_text=gettext_lazy("Case type code; default: inquiry."),
        )
        description = serializers.CharField(required=False, allow_blank=True, default="")
        customer = serializers.PrimaryKeyRelatedField(
            queryset=Customer.objects.all(), required=False, allow_null=True
        )
        channel = serializers.SlugRelatedField(
            slug_field="code", queryset=Channel.objects.all(), required=False, allow_null=True
        )
        priority = serializers.ChoiceField(choices=Priority.choices, required=False)
        topic = serializers.SlugRelatedField(
            slug_field="code", queryset=CaseTopic.objects.all(), required=False, allow_null=True
        )
        team = serializers.PrimaryKeyRelatedField(
            queryset=Team.objects.all(), required=False, allow_null=True
        )
        assignee = _Agent(required=False, allow_null=True)
        language = serializers.CharField(max_length=8, required=False, allow_blank=True)
        external_id = serializers.CharField(
            max_length=100,
            required=False,
            allow_blank=True,
            help_text=gettext_lazy("Your id of the case: the same id again returns that case."),
        )
        intent = serializers.CharField(max_length=50, required=False, allow_blank=True)
        message = serializers.CharField(
            required=False,
            allow_blank=True,
            help_text=gettext_lazy("The customer's first message of the thread."),
        )
        attachments = _attachments_field()

    @extend_schema(operation_id="cases_list", responses=CaseOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        cases = DjangoFilterBackend().filter_queryset(request, case_queryset(), self)
        paginator = self.pagination_class()
        page: list[Case] | None = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(CaseOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_create",
        request=CaseCreateInputSerializer,
        responses={
            201: CaseDetailOutputSerializer,
            200: OpenApiResponse(
                CaseDetailOutputSerializer, description="The case made before with this id."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.CaseCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("attachments", None)
        external_id = fields.pop("external_id", "") or None
        if request.FILES.getlist("attachments") and not fields.get("message"):
            raise ValidationError(
                {"attachments": [_("Attachments come with the customer's first message.")]}
            )
        if external_id:
            existing = Case.objects.filter(external_id=external_id).first()
            if existing is not None:
                return _detail(existing)
        case_type = fields.pop("type", None) or _default_type()
        try:
            case = services.case_create(
                case_type=case_type,
                source=CaseSource.API,
                external_id=external_id,
                actor=request.user,
                attachments=uploads(request),
                **fields,
            )
        except IntegrityError:  # the same external id at the same moment: the other won
            existing = Case.objects.filter(external_id=external_id).first()
            if existing is None:
                raise
            return _detail(existing)
        return _detail(case, code=status.HTTP_201_CREATED)


def _default_type() -> CaseType:
    case_type = (
        CaseType.objects.filter(code="inquiry").first()
        or CaseType.objects.filter(is_active=True).first()
    )
    if case_type is None:
        raise ValidationError({"type": [_("No case type exists.")]})
    return case_type


# --------------------------------------------------------------------------- one case


class CaseDetailApi(APIView):
    """GET: one case. PATCH: change its subject, type, topic, priority, root cause …"""

    write_capability = Capability.CASES_WORK

    class CaseUpdateInputSerializer(serializers.Serializer):
        subject = serializers.CharField(max_length=300, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        type = serializers.SlugRelatedField(
            slug_field="code", queryset=CaseType.objects.all(), required=False
        )
        topic = serializers.SlugRelatedField(
            slug_field="code", queryset=CaseTopic.objects.all(), required=False, allow_null=True
        )
        priority = serializers.ChoiceField(choices=Priority.choices, required=False)
        root_cause = serializers.SlugRelatedField(
            slug_field="code", queryset=RootCause.objects.all(), required=False, allow_null=True
        )
        parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
            queryset=Case.objects.all(), required=False, allow_null=True
        )
        capa = serializers.PrimaryKeyRelatedField(
            queryset=Capa.objects.all(), required=False, allow_null=True
        )
        intent = serializers.CharField(max_length=50, required=False, allow_blank=True)

    @extend_schema(operation_id="cases_retrieve", responses=CaseDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(CaseDetailOutputSerializer(case_get(pk)).data)

    @extend_schema(
        operation_id="cases_partial_update",
        request=CaseUpdateInputSerializer,
        responses=CaseDetailOutputSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        data = self.CaseUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        case = services.case_update(case=case, actor=request.user, **data.validated_data)
        return _detail(case)


class CaseReplyApi(APIView):
    """A reply to the customer on the channel they used; optionally a new status with it."""

    write_capability = Capability.CASES_WORK
    parser_classes = PARSERS

    class CaseReplyInputSerializer(serializers.Serializer):
        body = serializers.CharField(trim_whitespace=False)
        status = serializers.SlugRelatedField(
            slug_field="code", queryset=CaseStatus.objects.all(), required=False, allow_null=True
        )
        attachments = _attachments_field()

    @extend_schema(request=CaseReplyInputSerializer, responses={201: MessageOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        data = self.CaseReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.case_reply(
            case=case,
            author=request.user,
            body=data.validated_data["body"],
            status=data.validated_data.get("status"),
            attachments=uploads(request),
        )
        return _message(message)


class CaseNoteApi(APIView):
    """An internal note; @username mentions notify those people."""

    write_capability = Capability.CASES_WORK
    parser_classes = PARSERS

    class CaseNoteInputSerializer(serializers.Serializer):
        body = serializers.CharField(trim_whitespace=False)
        attachments = _attachments_field()

    @extend_schema(request=CaseNoteInputSerializer, responses={201: MessageOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        data = self.CaseNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.case_note(
            case=case,
            author=request.user,
            body=data.validated_data["body"],
            attachments=uploads(request),
        )
        return _message(message)


class CaseStatusApi(APIView):
    """Move the case to a status (by code); resolving stops the SLA clock."""

    write_capability = Capability.CASES_WORK

    class CaseStatusInputSerializer(serializers.Serializer):
        status = serializers.SlugRelatedField(slug_field="code", queryset=CaseStatus.objects.all())

    @extend_schema(request=CaseStatusInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        data = self.CaseStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_set_status(
            case=case, status=data.validated_data["status"], actor=request.user
        )
        return _detail(case)


class CaseAssignApi(APIView):
    """Give the case to an agent (`null`: back to the team queue), optionally another team."""

    write_capability = Capability.CASES_WORK

    class CaseAssignInputSerializer(serializers.Serializer):
        assignee = _Agent(allow_null=True)
        team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)

    @extend_schema(request=CaseAssignInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        data = self.CaseAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_assign(
            case=case,
            assignee=data.validated_data["assignee"],
            team=data.validated_data.get("team"),
            actor=request.user,
        )
        return _detail(case)


class CaseMergeApi(APIView):
    """Merge this case (a duplicate) into another; answers with the case it went into."""

    write_capability = Capability.CASES_WORK

    class CaseMergeInputSerializer(serializers.Serializer):
        into = serializers.IntegerField(min_value=1)

    @extend_schema(request=CaseMergeInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        data = self.CaseMergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = Case.objects.filter(pk=data.validated_data["into"]).first()
        if target is None:
            raise ValidationError({"into": [_("This case does not exist.")]})
        target = services.case_merge(source=case, target=target, actor=request.user)
        return _detail(target)


class CaseMessagesApi(APIView):
    """GET: the thread, oldest first (notes included). POST: a message from the customer
    (idempotent by `external_id`: 201 the first time, 200 with the same message after); on
    a closed case it opens a linked new case, named in the message's `case`."""

    write_capability = Capability.CASES_WORK
    parser_classes = PARSERS
    pagination_class = DefaultPagination

    class CaseInboundInputSerializer(serializers.Serializer):
        body = serializers.CharField(trim_whitespace=False)
        external_id = serializers.CharField(max_length=255, required=False, allow_blank=True)
        channel = serializers.SlugRelatedField(
            slug_field="code", queryset=Channel.objects.all(), required=False, allow_null=True
        )
        attachments = _attachments_field()

    @extend_schema(operation_id="cases_messages_list", responses=MessageOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        messages = (
            CaseMessage.objects.filter(case=case)
            .select_related("channel")
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(messages, request, view=self)
        return paginator.get_paginated_response(MessageOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_messages_create",
        request=CaseInboundInputSerializer,
        responses={201: MessageOutputSerializer, 200: MessageOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_get(pk)
        data = self.CaseInboundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        external_id = data.validated_data.get("external_id") or None
        if external_id:
            existing = CaseMessage.objects.filter(external_id=external_id).first()
            if existing is not None:
                return _message(existing, code=status.HTTP_200_OK)
        _case, message = services.case_receive(
            case=case,
            body=data.validated_data["body"],
            channel=data.validated_data.get("channel"),
            external_id=external_id,
            attachments=uploads(request),
        )
        return _message(message)
