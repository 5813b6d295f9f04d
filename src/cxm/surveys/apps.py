from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "cxm.surveys"
    verbose_name = _("Surveys and feedback")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.surveys import events, kpis, models  # noqa: F401  (register providers)

        auditlog.register(models.Survey)
        auditlog.register(models.Question)
