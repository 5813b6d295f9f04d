"""A small fixed-window limiter on Django's cache, for public survey submissions.

Keyed by a hash of the client address (the address itself is never stored) and the survey,
so one busy office behind one address cannot flood a survey, and other surveys stay open.
The cache is shared between workers (the database cache by default, or `CACHE_URL`).
Behind a reverse proxy, list it in `CXM_TRUSTED_PROXIES` so that the client's address is
read from `X-Forwarded-For`.
"""

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

SUBMISSIONS_PER_WINDOW = 20
WINDOW_SECONDS = 600


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _trusted(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy
    (`CXM_TRUSTED_PROXIES`); then the nearest address in `X-Forwarded-For` that is not a
    trusted proxy. A client cannot spoof it by sending its own X-Forwarded-For, since only
    the hops appended by trusted proxies are skipped."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    networks = _networks(tuple(getattr(settings, "CXM_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, networks):
            return hop
    return peer


def ip_hash(ip: str) -> str:
    """A keyed hash of an address: comparable, not reversible without the secret key."""
    return salted_hmac("cxm.surveys.ip", ip).hexdigest()[:32]


@dataclass(frozen=True)
class SubmissionLimiter:
    survey_id: int
    client: str  # ip_hash
    limit: int = SUBMISSIONS_PER_WINDOW
    window: int = WINDOW_SECONDS

    @property
    def _key(self) -> str:
        return f"cxm:survey-submit:{self.survey_id}:{self.client}"

    def hit(self) -> bool:
        """Count one submission; False when the window's limit is already used up."""
        if cache.add(self._key, 1, timeout=self.window):
            return True
        try:
            count = cache.incr(self._key)
        except ValueError:  # expired between add and incr
            cache.add(self._key, 1, timeout=self.window)
            return True
        return count <= self.limit
