"""Hide or remove a comment: save content, sender and time with a hash first, then call Meta."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.domain import outbox
from bot.domain.models import CaseEvent, Item, RemovalRecord

logger = logging.getLogger(__name__)


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 over a canonical JSON form, so the saved copy can be shown to be unchanged."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshot_of(item: Item) -> dict[str, Any]:
    """What is saved of an item before removal: content, sender, time, where."""
    return {
        "platform": item.platform, "external_id": item.external_id, "text": item.text,
        "author_id": item.author_id, "author_name": item.author_name,
        "created_at": item.created_at.isoformat(), "permalink": item.permalink,
    }


def request_moderation(
    session: Session, *, case_id: int, item: Item, operation: str, reason: str,
    note: str | None, actor: str, now: datetime,
) -> RemovalRecord:
    """Save the record of what will be removed, then queue the Graph call (same transaction)."""
    if operation not in ("hide", "remove"):
        raise ValueError(f"unknown operation {operation!r}")
    snapshot = snapshot_of(item)
    record = RemovalRecord(
        case_id=case_id, item_id=item.id or 0, action=operation, reason=reason, note=note,
        content=item.text, author_id=item.author_id, author_name=item.author_name,
        created_at=item.created_at, permalink=item.permalink, sha256=content_hash(snapshot),
        requested_by=actor, requested_at=now,
    )
    session.add(record)
    session.flush()
    session.add(CaseEvent(case_id=case_id, at=now, kind="saved_before_removal", actor=actor,
                          platform="system", details={"removal_id": record.id,
                                                      "sha256": record.sha256}))
    outbox.enqueue(session, op=outbox.GRAPH_MODERATE, now=now, case_id=case_id,
                   target=f"meta:{item.account_external_id}", payload={"removal_id": record.id})
    return record
