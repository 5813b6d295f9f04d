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

        # One-tap NPS answers from the Telegram invitation's keyboard.
        from cxm.integrations.telegram import register_callback_handler
        from cxm.surveys import telegram_handlers

        register_callback_handler(telegram_handlers.PREFIX, telegram_handlers.record_nps_answer)

        import datetime as dt

        from cxm.common.scheduler import register_periodic
        from cxm.surveys import tasks

        register_periodic("surveys.send_due", dt.timedelta(minutes=5), tasks.send_due)
        register_periodic("surveys.send_waves", dt.timedelta(hours=1), tasks.send_waves)
