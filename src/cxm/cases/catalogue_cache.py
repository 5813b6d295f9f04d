"""A per-process cache of what every new case reads: routing rules, SLA policies, default
statuses and each team's agent roster (profiles, skills, languages).

They change rarely and are read for each of thousands of inbound messages an hour; caching
them takes a dozen queries off each new case. A save or delete of any of these models (or a
change of their many-to-many links) in this process clears the cache at once; other
processes see the change within `TTL_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models.signals import m2m_changed, post_delete, post_save

TTL_SECONDS = 30.0
T = TypeVar("T")

_lock = threading.Lock()
_store: dict[str, tuple[float, Any]] = {}


def cached(name: str, load: Callable[[], T]) -> T:
    """`load()` at most once per TTL per process (per `name`)."""
    now = time.monotonic()
    hit = _store.get(name)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    value = load()
    with _lock:
        _store[name] = (now, value)
    return value


def clear(*args: Any, **kwargs: Any) -> None:
    with _lock:
        _store.clear()


def connect() -> None:
    """Clear on any change of the cached models (called from the app's ready())."""
    from cxm.accounts.models import Team, User
    from cxm.cases import models

    watched = [
        models.RoutingRule,
        models.SlaPolicy,
        models.CaseStatus,
        models.CaseType,
        models.AgentProfile,
        Team,
        User,
    ]
    for model in watched:
        post_save.connect(clear, sender=model, dispatch_uid=f"cases.cache.save.{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"cases.cache.del.{model.__name__}")
    for through in (
        models.RoutingRule.case_types.through,
        models.RoutingRule.channels.through,
        models.RoutingRule.topics.through,
        models.SlaPolicy.channels.through,
        models.SlaPolicy.case_types.through,
        models.AgentProfile.topics.through,
        models.AgentProfile.case_types.through,
    ):
        m2m_changed.connect(
            clear, sender=through, dispatch_uid=f"cases.cache.m2m.{through.__name__}"
        )
    from cxm.sla.models import Holiday, WorkingCalendar

    for model in (WorkingCalendar, Holiday):
        post_save.connect(clear, sender=model, dispatch_uid=f"cases.cache.save.{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"cases.cache.del.{model.__name__}")
