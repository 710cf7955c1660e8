"""The durable outbox: every outgoing chat call is a row until done; delayed, never dropped."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from bot.domain.models import OutboxMessage, OutboxStatus
from bot.domain.notices import Notice

logger = logging.getLogger(__name__)

POST_CARD, UPDATE_CARD, THREAD, DIRECT = "post_card", "update_card", "thread", "direct"
GRAPH_REPLY, GRAPH_MODERATE = "graph_reply", "graph_moderate"
REPORT = "report"
GRAPH_OPS = {GRAPH_REPLY: ("reply", "reply_id"), GRAPH_MODERATE: ("moderate", "removal_id")}
LEASE = timedelta(seconds=120)
LANES = 4
MAX_BACKOFF = timedelta(minutes=5)
BATCH = 50


def enqueue(
    session: Session,
    *,
    op: str,
    now: datetime,
    case_id: int | None = None,
    target: str | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Add an outgoing call to the outbox (in the caller's transaction)."""
    row = OutboxMessage(
        op=op,
        case_id=case_id,
        target=target,
        payload=payload or {},
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row


def enqueue_notice(
    session: Session,
    notice: Notice,
    *,
    now: datetime,
    channel: str | None,
    broadcast: bool = False,
    person_id: str | None = None,
) -> None:
    """Queue a thread line (or, with person_id, a direct message) about a case."""
    payload = {"notice": notice.to_payload(), "broadcast": broadcast, "person_id": person_id}
    op = DIRECT if person_id else THREAD
    # A direct message waits only for its own conversation after a 429, not the channel's.
    target = f"dm:{person_id}" if person_id else channel
    enqueue(session, op=op, now=now, case_id=notice.case_id, target=target, payload=payload)


def pending_summary(session: Session, now: datetime) -> dict[str, Any]:
    """How many outgoing calls wait, how old the oldest is, and how many failed for good."""
    count, first = session.exec(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
    ).one()
    failed = session.exec(
        select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED)
    ).one()
    oldest = (now - first).total_seconds() if first else 0.0
    return {"pending": int(count), "oldest_seconds": round(oldest, 1), "failed": int(failed)}
