"""Mask personal data before a text is shown in a chat channel."""

from __future__ import annotations

from bot.risk.pii import PiiDetector, mask_match


def mask_personal_data(text: str, detector: PiiDetector | None = None) -> str:
    """Mask personnummer, phone numbers, e-mail and home addresses ("811218-****")."""
    if detector is None:
        from bot.risk import default_engine

        detector = default_engine().pii_detector
    pieces: list[str] = []
    pos = 0
    for match in detector.find(text):
        if match.start < pos or (match.kind == "address" and not match.cued):
            continue
        pieces.append(text[pos : match.start])
        pieces.append(mask_match(match))
        pos = match.end
    pieces.append(text[pos:])
    return "".join(pieces)
