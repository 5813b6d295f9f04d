"""Inbound e-mail: a raw RFC 822 message or a provider's JSON → `ParsedEmail` → a case.

Parsing uses the standard library's `email` package (policy=default); HTML bodies are
sanitised with nh3 (basic formatting kept; scripts, styles, event handlers, images and
`javascript:` links removed). `receive_email` hands the result to `cxm.cases.inbound`,
the same path for the webhook and for IMAP polling.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

import nh3

if TYPE_CHECKING:
    from cxm.cases.inbound import InboundResult

HTML_MAX_CHARS = 500_000  # a sanitised body larger than this is dropped; the text stays
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang"},
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class EmailParseError(ValueError):
    """The input is not an e-mail we can read (the message says why)."""


@dataclass(frozen=True, kw_only=True)
class EmailAttachment:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, kw_only=True)
class ParsedEmail:
    message_id: str  # without angle brackets
    from_address: str
    from_name: str
    subject: str
    text: str
    html: str  # sanitised
    references: tuple[str, ...]  # References then In-Reply-To, without angle brackets
    language: str = ""
    attachments: tuple[EmailAttachment, ...] = ()


def sanitize_html(html: str) -> str:
    """Basic formatting only: no scripts, styles, event handlers, images or unsafe links."""
    if not html or not html.strip():
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "title", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
    return cleaned if len(cleaned) <= HTML_MAX_CHARS else ""


def message_ids(value: Any) -> tuple[str, ...]:
    """The ids in a References / In-Reply-To value (a string or a list), brackets removed."""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value if v)
    text = str(value or "")
    found = _MESSAGE_ID.findall(text)
    if not found:  # some providers send the ids bare, separated by spaces or commas
        found = [part for part in re.split(r"[\s,]+", text) if part]
    return tuple(item.strip("<>") for item in found if item.strip("<>"))


def _address(value: str) -> tuple[str, str]:
    """(address, display name) of the first mailbox in a From value."""
    pairs = getaddresses([value or ""])
    for name, address in pairs:
        if address and "@" in address:
            return address.strip(), name.strip()
    return "", ""


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a malformed header may fail to parse; treat it as missing
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _from(msg: EmailMessage) -> tuple[str, str]:
    try:
        header = msg.get("From")
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
        for item in addresses:
            if item.addr_spec and "@" in item.addr_spec:
                return item.addr_spec, item.display_name or ""
    except Exception:  # noqa: S110 (a malformed From: fall back to the raw text)
        pass
    return _address(_header(msg, "From"))


def _text_of(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        content = raw.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else ""


def _leaves(part: EmailMessage) -> Iterator[EmailMessage]:
    """The leaf parts (an attached message counts as one leaf)."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for sub in part.iter_parts():
        yield from _leaves(sub)  # type: ignore[arg-type]


def _attachment_of(part: EmailMessage, index: int) -> EmailAttachment:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) and inner else None
        content = first.as_bytes() if isinstance(first, Message) else part.as_bytes()
    else:
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        extension = ".eml" if content_type == "message/rfc822" else ""
        extension = extension or mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{index}{extension}"
    return EmailAttachment(name=name, content=content, content_type=content_type)


def parse_raw(raw: bytes) -> ParsedEmail:
    """A raw RFC 822 message; EmailParseError when it is not one."""
    if not raw or not raw.strip():
        raise EmailParseError("The message is empty.")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:
        raise EmailParseError(f"The message cannot be parsed: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    message_id = message_ids(_header(msg, "Message-ID"))
    from_address, from_name = _from(msg)
    subject = _header(msg, "Subject")
    if not (from_address or message_id or subject):
        raise EmailParseError("Not an e-mail message: no From, Message-ID or Subject header.")
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    text = _text_of(text_part) if isinstance(text_part, EmailMessage) else ""
    html = _text_of(html_part) if isinstance(html_part, EmailMessage) else ""
    attachments: list[EmailAttachment] = []
    for part in _leaves(msg):
        if part is text_part or part is html_part:
            continue
        try:
            has_name = bool(part.get_filename())
        except Exception:
            has_name = False
        if part.get_content_maintype() == "text" and not has_name:
            continue  # an alternative rendering of the body
        attachments.append(_attachment_of(part, len(attachments) + 1))
    references = message_ids(_header(msg, "References")) + message_ids(_header(msg, "In-Reply-To"))
    return ParsedEmail(
        message_id=message_id[0] if message_id else "sha256:" + hashlib.sha256(raw).hexdigest(),
        from_address=from_address,
        from_name=from_name,
        subject=subject,
        text=text.strip(),
        html=sanitize_html(html),
        references=references,
        language=_header(msg, "Content-Language")[:8],
        attachments=tuple(attachments),
    )


def _string(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EmailParseError(f'"{key}" must be a string.')
    return value


def parse_json(data: Any) -> ParsedEmail:
    """`{"message_id", "from", "subject", "text", "html", "in_reply_to", "references",
    "attachments": [{"filename", "content_type", "content_base64"}]}`."""
    if not isinstance(data, dict):
        raise EmailParseError("The body must be a JSON object.")
    from_address, from_name = _address(_string(data, "from"))
    attachments: list[EmailAttachment] = []
    raw_attachments = data.get("attachments") or []
    if not isinstance(raw_attachments, list):
        raise EmailParseError('"attachments" must be a list.')
    for index, item in enumerate(raw_attachments, start=1):
        if not isinstance(item, dict):
            raise EmailParseError(f"Attachment {index} must be an object.")
        try:
            content = base64.b64decode(_string(item, "content_base64"), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise EmailParseError(f"Attachment {index}: content_base64 is not base64.") from exc
        attachments.append(
            EmailAttachment(
                name=_string(item, "filename") or f"attachment-{index}.bin",
                content=content,
                content_type=_string(item, "content_type") or "application/octet-stream",
            )
        )
    references = message_ids(data.get("references")) + message_ids(data.get("in_reply_to"))
    message_id = message_ids(_string(data, "message_id"))
    if not message_id:
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        message_id = ("sha256:" + hashlib.sha256(canonical).hexdigest(),)
    subject = " ".join(_string(data, "subject").split())
    text = _string(data, "text").strip()
    html = _string(data, "html")
    if not (from_address or text or html or attachments):
        raise EmailParseError("The message has no sender and no content.")
    return ParsedEmail(
        message_id=message_id[0],
        from_address=from_address,
        from_name=from_name,
        subject=subject,
        text=text,
        html=sanitize_html(html),
        references=references,
        language=_string(data, "language")[:8],
        attachments=tuple(attachments),
    )


def receive_email(parsed: ParsedEmail) -> InboundResult:
    """Record the e-mail on its case (or a new one): see `cxm.cases.inbound`."""
    from cxm.cases.inbound import InboundMessage, inbound_receive
    from cxm.cases.models import CaseSource
    from cxm.cases.services import IncomingAttachment

    return inbound_receive(
        InboundMessage(
            channel="email",
            source=CaseSource.EMAIL,
            external_id=parsed.message_id,
            body=parsed.text,
            body_html=parsed.html,
            subject=parsed.subject,
            sender_name=parsed.from_name,
            email=parsed.from_address,
            references=parsed.references,
            language=parsed.language,
            attachments=tuple(
                IncomingAttachment(name=a.name, content=a.content, content_type=a.content_type)
                for a in parsed.attachments
            ),
        )
    )
