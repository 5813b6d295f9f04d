from django.utils.translation import gettext_lazy as _

from cxm.accounts.roles import Capability
from cxm.channels.forms import ChannelForm
from cxm.channels.models import Channel
from cxm.common.crud import CatalogueFormView, CatalogueListView


class ChannelListView(CatalogueListView):
    model = Channel
    title = _("Channels")
    columns = [
        ("code", _("Code")),
        ("label", _("Name")),
        ("get_kind_display", _("Kind")),
        ("is_active", _("Active")),
        ("can_send", _("Can send messages")),
    ]
    create_url_name = "channels:create"
    edit_url_name = "channels:edit"
    edit_capability = Capability.CHANNELS_CHANGE


class ChannelFormView(CatalogueFormView):
    model = Channel
    form_class = ChannelForm
    title = _("Channel")
    success_url_name = "channels:list"
    capability = Capability.CHANNELS_CHANGE
