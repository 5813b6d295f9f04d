from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "cxm.surveys"
    verbose_name = _("Surveys and feedback")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # Register the timeline/KPI providers and the "responses" import kind.
        from cxm.surveys import events, importer, kpis, models  # noqa: F401

        auditlog.register(models.Survey)
        auditlog.register(models.Question)
