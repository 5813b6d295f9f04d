from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "cxm.analytics"
    verbose_name = _("Dashboard and KPIs")

    def ready(self) -> None:
        from cxm.analytics.tasks import SEND_DUE_REPORTS_EVERY, send_due_reports
        from cxm.common.scheduler import register_periodic

        register_periodic("analytics.send_due_reports", SEND_DUE_REPORTS_EVERY, send_due_reports)
