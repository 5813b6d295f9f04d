"""IMAP polling: unseen e-mails of a mailbox → cases, through the webhook's path.

`fetch_mail()` connects with the settings `CXM_IMAP_HOST/PORT/USER/PASSWORD/FOLDER/SSL`,
reads each UNSEEN message without marking it (BODY.PEEK[]), records it
(`inbound.receive_email`, which commits), and only then sets `\\Seen`. A message that cannot
be read or recorded is logged and left unseen (it is tried again on the next run) and the
others go on. A message recorded but not marked (the connection dropped) comes back next
time and is recognised by its Message-ID, so nothing is recorded twice.

The client is built by `connect()`; tests pass `client_factory` (or replace `connect`) with a
fake, so no network is needed.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 200  # messages per run; the rest wait for the next run
TIMEOUT_S = 60


class ImapError(Exception):
    """The mailbox could not be opened or searched."""


class ImapClient(Protocol):
    """The part of `imaplib.IMAP4` used here."""

    def login(self, user: str, password: str) -> tuple[str, list[Any]]: ...

    def select(self, mailbox: str = ..., readonly: bool = ...) -> tuple[str, list[Any]]: ...

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]: ...

    def logout(self) -> tuple[str, list[Any]]: ...


ClientFactory = Callable[[], ImapClient]


def connect() -> ImapClient:
    """A connection to the configured server (TLS unless CXM_IMAP_SSL is off), not logged in."""
    host, port = settings.CXM_IMAP_HOST, settings.CXM_IMAP_PORT
    if settings.CXM_IMAP_SSL:
        return imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT_S
        )
    return imaplib.IMAP4(host, port, timeout=TIMEOUT_S)


@dataclass
class FetchReport:
    unseen: int = 0
    recorded: int = 0  # new messages recorded on a case
    duplicates: int = 0  # recorded before (marked seen now)
    failed: list[str] = field(default_factory=list)  # uids left unseen

    def as_dict(self) -> dict[str, Any]:
        return {
            "unseen": self.unseen,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "failed": len(self.failed),
        }


def _message_bytes(data: list[Any]) -> bytes:
    """The message in a `UID FETCH … (BODY.PEEK[])` answer."""
    for item in data or []:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    raise ValueError("The server sent no message body.")


def fetch_unseen(
    *,
    handle: Callable[[bytes], Any],
    client_factory: ClientFactory | None = None,
    limit: int = DEFAULT_LIMIT,
) -> FetchReport:
    """Give each unseen message's bytes to `handle`, then mark it seen. `handle` returns
    something with a `duplicate` attribute (or anything); its exceptions skip the message."""
    report = FetchReport()
    client = (client_factory or connect)()
    try:
        status, _data = client.login(settings.CXM_IMAP_USER, settings.CXM_IMAP_PASSWORD)
        if status != "OK":
            raise ImapError(f"IMAP login refused: {status}")
        status, _data = client.select(settings.CXM_IMAP_FOLDER or "INBOX")
        if status != "OK":
            raise ImapError(f"IMAP folder {settings.CXM_IMAP_FOLDER!r} cannot be opened")
        status, data = client.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise ImapError("IMAP search for unseen messages failed")
        uids = [u.decode() if isinstance(u, bytes) else str(u) for u in (data[0] or b"").split()]
        report.unseen = len(uids)
        for uid in uids[:limit]:
            try:
                status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
                if status != "OK":
                    raise ValueError(f"FETCH answered {status}")
                result = handle(_message_bytes(data))
            except Exception:
                logger.exception("Inbound e-mail (IMAP uid %s) was not recorded; left unseen", uid)
                report.failed.append(uid)
                continue
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            if getattr(result, "duplicate", False):
                report.duplicates += 1
            else:
                report.recorded += 1
    finally:
        try:
            client.logout()
        except Exception:  # the session is over either way
            logger.debug("IMAP logout failed", exc_info=True)
    return report


def fetch_mail(
    *, client_factory: ClientFactory | None = None, limit: int = DEFAULT_LIMIT
) -> FetchReport:
    """Unseen e-mails of the configured mailbox → cases."""
    from cxm.integrations.email.inbound import parse_raw, receive_email

    return fetch_unseen(
        handle=lambda raw: receive_email(parse_raw(raw)),
        client_factory=client_factory,
        limit=limit,
    )
