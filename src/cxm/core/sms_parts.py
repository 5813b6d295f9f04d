"""How many SMS parts a text costs, per 3GPP TS 23.038 (alphabets) and TS 23.040 (concatenation).

A text that fits the GSM 7-bit default alphabet (with its extension table, whose characters
cost two septets) travels as GSM-7: 160 septets in one SMS, 153 per part when concatenated
(the 6-byte user data header takes 7 septets). Anything else — Persian, Arabic, Hungarian
"ő"/"ű", emoji — forces UCS-2: 70 UTF-16 code units in one SMS, 67 per part. A character is
never split between two parts (an extension escape pair, a surrogate pair), so the count is
done by filling parts, not by dividing lengths.
"""

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (escape 0x1B left out: it is not a character a text can contain).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each of these is sent as ESC + character, two septets.
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")

SINGLE_LIMIT: dict[Encoding, int] = {"GSM-7": 160, "UCS-2": 70}
PART_LIMIT: dict[Encoding, int] = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class SmsParts:
    """The encoding a text needs, its length in that encoding's units and the parts it costs."""

    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    parts: int


def sms_encoding(text: str) -> Encoding:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        return "GSM-7"
    return "UCS-2"


def _unit_costs(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]  # astral characters: surrogate pair


def count_sms_parts(text: str) -> SmsParts:
    """Count the SMS parts `text` is sent as; an empty text is 0 parts (nothing to send)."""
    encoding = sms_encoding(text)
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    if units == 0:
        return SmsParts(encoding, 0, 0)
    if units <= SINGLE_LIMIT[encoding]:
        return SmsParts(encoding, units, 1)
    capacity = PART_LIMIT[encoding]
    parts, used = 1, 0
    for cost in costs:
        if used + cost > capacity:  # the character does not fit: it starts the next part
            parts, used = parts + 1, 0
        used += cost
    return SmsParts(encoding, units, parts)
