"""Customers: identity, contact points, consent per channel, segments, lifecycle, club."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel
from cxm.core.text import normalize_search


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")
    WON_BACK = "won_back", _("Won back")


class Language(models.TextChoices):
    PERSIAN = "fa", _("Persian")
    ARABIC = "ar", _("Arabic")
    HUNGARIAN = "hu", _("Hungarian")
    ENGLISH = "en", _("English")


class ClubTier(models.TextChoices):
    NONE = "", _("Not a member")
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class Segment(BaseModel):
    """A named group of customers (also used as a tag)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class Customer(BaseModel):
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        help_text=_("The customer's id in your own systems; imports update by it."),
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, db_index=True)
    telegram = models.CharField(_("Telegram"), max_length=100, blank=True, db_index=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, blank=True
    )
    preferred_channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("preferred channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.NEW,
        db_index=True,
    )
    club_tier = models.CharField(
        _("club tier"), max_length=20, choices=ClubTier.choices, blank=True, default=""
    )
    club_joined_on = models.DateField(_("club member since"), null=True, blank=True)
    segments = models.ManyToManyField(
        Segment, verbose_name=_("segments"), blank=True, related_name="customers"
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    @property
    def is_club_member(self) -> bool:
        return bool(self.club_tier)

    def refresh_search_text(self) -> None:
        """Recompute the normalised text that search matches (name, ids, contact points)."""
        self.search_text = build_search_text(
            name=self.name,
            external_id=self.external_id,
            phone=self.phone,
            email=self.email,
            telegram=self.telegram,
        )


def build_search_text(*, name: str, external_id: str, phone: str, email: str, telegram: str) -> str:
    parts = [name, external_id, phone, phone.lstrip("+"), email, telegram]
    if phone.startswith("+98"):
        parts.append("0" + phone[3:])  # the national form people type: 0912…
    return normalize_search(" ".join(p for p in parts if p))


class ConsentStatus(models.TextChoices):
    OPT_IN = "opt_in", _("Opted in")
    OPT_OUT = "opt_out", _("Opted out")


class ChannelConsent(BaseModel):
    """Whether the customer agreed to be contacted on a channel, when and from where."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    changed_at = models.DateTimeField(_("changed at"))
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the consent came from: a form, an import, an opt-out link …"),
    )

    class Meta:
        ordering = ["channel__position"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="consent_one_per_channel")
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.channel_id}: {self.status}"


class CustomerEventKind(models.TextChoices):
    CREATED = "created", _("Customer created")
    UPDATED = "updated", _("Customer updated")
    IMPORTED = "imported", _("Imported")
    CONSENT = "consent", _("Consent changed")
    LIFECYCLE = "lifecycle", _("Lifecycle stage changed")


class CustomerEvent(models.Model):
    """What happened to the customer record itself (the customers app's timeline events)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CustomerEventKind.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["customer", "-at"], name="customer_event_recent")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.kind}"
