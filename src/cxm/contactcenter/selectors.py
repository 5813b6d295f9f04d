"""Reads of contact-center records."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from cxm.contactcenter.models import AgentAlias, Interaction
from cxm.core.phones import InvalidPhoneNumber, normalize_phone
from cxm.customers.models import Customer


def customer_interactions(customer: Any, *, limit: int = 100) -> QuerySet[Interaction]:
    """The customer's interactions, newest first, with their queue (one query)."""
    return (
        Interaction.objects.filter(customer=customer)
        .select_related("queue")
        .order_by("-arrived_at", "-id")[:limit]
    )


def agent_name_candidates(name: str) -> list[str]:
    """The forms an agent name may be known by: "SIP/1001-0000a" → ["SIP/1001-0000a", "1001"]."""
    name = name.strip()
    if not name or name.upper() == "NONE":
        return []
    forms = [name]
    tail = name.split("/", 1)[-1].split("@", 1)[0]
    if tail and tail != name:
        forms.append(tail)
    return forms


def users_by_agent_names(names: Iterable[str]) -> dict[str, int]:
    """{agent name: user id} through `AgentAlias`, then usernames. Two queries."""
    wanted = {name: agent_name_candidates(name) for name in set(names)}
    forms = {form for candidates in wanted.values() for form in candidates}
    if not forms:
        return {}
    aliases = dict(AgentAlias.objects.filter(alias__in=forms).values_list("alias", "user_id"))
    users = dict(get_user_model().objects.filter(username__in=forms).values_list("username", "pk"))
    found: dict[str, int] = {}
    for name, candidates in wanted.items():
        for form in candidates:
            user_id = aliases.get(form) or users.get(form)
            if user_id is not None:
                found[name] = user_id
                break
    return found


def phone_or_empty(raw: str) -> str:
    """The caller id in E.164, or "" when it is not a valid number (anonymous, internal)."""
    try:
        return normalize_phone(raw)
    except InvalidPhoneNumber:
        return ""


def customers_by_phones(phones: Iterable[str]) -> dict[str, int]:
    """{E.164 phone: customer id} (the oldest customer when several share a number)."""
    wanted = {p for p in phones if p}
    if not wanted:
        return {}
    found: dict[str, int] = {}
    rows = Customer.objects.filter(phone__in=wanted).order_by("-id").values_list("phone", "pk")
    for phone, pk in rows:
        found[phone] = pk
    return found
