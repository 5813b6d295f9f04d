from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "cxm.imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        # Registers the customer importer; other apps register theirs in their own ready().
        from cxm.imports import customer_importer  # noqa: F401
