"""Items from JSON Lines, for other sources and the console: one object a line."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from bot.sources.meta_parse import NEW, IncomingItem


class LineError(ValueError):
    """A line that is not a usable item; the message says why."""


def parse_item_line(line: str, *, default_account: str = "111") -> IncomingItem:
    """Read {"text", and optionally "id", "platform", "account", "author", "created_at"}."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"]:
        raise LineError("expected an object with a non-empty \"text\"")
    platform = str(data.get("platform") or "facebook")
    if platform not in ("facebook", "instagram"):
        raise LineError(f"unknown platform {platform!r}")
    external_id = str(data.get("id") or hashlib.sha256(line.encode()).hexdigest()[:24])
    created = data.get("created_at")
    try:
        created_at = datetime.fromisoformat(created) if created else None
    except ValueError as exc:
        raise LineError(f"created_at is not an ISO time: {created!r}") from exc
    if created_at is not None and created_at.tzinfo is None:
        raise LineError("created_at must carry a time zone, e.g. 2026-11-21T10:00:00+01:00")
    return IncomingItem(
        platform=platform,
        account_external_id=str(data.get("account") or default_account),
        external_id=external_id,
        verb=NEW,
        kind=str(data.get("kind") or "comment"),
        text=data["text"],
        author_name=data.get("author"),
        author_id=data.get("author_id"),
        created_at=created_at,
        permalink=data.get("permalink"),
        raw=data,
    )
