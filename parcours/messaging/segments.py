"""How many SMS segments a text takes: GSM 03.38 7-bit alphabet, or UCS-2 for anything else.

3GPP TS 23.038: a single GSM-7 SMS holds 160 septets, 153 per segment once concatenated (the
user data header takes 7); characters of the extension table (€, [, ], {, }, \\, ^, ~, |)
take two septets. A text with any other character is sent in UCS-2: 70 characters alone,
67 per concatenated segment (characters outside the basic plane take two UTF-16 units).
"""

from dataclasses import dataclass

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("\f^{}\\[~]|€")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def count_segments(text: str) -> SegmentCount:
    """The encoding an SMS gateway will choose for `text` and the number of segments."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        units = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, part, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SegmentCount(encoding, units, 1 if units else 0)
    return SegmentCount(encoding, units, -(-units // part))
