from cxm.channels.models import Channel
from cxm.common.forms import CxmModelForm


class ChannelForm(CxmModelForm):
    class Meta:
        model = Channel
        fields = ["code", "kind", "name", "description", "is_active", "can_send", "position"]
