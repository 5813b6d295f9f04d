from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextAnalyticsConfig(AppConfig):
    name = "cxm.textanalytics"
    verbose_name = _("Text analytics")
