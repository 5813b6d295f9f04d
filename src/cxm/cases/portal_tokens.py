"""Signed, expiring links to the customer portal.

A token is the customer's id signed with a timestamp by Django's signing (its own salt, so a
survey token or a session cookie can never be replayed here). Nothing is stored: a token that
was not issued by this server, or was altered, fails before any lookup; an old one expires
after `CXM_PORTAL_LINK_DAYS` days (a fresh link is sent with every reply).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from cxm.customers.models import Customer

SALT = "cxm.cases.portal"
DEFAULT_DAYS = 30


class InvalidToken(Exception):
    """The token was tampered with, never issued here, or names no customer."""


class ExpiredToken(Exception):
    """The token is genuine but older than the link's lifetime."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def link_days() -> int:
    return int(getattr(settings, "CXM_PORTAL_LINK_DAYS", DEFAULT_DAYS))


def portal_token(customer: Customer) -> str:
    return _signer().sign(signing.b62_encode(customer.pk))


def customer_for_token(token: str) -> Customer:
    """The customer the token was issued for; InvalidToken or ExpiredToken otherwise."""
    try:
        value = _signer().unsign(token, max_age=link_days() * 86400)
    except signing.SignatureExpired:
        raise ExpiredToken(token) from None
    except signing.BadSignature:
        raise InvalidToken(token) from None
    try:
        pk = signing.b62_decode(value)
    except (ValueError, KeyError):
        raise InvalidToken(token) from None
    customer: Any = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise InvalidToken(token)
    return customer


def portal_path(customer: Customer) -> str:
    return reverse("cases_portal:home", args=[portal_token(customer)])


def portal_link(customer: Customer) -> str:
    """The absolute portal link for `customer` (for e-mails, SMS and Telegram messages)."""
    return settings.CXM_PUBLIC_URL.rstrip("/") + portal_path(customer)
