from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "cxm.customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.customers import events, models  # noqa: F401  (registers timeline provider)

        auditlog.register(models.Customer, exclude_fields=["search_text"])
        auditlog.register(models.Segment)
        auditlog.register(models.ChannelConsent)
