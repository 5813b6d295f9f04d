from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "cxm.journeys"
    verbose_name = _("Customer journeys")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.journeys import models

        auditlog.register(models.Journey)
        auditlog.register(models.Stage)
        auditlog.register(models.Touchpoint)
        auditlog.register(models.PainPoint)
