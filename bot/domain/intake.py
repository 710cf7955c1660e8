"""Everything that comes in is stored first, deduplicated, assessed, and turned into a case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.domain import outbox
from bot.domain.cases import open_case, reassessed
from bot.domain.models import Assessment, Case, CaseEvent, Item, ItemRevision, WebhookDelivery
from bot.domain.notices import EDITED, REMOVED, Notice
from bot.domain.policy import Policy
from bot.risk.types import Assessment as RiskAssessment
from bot.sources.meta_parse import EDIT, HIDE, NEW, REMOVE, UNHIDE, IncomingItem

logger = logging.getLogger(__name__)

Assessor = Callable[[str], RiskAssessment]


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one incoming item."""

    item_id: int | None
    case_id: int | None = None
    duplicate: bool = False
    case_opened: bool = False


def record_delivery(session: Session, *, source: str, body: bytes, now: datetime) -> int:
    """Store a raw webhook body as received (the evidence copy); returns its id."""
    delivery = WebhookDelivery(source=source, body=body.decode("utf-8", errors="replace"),
                               received_at=now)
    session.add(delivery)
    session.flush()
    assert delivery.id is not None
    return delivery.id


ASSESSMENT_FAILED = "error"


def _assess(assessor: Assessor, text: str, item_id: int | None) -> RiskAssessment:
    """The engine's verdict; if it fails, an empty one marked as failed (never lose the item)."""
    try:
        return assessor(text)
    except Exception:
        logger.exception("intake: the risk engine failed on item %s; a person must read it",
                         item_id)
        return RiskAssessment(categories=(), acute=False, ruleset_version=ASSESSMENT_FAILED)


def _store_assessment(
    session: Session, item: Item, assessor: Assessor, now: datetime
) -> Assessment:
    result = _assess(assessor, item.text, item.id)
    row = Assessment(
        item_id=item.id or 0,
        categories=[str(c) for c in result.categories],
        acute=result.acute,
        evidence=[{"category": str(e.category), "start": e.start, "end": e.end, "text": e.text,
                   "rule": e.rule} for e in result.evidence],
        advice=list(result.advice),
        ruleset_version=result.ruleset_version,
        assessed_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _case_of(session: Session, item: Item) -> Case | None:
    return session.exec(select(Case).where(Case.item_id == item.id)).first()


def _clean(text: str) -> str:
    # PostgreSQL refuses NUL characters in text; nobody writes them on purpose.
    return text.replace("\x00", "")


def _cut(value: str | None, limit: int) -> str | None:
    return _clean(value)[:limit] if value is not None else None


def _insert(session: Session, incoming: IncomingItem, policy: Policy, now: datetime,
            delivery_id: int | None) -> Item | None:
    account = policy.account_for(incoming.platform, incoming.account_external_id)
    item = Item(
        platform=incoming.platform, account_external_id=incoming.account_external_id[:64],
        account_id=account.id if account else None, external_id=incoming.external_id[:128],
        kind=incoming.kind[:20], parent_external_id=_cut(incoming.parent_id, 128),
        container_id=_cut(incoming.container_id, 128), author_id=_cut(incoming.author_id, 64),
        author_name=_cut(incoming.author_name, 200), text=_clean(incoming.text),
        permalink=_cut(incoming.permalink, 500),
        created_at=incoming.created_at or now, received_at=now, edited_at=incoming.edited_at,
        delivery_id=delivery_id, raw=dict(incoming.raw),
    )
    try:
        with session.begin_nested():  # a concurrent duplicate loses the race cleanly
            session.add(item)
    except IntegrityError:
        return None
    return item


def ingest_item(
    session: Session, incoming: IncomingItem, *, policy: Policy, assessor: Assessor,
    default_channel: str | None, now: datetime, delivery_id: int | None = None,
) -> IngestOutcome:
    """Store, deduplicate, assess and (when risky) open a case, in the caller's transaction."""
    existing = session.exec(
        select(Item).where(Item.platform == incoming.platform,
                           Item.external_id == incoming.external_id)
    ).first()
    if existing is None:
        if incoming.verb not in (NEW, EDIT):
            logger.info("meta: %s for an item we never saw; ignored", incoming.verb)
            return IngestOutcome(item_id=None)
        item = _insert(session, incoming, policy, now, delivery_id)
        if item is None:
            return IngestOutcome(item_id=None, duplicate=True)
        return _assess_and_open(session, item, policy=policy, assessor=assessor,
                                    default_channel=default_channel, now=now)
    if incoming.verb == NEW:
        return IngestOutcome(item_id=existing.id, duplicate=True)
    return _apply_change(session, existing, incoming, policy=policy, assessor=assessor,
                         default_channel=default_channel, now=now)


def _assess_and_open(session: Session, item: Item, *, policy: Policy, assessor: Assessor,
                     default_channel: str | None, now: datetime) -> IngestOutcome:
    assessment = _store_assessment(session, item, assessor, now)
    if not assessment.categories and assessment.ruleset_version != ASSESSMENT_FAILED:
        return IngestOutcome(item_id=item.id)
    case = open_case(session, item=item, assessment=assessment, policy=policy,
                     default_channel=default_channel, now=now)
    return IngestOutcome(item_id=item.id, case_id=case.id, case_opened=True)


def _apply_change(session: Session, item: Item, incoming: IncomingItem, *, policy: Policy,
                  assessor: Assessor, default_channel: str | None,
                  now: datetime) -> IngestOutcome:
    case = _case_of(session, item)
    notice_kind: str | None = None
    if incoming.verb == EDIT:
        if incoming.text == item.text:
            return IngestOutcome(item_id=item.id, case_id=case.id if case else None,
                                 duplicate=True)
        session.add(ItemRevision(item_id=item.id or 0, text=item.text, replaced_at=now))
        item.text, item.edited_at = _clean(incoming.text), incoming.edited_at or now
        session.add(item)
        session.flush()
        if case is None:
            return _assess_and_open(session, item, policy=policy, assessor=assessor,
                                    default_channel=default_channel, now=now)
        previous = session.get(Assessment, case.assessment_id)
        assessment = _store_assessment(session, item, assessor, now)
        case.assessment_id = assessment.id or 0
        reassessed(session, case=case, item=item, before=previous, after=assessment,
                   policy=policy, now=now)
        notice_kind = EDITED
    elif incoming.verb == REMOVE:
        if item.removed_at is not None:
            return IngestOutcome(item_id=item.id, duplicate=True)
        item.removed_at = now
        notice_kind = REMOVED
    elif incoming.verb in (HIDE, UNHIDE):
        item.hidden = incoming.verb == HIDE
    session.add(item)
    if case is not None and case.id is not None and notice_kind is not None:
        session.add(case)
        session.add(CaseEvent(case_id=case.id, at=now, kind=notice_kind, platform="meta"))
        outbox.enqueue(session, op=outbox.UPDATE_CARD, now=now, case_id=case.id,
                       target=case.channel)
        outbox.enqueue_notice(session, Notice(notice_kind, case.id), now=now, channel=case.channel)
    return IngestOutcome(item_id=item.id, case_id=case.id if case else None)


def ingest_batch(
    session: Session, raw: bytes, items: list[IncomingItem], *, source: str, policy: Policy,
    assessor: Assessor, default_channel: str | None, now: datetime,
) -> list[IngestOutcome]:
    """Keep the delivery's raw body and store each item in a savepoint of the same
    transaction: one item that cannot be stored never takes the others, or the body, with it
    (in the caller's transaction)."""
    delivery_id = record_delivery(session, source=source, body=raw, now=now)
    outcomes: list[IngestOutcome] = []
    failed = 0
    for index, item in enumerate(items):
        # A savepoint per item, inside the transaction that began with the delivery's
        # write: on SQLite that holds the write lock from the start, so no read snapshot
        # can go stale under an item (which a transaction opened by a savepoint risks).
        try:
            with session.begin_nested():
                outcomes.append(ingest_item(session, item, policy=policy, assessor=assessor,
                                            default_channel=default_channel, now=now,
                                            delivery_id=delivery_id))
        except Exception:
            failed += 1
            logger.exception("intake: item %d of delivery %s could not be stored", index,
                             delivery_id)
    if failed:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is not None:
            delivery.error = f"{failed} of {len(items)} items could not be stored"
            session.add(delivery)
    return outcomes
