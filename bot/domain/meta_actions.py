"""Outbox deliveries that call Meta: post a reply, save a fresh copy then hide or delete."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain import outbox
from bot.domain.models import Case, CaseEvent, Item, OutgoingReply, RemovalRecord
from bot.domain.moderation import content_hash
from bot.domain.notices import DELIVERY_FAILED, MODERATED, REPLY_POSTED, Notice
from bot.domain.ports import GraphPort, PermanentDeliveryError


def _item_and_case(session: Session, case_id: int) -> tuple[Item, Case]:
    case = session.get(Case, case_id)
    item = session.get(Item, case.item_id) if case else None
    assert case is not None and item is not None
    return item, case


def deliver_reply(session: Session, graph: GraphPort, *, reply_id: int, now: datetime) -> None:
    """Post a drafted reply as a comment reply (or a DM answer), and keep its id."""
    reply = session.get(OutgoingReply, reply_id)
    assert reply is not None
    if reply.posted_at is not None:
        return  # posted before a crash lost the outbox row's state
    item, case = _item_and_case(session, reply.case_id)
    if item.kind == "dm":
        if not item.author_id:
            raise PermanentDeliveryError("the message has no sender to answer")
        external_id = graph.send_message(item.account_external_id, item.author_id, reply.text)
    else:
        external_id = graph.reply(item.account_external_id, item.external_id, reply.text,
                                  item.platform)
    reply.posted_at, reply.external_id = now, external_id
    session.add(reply)
    session.add(CaseEvent(case_id=reply.case_id, at=now, kind="replied", platform="meta",
                          details={"reply_id": reply.id, "external_id": external_id}))
    outbox.enqueue_notice(session, Notice(REPLY_POSTED, reply.case_id, {
        "platform": item.platform.capitalize()}), now=now, channel=case.channel)


def deliver_moderation(session: Session, graph: GraphPort, *, removal_id: int,
                       now: datetime) -> None:
    """Fetch a fresh copy (kept with its hash), then hide or delete the comment."""
    record = session.get(RemovalRecord, removal_id)
    assert record is not None
    if record.done_at is not None:
        return
    item, case = _item_and_case(session, record.case_id)
    if record.fresh_copy is None:
        try:
            fresh = graph.fetch_comment(item.account_external_id, item.external_id,
                                        item.platform)
        except PermanentDeliveryError:
            fresh = {}  # gone already: our stored copy is the record
        record.fresh_copy, record.fresh_sha256 = fresh, content_hash(fresh) if fresh else None
        session.add(record)
        session.commit()  # the copy is saved before anything is removed
    if record.action == "hide":
        graph.hide(item.account_external_id, item.external_id, item.platform)
        item.hidden = True
    else:
        graph.delete(item.account_external_id, item.external_id)
        item.removed_at = item.removed_at or now
    record.done_at = now
    session.add_all([record, item])
    session.add(CaseEvent(case_id=record.case_id, at=now, kind="moderated", platform="meta",
                          actor=record.requested_by,
                          details={"operation": record.action, "reason": record.reason,
                                   "sha256": record.sha256}))
    outbox.enqueue(session, op=outbox.UPDATE_CARD, now=now, case_id=case.id, target=case.channel)
    outbox.enqueue_notice(session, Notice(MODERATED, record.case_id, {
        "operation": record.action, "sha256": record.sha256}), now=now, channel=case.channel)


def report_failure(session: Session, *, case_id: int, what: str, record_id: int | None,
                   reason: str, now: datetime) -> None:
    """A Meta call that cannot succeed: keep the reason and tell the team in the thread."""
    case = session.get(Case, case_id)
    assert case is not None
    model = OutgoingReply if what == "reply" else RemovalRecord
    record = session.get(model, record_id) if record_id is not None else None
    if record is not None:
        record.error = reason[:500]
        session.add(record)
    session.add(CaseEvent(case_id=case_id, at=now, kind="delivery_failed", platform="meta",
                          details={"what": what, "reason": reason}))
    outbox.enqueue_notice(session, Notice(DELIVERY_FAILED, case_id, {
        "what": what, "reason": reason}), now=now, channel=case.channel)

