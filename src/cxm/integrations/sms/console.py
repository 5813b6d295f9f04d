"""An SMS sender for development: prints the message instead of sending it."""

import logging
import sys
import uuid
from typing import TextIO

from cxm.core.phones import InvalidPhoneNumber, normalize_phone
from cxm.core.sms_parts import count_sms_parts
from cxm.integrations.base import DeliveryResult, OutboundMessage

logger = logging.getLogger(__name__)


class ConsoleSmsSender:
    """Writes each SMS to `stream` (stdout by default) and logs a one-line summary."""

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: OutboundMessage) -> DeliveryResult:
        text = message.text_with_url()
        parts = count_sms_parts(text)
        metadata = {"sms_parts": parts.parts, "sms_encoding": parts.encoding}
        try:
            to = normalize_phone(message.recipient)
        except InvalidPhoneNumber:
            to = ""
        if not to:
            return DeliveryResult.failed(f"Not a phone number: {message.recipient!r}", **metadata)
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        stream = self.stream or sys.stdout
        stream.write(
            f"--- SMS {message_id} to {to} ({parts.parts} part(s), {parts.encoding}) ---\n{text}\n"
        )
        stream.flush()
        logger.info("SMS %s to %s printed to the console (%s part(s))", message_id, to, parts.parts)
        return DeliveryResult.sent(message_id, **metadata)
