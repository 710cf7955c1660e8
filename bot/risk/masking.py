"""Mask personal data before a text is shown in a chat channel."""

from __future__ import annotations

import re

from bot.risk.pii import PiiDetector, PiiMatch

_AREA_SEP = re.compile(r"^(\+ ?46[ \-]?(?:\(0\)[ \-]?)?\d{1,3}|\(?0\d{1,3}\)?)[ \-/]")


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


def mask_match(match: PiiMatch) -> str:
    """The masked form of one match, e.g. "811218-****" or "070-*** ** **"."""
    s = match.text
    if match.kind in ("personnummer", "samordningsnummer"):
        cut = len(s) - 4
        return s[:cut] + "****"
    if match.kind == "phone":
        sep = _AREA_SEP.match(s)
        if sep:
            keep = sep.end(1)
        else:
            keep = 3 if s.startswith("0") else (s.index("46") + 4 if "46" in s else 3)
        return s[:keep] + re.sub(r"\d", "*", s[keep:])
    if match.kind == "email":
        local, domain = s.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if match.kind == "address":
        return re.sub(r"\d+\s?[A-Ha-h]?$", lambda m: "*" * len(m.group().strip()), s)
    return "*" * len(s)
