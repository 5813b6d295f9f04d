"""REST API of referrals: record that a new customer came through a referral code.

POST /api/v1/referrals/convert/ {"code": "…", "customer": 123 | "external id"} needs
`customers.change`. 201 when recorded, 200 when it already was (idempotent); 400 with
`unknown_referral_code`, `self_referral`, `already_referred` or `unknown_customer`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxm.accounts.permissions import RolePermission
from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import Customer
from cxm.referrals import services
from cxm.referrals.error_codes import ReferralErrorCode as Code


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class CustomerRefField(serializers.Field):
    """A customer's id (a number) or external id (a string)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(_("A customer id or external id."))
        return data

    def to_representation(self, value: Any) -> Any:
        return value


def _customer(ref: int | str) -> Customer:
    customer = None
    if isinstance(ref, int):
        customer = Customer.objects.filter(pk=ref).first()
    else:
        ref = ref.strip()
        customer = Customer.objects.filter(external_id=ref).first() if ref else None
        if customer is None and ref.isdigit():
            customer = Customer.objects.filter(pk=int(ref)).first()
    if customer is None:
        raise ApplicationError(
            _("Unknown customer “%(ref)s”.") % {"ref": str(ref)[:100]},
            code=Code.UNKNOWN_CUSTOMER,
        )
    return customer


class ReferralConvertApi(APIView):
    permission_classes = [RolePermission]
    write_capability = Capability.CUSTOMERS_CHANGE

    class ReferralConvertInputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        customer = CustomerRefField(help_text=_("The new customer's id or external id."))

    class ReferralConversionSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        code = serializers.CharField(source="referral.code")
        referrer = serializers.IntegerField(source="referral.customer_id")
        customer = serializers.IntegerField(source="customer_id")
        at = serializers.DateTimeField()
        created = serializers.BooleanField()

    @extend_schema(
        request=ReferralConvertInputSerializer,
        responses={200: ReferralConversionSerializer, 201: ReferralConversionSerializer},
        summary="Attribute a new customer to a referral code",
    )
    def post(self, request: Request) -> Response:
        data = self.ReferralConvertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = _customer(data.validated_data["customer"])
        result = services.referral_convert(code=data.validated_data["code"], customer=customer)
        conversion = result.conversion
        conversion.created = result.created  # type: ignore[attr-defined]
        return Response(
            self.ReferralConversionSerializer(conversion).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
