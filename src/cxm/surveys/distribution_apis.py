"""REST API of distribution: a survey's invitations with delivery status and the reason a
send was blocked (code and message in the request's language)."""

from typing import Any

from rest_framework import serializers, viewsets

from cxm.surveys.contact_policy import reason_message
from cxm.surveys.distribution_views import delivery_status
from cxm.surveys.models import DeliveryState, Invitation


class InvitationOutputSerializer(serializers.ModelSerializer):
    channel: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    customer_external_id = serializers.CharField(
        source="customer.external_id", read_only=True, default=None
    )
    status = serializers.SerializerMethodField(help_text="pending, blocked, sent, failed, …")
    blocked_reason = serializers.CharField(read_only=True, help_text="A stable code.")
    blocked_message = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "survey",
            "customer_external_id",
            "channel",
            "language",
            "status",
            "blocked_reason",
            "blocked_message",
            "attempts",
            "last_error",
            "sent_at",
            "opened_at",
            "reminder_sent_at",
            "next_attempt_at",
            "expires_at",
            "created_at",
        ]

    def get_status(self, obj: Invitation) -> str:
        return delivery_status(obj)

    def get_blocked_message(self, obj: Invitation) -> str:
        return reason_message(obj.blocked_reason) or obj.blocked_message


class InvitationViewSet(viewsets.ReadOnlyModelViewSet):
    """Invitations, newest first; filter by `survey`, `status` and `blocked_reason`."""

    serializer_class = InvitationOutputSerializer
    filterset_fields = ["survey", "blocked_reason"]

    def get_queryset(self) -> Any:
        qs = Invitation.objects.select_related("customer", "channel", "response").order_by("-id")
        status = self.request.query_params.get("status", "")
        if status in DeliveryState.values:
            from cxm.surveys.distribution import invitation_status_filter

            qs = qs.filter(invitation_status_filter(status))
        return qs
