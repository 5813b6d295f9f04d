"""REST API of customers: list/search, read, create, update, delete, and bulk upsert."""

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cxm.accounts.permissions import user_can
from cxm.accounts.roles import Capability
from cxm.channels.models import Channel
from cxm.common.bulk_api import (
    bulk_items,
    clean_bulk_items,
    field_errors,
    invalid_items_response,
)
from cxm.common.exceptions import ApplicationError
from cxm.core.phones import InvalidPhoneNumber, normalize_phone
from cxm.customers import selectors, services
from cxm.customers.error_codes import CustomerErrorCode
from cxm.customers.models import Customer, Segment
from cxm.customers.validation import (
    CleanCustomer,
    CustomerInputError,
    clean_customer_input,
)

CONTACT_FIELDS = ("phone", "email", "telegram")


class CustomerOutputSerializer(serializers.ModelSerializer):
    preferred_channel: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    segments: Any = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    consents = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "external_id",
            "name",
            "phone",
            "email",
            "telegram",
            "preferred_language",
            "preferred_channel",
            "lifecycle_stage",
            "club_tier",
            "club_joined_on",
            "segments",
            "attributes",
            "consents",
            "created_at",
            "updated_at",
        ]

    def get_consents(self, obj: Customer) -> dict[str, dict[str, str]]:
        return {
            c.channel.code: {
                "status": c.status,
                "changed_at": c.changed_at.isoformat(),
                "source": c.source,
            }
            for c in obj.consents.all()
        }

    def to_representation(self, instance: Customer) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not user_can(request.user, Capability.CUSTOMERS_VIEW_CONTACTS):
            for name in CONTACT_FIELDS:
                data[name] = None
        return data


class CustomerInputSerializer(serializers.Serializer):
    """Documents the input; validation is `clean_customer_input`, shared with imports."""

    external_id = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    telegram = serializers.CharField(required=False, allow_blank=True)
    preferred_language = serializers.CharField(required=False, allow_blank=True)
    preferred_channel = serializers.CharField(required=False, allow_blank=True)
    lifecycle_stage = serializers.CharField(required=False, allow_blank=True)
    club_tier = serializers.CharField(required=False, allow_blank=True)
    club_joined_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    segments = serializers.ListField(child=serializers.CharField(), required=False)
    attributes = serializers.DictField(required=False)
    consents = serializers.DictField(
        child=serializers.ChoiceField(choices=["opt_in", "opt_out"]), required=False
    )


def _clean_one(raw: Any, channel_codes: set[str]) -> CleanCustomer:
    if not isinstance(raw, dict):
        raise CustomerInputError(
            {"non_field": (CustomerErrorCode.INVALID, _("Each item must be a JSON object."))}
        )
    return clean_customer_input(raw, channel_codes=channel_codes)


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Customers. Everybody signed in may read; contact details only for roles that may."""

    serializer_class = CustomerOutputSerializer
    write_capability = Capability.CUSTOMERS_CHANGE

    def get_queryset(self) -> Any:
        params = self.request.query_params
        qs = selectors.customer_list(filters=params.dict()).prefetch_related(
            "segments", "consents__channel"
        )
        if external_id := params.get("external_id"):
            qs = qs.filter(external_id=external_id)
        if email := params.get("email"):
            qs = qs.filter(email=email.strip().lower())
        if phone := params.get("phone"):
            try:
                qs = qs.filter(phone=normalize_phone(phone))
            except InvalidPhoneNumber:
                qs = qs.none()
        return qs

    def get_permissions(self) -> Any:
        if self.action == "destroy":
            self.write_capability = Capability.CUSTOMERS_DELETE
        if self.action == "bulk_upsert":
            self.write_capability = Capability.CUSTOMERS_IMPORT
        return super().get_permissions()

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search name, ids, phone, e-mail, Telegram"),
            OpenApiParameter("lifecycle_stage", str),
            OpenApiParameter("preferred_language", str),
            OpenApiParameter("segment", int),
            OpenApiParameter("club_tier", str),
            OpenApiParameter("external_id", str),
            OpenApiParameter("phone", str),
            OpenApiParameter("email", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _save_one(self, raw: Any, *, existing: Customer | None) -> Response:
        channel_codes = set(Channel.objects.values_list("code", flat=True))
        data = dict(raw) if isinstance(raw, dict) else raw
        if existing is not None and isinstance(data, dict):
            data.setdefault("external_id", existing.external_id)
            data.setdefault("name", existing.name)
        try:
            item = _clean_one(data, channel_codes)
        except CustomerInputError as exc:
            return Response(
                {
                    "message": _("Validation error"),
                    "code": "invalid",
                    "extra": {"fields": field_errors(exc)},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        if existing is not None and item.external_id != existing.external_id:
            if Customer.objects.filter(external_id=item.external_id).exists():
                raise ApplicationError(
                    _("Another customer already has this external id."), code="duplicate"
                )
            Customer.objects.filter(pk=existing.pk).update(external_id=item.external_id)
        if existing is None and Customer.objects.filter(external_id=item.external_id).exists():
            raise ApplicationError(
                _("A customer with this external id exists; use PATCH or bulk upsert."),
                code="duplicate",
            )
        result = services.customers_upsert(items=[item], source="api", actor=self.request.user)
        customer = selectors.customer_get(result.ids[item.external_id])
        code = status.HTTP_201_CREATED if existing is None else status.HTTP_200_OK
        return Response(self.get_serializer(customer).data, status=code)

    @extend_schema(request=CustomerInputSerializer, responses={201: CustomerOutputSerializer})
    def create(self, request: Request) -> Response:
        return self._save_one(request.data, existing=None)

    @extend_schema(request=CustomerInputSerializer, responses=CustomerOutputSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._save_one(request.data, existing=self.get_object())

    @extend_schema(request=CustomerInputSerializer, responses=CustomerOutputSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._save_one(request.data, existing=self.get_object())

    @extend_schema(
        request=inline_serializer(
            "CustomerBulkUpsertInput", {"items": CustomerInputSerializer(many=True)}
        ),
        responses={
            200: inline_serializer(
                "CustomerBulkUpsertOutput",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "ids": serializers.DictField(child=serializers.IntegerField()),
                },
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk-upsert")
    def bulk_upsert(self, request: Request) -> Response:
        """Up to 10,000 customers, idempotent by external id, all-or-nothing.

        Any bad item rejects the whole request (400) with every item's errors listed.
        """
        items = bulk_items(
            request.data,
            not_a_list=_('Send {"items": [...]} with a list of customers.'),
            too_many_code=CustomerErrorCode.TOO_MANY,
        )
        if not items:
            return Response({"created": 0, "updated": 0, "unchanged": 0, "ids": {}})
        channel_codes = set(Channel.objects.values_list("code", flat=True))
        clean, errors = clean_bulk_items(
            items,
            lambda raw: _clean_one(raw, channel_codes),
            error_types=(CustomerInputError,),
            external_id=lambda item: item.external_id,
            duplicate_code=CustomerErrorCode.DUPLICATE_IN_BATCH,
        )
        if errors:
            return invalid_items_response(errors, len(items))
        result = services.customers_upsert(items=clean, source="api", actor=request.user)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "ids": result.ids,
            }
        )


class SegmentSerializer(serializers.ModelSerializer):
    customers = serializers.IntegerField(source="customer_count", read_only=True)

    class Meta:
        model = Segment
        fields = ["id", "name", "description", "customers", "created_at", "updated_at"]


class SegmentViewSet(viewsets.ModelViewSet):
    """Segments (tags) of customers; a customer's segments are set through the customer."""

    serializer_class = SegmentSerializer
    write_capability = Capability.CUSTOMERS_CHANGE
    filterset_fields = ["name"]

    def get_queryset(self) -> Any:
        return Segment.objects.annotate(customer_count=Count("customers")).order_by("name")
