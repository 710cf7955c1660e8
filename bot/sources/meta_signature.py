"""Meta's X-Hub-Signature-256 check, over the raw body bytes exactly as received."""

from __future__ import annotations

import hashlib
import hmac


def verify_meta_signature(raw: bytes, header: str | None, secret: bytes) -> bool:
    """True when the header is a valid sha256 HMAC of the raw body with the app secret."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret, raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def verify_challenge_token(given: str, expected: str) -> bool:
    """True when the handshake token matches a configured, non-empty verify token."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
