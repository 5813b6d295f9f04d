"""Small HTTP helpers shared by the gateway adapters (built on httpx)."""

import email.utils
import time

import httpx

# Errors raised before the request reached the provider: retrying cannot send twice.
# A read timeout is not one of them: the provider may have sent the message already.
NOT_DELIVERED_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


def redact(text: str, *secrets: str) -> str:
    """Hide API keys and tokens from text that may end up in logs or delivery records."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def describe_transport_error(exc: httpx.TransportError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
