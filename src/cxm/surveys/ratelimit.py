"""A small fixed-window limiter on Django's cache, for public survey submissions.

Keyed by a hash of the client address (the address itself is never stored) and the survey,
so one busy office behind one address cannot flood a survey, and other surveys stay open.
The cache must be shared between workers in production (Redis, Memcached or the database
cache); the local-memory cache counts per process.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

SUBMISSIONS_PER_WINDOW = 20
WINDOW_SECONDS = 600


def client_ip(request: HttpRequest) -> str:
    """The peer address. Behind a proxy, let the proxy set REMOTE_ADDR (do not trust
    X-Forwarded-For from the client)."""
    return str(request.META.get("REMOTE_ADDR") or "")


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
