import datetime as dt

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class TextAnalyticsConfig(AppConfig):
    name = "cxm.textanalytics"
    verbose_name = _("Text analytics")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.cases.models import CaseMessage
        from cxm.common.scheduler import register_periodic
        from cxm.integrations.telegram import register_message_handler
        from cxm.surveys.signals import responses_saved
        from cxm.textanalytics import (  # noqa: F401
            importer,
            insight_tasks,
            models,
            receivers,
            tasks,
            telegram,
        )

        responses_saved.connect(
            receivers.on_responses_saved, dispatch_uid="textanalytics.responses_saved"
        )
        post_save.connect(
            receivers.on_case_message_saved,
            sender=CaseMessage,
            dispatch_uid="textanalytics.case_message_saved",
        )
        register_periodic("textanalytics.catch_up", dt.timedelta(minutes=10), tasks.catch_up)
        register_periodic(
            "textanalytics.emerging_issues",
            dt.timedelta(days=1),
            insight_tasks.detect_emerging_issues,
        )
        register_message_handler("textanalytics", telegram.channel_post_received)
        for model in (models.Topic, models.SentimentModelVersion):
            auditlog.register(model)
