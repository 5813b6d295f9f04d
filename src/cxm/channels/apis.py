from rest_framework import serializers, viewsets

from cxm.accounts.roles import Capability
from cxm.channels.models import Channel


class ChannelSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Channel
        fields = [
            "id",
            "code",
            "kind",
            "name",
            "label",
            "description",
            "is_active",
            "can_send",
            "position",
        ]


class ChannelViewSet(viewsets.ModelViewSet):
    """The channel catalogue (editable by CX managers and administrators)."""

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    write_capability = Capability.CHANNELS_CHANGE
    filterset_fields = ["kind", "is_active", "can_send"]
