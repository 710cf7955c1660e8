"""The outbox worker: claims due rows, delivers them through the chat and Graph ports, and
retries later what fails; several workers (web and clock) never send a row twice."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.domain.case_view import load_case_view
from bot.domain.meta_actions import deliver_moderation, deliver_reply, report_failure
from bot.domain.models import ChatMessageRef, OutboxMessage, OutboxStatus, utcnow
from bot.domain.notices import Notice
from bot.domain.outbox import (
    BATCH,
    DIRECT,
    GRAPH_OPS,
    GRAPH_REPLY,
    LANES,
    LEASE,
    MAX_BACKOFF,
    POST_CARD,
    REPORT,
    THREAD,
    UPDATE_CARD,
)
from bot.domain.policy import Person, Policy
from bot.domain.ports import (
    ChatPort,
    DeliveryError,
    GraphPort,
    MessageRef,
    PermanentDeliveryError,
)

logger = logging.getLogger(__name__)


class _NotReady(Exception):
    """The row depends on a card that is not posted yet."""


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(max(attempts - 1, 0), 10)), MAX_BACKOFF)


class OutboxWorker:
    """Delivers due outbox rows through a chat port; safe to run in several processes."""

    def __init__(
        self,
        engine: Engine,
        port: ChatPort,
        policy: Policy,
        clock: Callable[[], datetime] = utcnow,
        graph: GraphPort | None = None,
    ) -> None:
        self.engine = engine
        self.port = port
        self.policy = policy
        self.clock = clock
        self.graph = graph
        self.wake = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=LANES, thread_name_prefix="outbox")
        self.worker_id = uuid.uuid4().hex[:16]
        # After a 429 nothing more goes to that channel (or DM) before this moment.
        self._hold: dict[str, datetime] = {}
        self._hold_lock = threading.Lock()

    def _require_card(self, session: Session, case_id: int) -> NoReturn:
        """Raise when a case's card failed for good (its thread lines can never be posted)."""
        failed = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.case_id == case_id,
                                           OutboxMessage.op == POST_CARD,
                                           OutboxMessage.status == OutboxStatus.FAILED)
        ).first()
        if failed is not None:
            raise PermanentDeliveryError("the case's card could not be posted")
        raise _NotReady

    def _card_ref(self, session: Session, case_id: int) -> MessageRef | None:
        ref = session.exec(
            select(ChatMessageRef).where(
                ChatMessageRef.case_id == case_id, ChatMessageRef.platform == self.port.platform
            )
        ).first()
        return MessageRef(ref.platform, ref.channel, ref.message_id) if ref else None

    def _deliver(self, session: Session, row: OutboxMessage) -> None:
        case_id = row.case_id
        ref = self._card_ref(session, case_id) if case_id is not None else None
        if row.op == POST_CARD and case_id is not None:
            view = load_case_view(session, case_id, self.policy, self.clock())
            if ref is not None:  # posted before a crash lost the row's state
                self.port.update_card(ref, view)
                return
            new_ref = self.port.post_card(row.target or "", view)
            session.add(
                ChatMessageRef(
                    case_id=case_id,
                    platform=new_ref.platform,
                    channel=new_ref.channel,
                    message_id=new_ref.message_id,
                )
            )
        elif row.op == UPDATE_CARD and case_id is not None:
            if ref is None:
                self._require_card(session, case_id)
            self.port.update_card(ref, load_case_view(session, case_id, self.policy, self.clock()))
        elif row.op == THREAD:
            if ref is None:
                self._require_card(session, row.case_id or 0)
            notice = Notice.from_payload(row.payload["notice"])
            self.port.post_in_thread(ref, notice, broadcast=bool(row.payload.get("broadcast")))
        elif row.op == DIRECT:
            self._direct(row, ref)
        elif row.op in GRAPH_OPS:
            self._graph(session, row)
        elif row.op == REPORT:
            self._report_delivery(session, row)
        else:
            raise ValueError(f"unknown outbox op {row.op!r}")

    def _direct(self, row: OutboxMessage, ref: MessageRef | None) -> None:
        person = self.policy.person(str(row.payload.get("person_id")))
        chat_user = row.payload.get("chat_user")
        if person is None and chat_user:
            person = Person(id=str(chat_user), name=str(chat_user), slack_id=str(chat_user))
        if person is None:
            logger.warning("outbox %s: person no longer in the policy; skipped", row.id)
            return
        self.port.send_direct(person, Notice.from_payload(row.payload["notice"]), card=ref)

    def _report_delivery(self, session: Session, row: OutboxMessage) -> None:
        from bot.reporting.delivery import render_weekly

        text, chart, filename = render_weekly(
            session,
            policy=self.policy,
            start=datetime.fromisoformat(row.payload["start"]),
            end=datetime.fromisoformat(row.payload["end"]),
        )
        self.port.post_report(row.target or "", text, chart, filename)

    def _graph(self, session: Session, row: OutboxMessage) -> None:
        if self.graph is None:
            raise PermanentDeliveryError("no Meta access token is configured")
        if row.op == GRAPH_REPLY:
            deliver_reply(
                session, self.graph, reply_id=int(row.payload["reply_id"]), now=self.clock()
            )
        else:
            deliver_moderation(
                session, self.graph, removal_id=int(row.payload["removal_id"]), now=self.clock()
            )

    def _claim_due(self, now: datetime) -> list[tuple[int, int | None]]:
        """Claim up to BATCH due rows in one statement; another worker gets none of them."""
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
            )
            .order_by(col(OutboxMessage.id))
            .limit(BATCH)
        )
        if self.engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)  # two workers claim different rows
        with Session(self.engine) as session:
            claimed = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id).in_(due.scalar_subquery()),
                    col(OutboxMessage.status) == OutboxStatus.PENDING,
                    col(OutboxMessage.next_attempt_at) <= now,
                )
                .values(next_attempt_at=now + LEASE, attempts=OutboxMessage.attempts + 1,
                        claimed_by=self.worker_id)
                .returning(col(OutboxMessage.id), col(OutboxMessage.case_id))
                .execution_options(synchronize_session=False)
            ).all()
            session.commit()
        return sorted((int(row_id), case_id) for row_id, case_id in claimed)

    def _renew(self, session: Session, row_id: int) -> bool:
        """Start a fresh lease right before sending; False when another worker took the row."""
        result = session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row_id,
                   col(OutboxMessage.claimed_by) == self.worker_id,
                   col(OutboxMessage.status) == OutboxStatus.PENDING)
            .values(next_attempt_at=self.clock() + LEASE)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return bool(result.rowcount == 1)

    def _held_until(self, target: str | None) -> datetime | None:
        if not target:
            return None
        with self._hold_lock:
            until = self._hold.get(target)
        return until if until is not None and until > self.clock() else None

    def _delay_target(self, session: Session, target: str | None, until: datetime) -> None:
        if target:
            with self._hold_lock:
                self._hold[target] = max(until, self._hold.get(target, until))
        if target:  # a 429 is per channel: everything queued for it waits as long
            session.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.target) == target,
                    col(OutboxMessage.status) == OutboxStatus.PENDING,
                    col(OutboxMessage.next_attempt_at) < until,
                )
                .values(next_attempt_at=until)
            )

    def _report(self, session: Session, row: OutboxMessage, reason: str) -> None:
        if row.op in GRAPH_OPS and row.case_id is not None:
            what, key = GRAPH_OPS[row.op]
            record_id = row.payload.get(key)
            report_failure(
                session,
                case_id=row.case_id,
                what=what,
                reason=reason,
                record_id=int(record_id) if record_id is not None else None,
                now=self.clock(),
            )
            self.wake.set()

    def run_once(self) -> int:
        """Deliver what is due now; returns how many rows were completed.

        Rows are spread over lanes by case, so one slow call does not hold up other cases,
        while the messages of one case keep their order.
        """
        claimed_at = self.clock()
        claimed = self._claim_due(claimed_at)
        lanes: dict[int, list[int]] = {}
        for row_id, case_id in claimed:
            lanes.setdefault((case_id if case_id is not None else row_id) % LANES, []).append(
                row_id
            )
        if len(lanes) <= 1:
            return sum(self._run_lane(ids, claimed_at) for ids in lanes.values())
        return sum(self._pool.map(lambda ids: self._run_lane(ids, claimed_at), lanes.values()))

    def _run_lane(self, row_ids: list[int], claimed_at: datetime) -> int:
        done = 0
        blocked: dict[int, datetime] = {}
        # Rows are read back only by refresh() after a renewal; reloading each after commit
        # would cost a query per message.
        with Session(self.engine, expire_on_commit=False) as session:
            for row_id in row_ids:
                row = session.get(OutboxMessage, row_id)
                if row is None:
                    continue
                wait = blocked.get(row.case_id or -1) or self._held_until(row.target)
                if wait is not None:  # behind the case's earlier message, or a 429
                    row.next_attempt_at, row.attempts = wait, row.attempts - 1
                    session.add(row)
                    session.commit()
                    if row.case_id is not None:
                        blocked[row.case_id] = wait
                    continue
                # Renew only once half the lease has gone (a slow lane): a row is never sent
                # by a worker whose lease another worker could already have taken over.
                if self.clock() - claimed_at > LEASE / 2:
                    if not self._renew(session, row_id):
                        continue
                    session.refresh(row)
                done += self._attempt(session, row, blocked)
        return done

    def _attempt(self, session: Session, row: OutboxMessage, blocked: dict[int, datetime]) -> int:
        now = self.clock()
        try:
            self._deliver(session, row)
        except _NotReady:
            row.next_attempt_at, row.attempts = now + timedelta(seconds=1), row.attempts - 1
        except PermanentDeliveryError as exc:
            session.rollback()
            row = session.get(OutboxMessage, row.id) or row
            row.status, row.last_error = OutboxStatus.FAILED, exc.reason[:500]
            self._report(session, row, exc.reason)
            logger.error("outbox %s %s failed for good: %s", row.id, row.op, exc.reason)
        except DeliveryError as exc:
            wait = (
                timedelta(seconds=exc.retry_after)
                if exc.retry_after is not None
                else _backoff(row.attempts)
            )
            row.next_attempt_at, row.last_error = now + wait, exc.reason[:500]
            if exc.retry_after is not None:
                self._delay_target(session, row.target, now + wait)
            logger.warning(
                "outbox %s %s delayed %ss: %s",
                row.id,
                row.op,
                int(wait.total_seconds()),
                exc.reason,
            )
        except Exception as exc:
            row.next_attempt_at = now + _backoff(row.attempts)
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            logger.exception("outbox %s %s failed; will retry", row.id, row.op)
        else:
            row.status, row.done_at, row.last_error = OutboxStatus.DONE, now, None
        session.add(row)
        session.commit()
        if row.status == OutboxStatus.PENDING and row.case_id is not None:
            blocked[row.case_id] = row.next_attempt_at  # keep a case's messages in order
        return int(row.status == OutboxStatus.DONE)

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Deliver until stopped, waking early when something was enqueued."""
        while not stop.is_set():
            try:
                while self.run_once():
                    pass
            except Exception:
                logger.exception("outbox worker pass failed")
            self.wake.wait(poll_seconds)
            self.wake.clear()
