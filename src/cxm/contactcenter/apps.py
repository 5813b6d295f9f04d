from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactCenterConfig(AppConfig):
    name = "cxm.contactcenter"
    verbose_name = _("Contact center")

    def ready(self) -> None:
        # Register the customer-360 timeline provider.
        from cxm.contactcenter import events  # noqa: F401
