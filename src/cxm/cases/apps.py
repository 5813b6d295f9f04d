import datetime as dt

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cxm.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.cases import catalogue_cache, events, loop, models, tasks  # noqa: F401  (registers receivers)
        from cxm.common.scheduler import register_periodic

        catalogue_cache.connect()

        for model in (
            models.CaseType,
            models.CaseStatus,
            models.SlaPolicy,
            models.RoutingRule,
            models.FeedbackRule,
            models.Capa,
        ):
            auditlog.register(model)
        register_periodic("cases.sla_sweep", dt.timedelta(minutes=1), tasks.sla_sweep)
        register_periodic("cases.autoclose", dt.timedelta(hours=1), tasks.autoclose)
        register_periodic("cases.feedback_catch_up", dt.timedelta(hours=1), tasks.feedback_catch_up)
        register_periodic(
            "cases.deliver_notifications", dt.timedelta(minutes=5), tasks.deliver_notifications
        )
        from cxm.cases.inbound import telegram_message_received
        from cxm.integrations.telegram import register_message_handler

        register_message_handler("cases", telegram_message_received)
        if settings.CXM_IMAP_HOST:
            register_periodic("cases.fetch_mail", dt.timedelta(minutes=2), tasks.fetch_mail)
