"""The customer-360 timeline extension point.

Each capability (surveys, cases, calls, loyalty …) registers a provider, a function that
returns that capability's events for one customer. The customer page merges them by time:

    @timeline_provider("cases")
    def case_events(customer, *, limit): ...

Providers read their own tables, so nothing is copied into a shared event table.
"""

import datetime as dt
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

TimelineProvider = Callable[..., Iterable["TimelineEvent"]]
_providers: dict[str, TimelineProvider] = {}


@dataclass(frozen=True, order=True)
class TimelineEvent:
    """One thing that happened to a customer. `title` is already translated."""

    at: dt.datetime
    kind: str = field(compare=False)
    title: str = field(compare=False)
    body: str = field(default="", compare=False)
    url: str = field(default="", compare=False)
    source: str = field(default="", compare=False)
    data: dict[str, Any] = field(default_factory=dict, compare=False)


def timeline_provider(name: str) -> Callable[[TimelineProvider], TimelineProvider]:
    """Register `func(customer, *, limit) -> Iterable[TimelineEvent]` under `name`."""

    def register(func: TimelineProvider) -> TimelineProvider:
        _providers[name] = func
        return func

    return register


def registered_providers() -> dict[str, TimelineProvider]:
    return dict(_providers)


def customer_timeline(
    customer: Any, *, limit: int = 100, sources: Iterable[str] | None = None
) -> list[TimelineEvent]:
    """The newest `limit` events of every (or the named) provider, newest first.

    Hides one query per provider.
    """
    wanted = set(sources) if sources is not None else None
    streams = []
    for name, provider in _providers.items():
        if wanted is not None and name not in wanted:
            continue
        events = sorted(provider(customer, limit=limit), key=lambda e: e.at, reverse=True)
        streams.append([_with_source(e, name) for e in events])
    merged = heapq.merge(*streams, key=lambda e: e.at, reverse=True)
    return [event for _, event in zip(range(limit), merged, strict=False)]


def _with_source(event: TimelineEvent, name: str) -> TimelineEvent:
    if event.source:
        return event
    return TimelineEvent(
        at=event.at,
        kind=event.kind,
        title=event.title,
        body=event.body,
        url=event.url,
        source=name,
        data=event.data,
    )
