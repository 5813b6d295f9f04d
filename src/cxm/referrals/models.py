"""Promoters bring friends: a personal referral link per customer, its visits and the new
customers it brought (attribution).

A customer has at most one referral (`referral_for` gets or creates it). Its `code` is eight
characters drawn with `secrets` from an alphabet without look-alikes (≈ 47 bits), unique, so
the public link /r/<code>/ cannot be guessed from another one. The invitation to refer is
sent once per customer; its state lives on the referral (`invite_status`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel


class InviteStatus(models.TextChoices):
    NONE = "", _("Not invited")
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    BLOCKED = "blocked", _("Blocked")
    FAILED = "failed", _("Failed")


class ReferralInviteRule(BaseModel):
    """After a promoter's answer (NPS 9–10), invite the customer to refer friends (and,
    with `review_url`, to leave a review). The first active rule that matches applies."""

    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every survey."),
    )
    review_url = models.URLField(
        _("review link"),
        blank=True,
        help_text=_("Optional: a page where customers leave a review (maps, app store …)."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("referral invitation rule")
        verbose_name_plural = _("referral invitation rules")

    def __str__(self) -> str:
        return self.name


class Referral(BaseModel):
    """A customer's personal referral code (one per customer)."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("promoter"),
        on_delete=models.CASCADE,
        related_name="referral",
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    source_response = models.ForeignKey(
        "surveys.Response",
        verbose_name=_("promoter's response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The channel the invitation went out on."),
    )
    rule = models.ForeignKey(
        ReferralInviteRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invite_status = models.CharField(
        _("invitation"), max_length=10, choices=InviteStatus.choices, blank=True, default=""
    )
    invite_reason = models.CharField(_("why not sent"), max_length=300, blank=True)
    invite_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    invite_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["invite_due_at"],
                condition=models.Q(invite_status="pending"),
                name="referral_invite_due",
            ),
            models.Index(
                fields=["invited_at"],
                condition=models.Q(invited_at__isnull=False),
                name="referral_invited_at",
            ),
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return self.code


class ReferralVisit(models.Model):
    """Somebody opened the referral link. The address is kept only as a keyed hash."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(_("at"), db_index=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["referral", "at"], name="referralvisit_referral_at")]
        verbose_name = _("referral visit")
        verbose_name_plural = _("referral visits")

    def __str__(self) -> str:
        return f"{self.referral_id} @ {self.at.isoformat()}"


class ReferralConversion(models.Model):
    """A new customer the referral brought; a customer is attributed to one referral only."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="conversions")
    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("new customer"),
        on_delete=models.CASCADE,
        related_name="referred_by",
    )
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["referral", "at"], name="referralconv_referral_at"),
        ]
        verbose_name = _("referral conversion")
        verbose_name_plural = _("referral conversions")

    def __str__(self) -> str:
        return f"{self.referral_id} → {self.customer_id}"
