"""People: units (departments), teams, positions, and users with a role and UI preferences."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.accounts.roles import Role, role_can
from cxm.common.models import BaseModel


class Unit(BaseModel):
    """A department of the organisation (customer experience, contact center, sales …)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="teams"
    )
    lead = models.ForeignKey(
        "accounts.User",
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    class Meta:
        ordering = ["unit__name", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="team_unique_name")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Position(BaseModel):
    """A post in the organisation chart, e.g. "agent, line 1" or "QA reviewer"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True, allow_unicode=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    default_role = models.CharField(
        _("default role"), max_length=20, choices=Role.choices, default=Role.VIEWER
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.name


class DigitStyle(models.TextChoices):
    DEFAULT = "", _("Language default")
    LATIN = "latin", _("Latin digits (0123)")
    PERSIAN = "persian", _("Persian digits (۰۱۲۳)")
    ARABIC = "arabic", _("Arabic-Indic digits (٠١٢٣)")


class NotifyBy(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")
    NONE = "none", _("Only in the application")


class User(AbstractUser):
    """A person who signs in. The role decides what they may change."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    telegram = models.CharField(
        _("Telegram chat id"),
        max_length=100,
        blank=True,
        help_text=_("Your chat id with the organisation's bot, for notifications."),
    )
    notify_by = models.CharField(
        _("notify me by"),
        max_length=10,
        choices=NotifyBy.choices,
        default=NotifyBy.EMAIL,
        help_text=_("Besides the notifications in the application."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        help_text=_("Empty: the browser's language."),
    )
    digits = models.CharField(
        _("digits"), max_length=10, choices=DigitStyle.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def can(self, capability: str) -> bool:
        """Whether this user's role grants `capability` (superusers can do everything)."""
        if not self.is_active:
            return False
        return self.is_superuser or role_can(self.role, capability)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
