from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "cxm.common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from cxm.common import lookups

        lookups.register()
