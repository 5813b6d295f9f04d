from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cxm.accounts"
    verbose_name = _("People and access")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.accounts import models

        for model in (models.User, models.Unit, models.Team, models.Position):
            auditlog.register(model, exclude_fields=["password", "last_login"])
