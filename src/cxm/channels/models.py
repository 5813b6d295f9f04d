"""The channel catalogue: every way a customer reaches the organisation or is reached."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel


class ChannelKind(models.TextChoices):
    WEB = "web", _("Web / portal")
    APP = "app", _("Mobile app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    SOCIAL = "social", _("Social media")
    BRANCH = "branch", _("Branch")
    OTHER = "other", _("Other")


class Channel(BaseModel):
    """A channel of the catalogue. `name` is optional: empty shows the kind's translated name."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    can_send = models.BooleanField(
        _("can send messages"),
        default=False,
        help_text=_("The organisation can reach customers through it (consent applies)."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())
