from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "cxm.channels"
    label = "cxm_channels"  # "channels" is Django Channels' label
    verbose_name = _("Channels")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.channels.models import Channel

        auditlog.register(Channel)
