"""The tables: what came in, what was concluded, what was done, and what must still be sent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints let Alembic's batch mode on SQLite alter them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class CaseState(StrEnum):
    """Where a case stands; the card's colour follows it."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    FOLLOWED_UP = "followed_up"


OPEN_STATES = (CaseState.NEW, CaseState.IN_PROGRESS, CaseState.REPORTED)


class OutboxStatus(StrEnum):
    """Delivery state of an outgoing call."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # retrying cannot help; the team was told in the case's thread


class WebhookDelivery(SQLModel, table=True):
    """A webhook body exactly as received: the evidence copy of an inkommen handling."""

    __tablename__ = "webhook_delivery"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=20)
    received_at: datetime = Field(default_factory=utcnow)
    body: str = Field(sa_column=Column(Text, nullable=False))
    items_created: int = 0
    error: str | None = None


class Item(SQLModel, table=True):
    """A comment or message that came in (an inkommen allmän handling)."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    account_external_id: str = Field(max_length=64, index=True)
    account_id: str | None = Field(default=None, max_length=64)
    external_id: str = Field(max_length=128)
    kind: str = Field(max_length=20)
    parent_external_id: str | None = Field(default=None, max_length=128)
    container_id: str | None = Field(default=None, max_length=128)
    author_id: str | None = Field(default=None, max_length=64)
    author_name: str | None = Field(default=None, max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    permalink: str | None = Field(default=None, max_length=500)
    created_at: datetime
    received_at: datetime = Field(default_factory=utcnow, index=True)
    edited_at: datetime | None = None
    removed_at: datetime | None = None
    hidden: bool = False
    delivery_id: int | None = Field(default=None, foreign_key="webhook_delivery.id")
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ItemRevision(SQLModel, table=True):
    """An earlier text of an item that was edited (kept, never overwritten)."""

    __tablename__ = "item_revision"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    replaced_at: datetime = Field(default_factory=utcnow)


class Assessment(SQLModel, table=True):
    """What the risk engine concluded about one version of an item."""

    __tablename__ = "assessment"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    acute: bool = False
    evidence: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    advice: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    ruleset_version: str = Field(max_length=64)
    assessed_at: datetime = Field(default_factory=utcnow)


class Case(SQLModel, table=True):
    """One risky item that the routine must be carried out for."""

    __tablename__ = "case"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", unique=True)
    assessment_id: int = Field(foreign_key="assessment.id")
    account_id: str | None = Field(default=None, max_length=64)
    channel: str | None = Field(default=None, max_length=64)
    state: str = Field(default=CaseState.NEW, max_length=20, index=True)
    acute: bool = False
    opened_at: datetime = Field(default_factory=utcnow, index=True)
    first_action_at: datetime | None = None
    closed_at: datetime | None = None
    activity_at: datetime = Field(default_factory=utcnow)
    next_nag_at: datetime | None = Field(default=None, index=True)
    nag_count: int = 0
    escalation_level: int = 0
    last_nag_at: datetime | None = None
    last_actor: str | None = Field(default=None, max_length=64)
    last_action: str | None = Field(default=None, max_length=40)
    last_action_at: datetime | None = None


class CaseEvent(SQLModel, table=True):
    """An append-only line in a case's timeline: who did what, when, from where."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=40)
    actor: str | None = Field(default=None, max_length=64)
    platform: str = Field(max_length=20)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ChatMessageRef(SQLModel, table=True):
    """Where a case's card lives on a chat platform."""

    __tablename__ = "chat_message_ref"
    __table_args__ = (UniqueConstraint("case_id", "platform"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    platform: str = Field(max_length=20)
    channel: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    posted_at: datetime = Field(default_factory=utcnow)


class AccountRecord(SQLModel, table=True):
    """A social media account as the policy file last described it."""

    __tablename__ = "account"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    platform: str = Field(max_length=20)
    external_id: str = Field(max_length=64)
    area: str = Field(max_length=64)
    responsible: str = Field(max_length=64)
    channel: str | None = Field(default=None, max_length=64)


class PersonRecord(SQLModel, table=True):
    """A communicator or manager as the policy file last described them."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    slack_id: str | None = Field(default=None, max_length=64)
    role: str = Field(max_length=20)


class OutboxMessage(SQLModel, table=True):
    """An outgoing chat or Graph call, kept until it is done; delayed, never dropped."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    op: str = Field(max_length=40)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    target: str | None = Field(default=None, max_length=64, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OutboxStatus.PENDING, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    # The worker that holds the row's lease; it renews the lease right before each send.
    claimed_by: str | None = Field(default=None, max_length=40)
    last_error: str | None = Field(default=None, max_length=500)
    done_at: datetime | None = None


class SchedulerHeartbeat(SQLModel, table=True):
    """When each clock job last ran, so /healthz can tell a dead nagger."""

    __tablename__ = "scheduler_heartbeat"

    job: str = Field(primary_key=True, max_length=40)
    last_run_at: datetime


class OutgoingReply(SQLModel, table=True):
    """A public reply we drafted and sent (an upprättad handling), kept with its fingerprint."""

    __tablename__ = "outgoing_reply"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    account_id: str | None = Field(default=None, max_length=64, index=True)
    kind: str = Field(max_length=20)
    contact_id: str | None = Field(default=None, max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    fingerprint: str = Field(max_length=64, index=True)
    method: str = Field(max_length=20)
    requested_by: str = Field(max_length=64)
    requested_at: datetime
    posted_at: datetime | None = Field(default=None, index=True)
    external_id: str | None = Field(default=None, max_length=128)
    error: str | None = Field(default=None, max_length=500)


class RemovalRecord(SQLModel, table=True):
    """What was hidden or removed, saved before the Graph call: content, sender, time, hash."""

    __tablename__ = "removal_record"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    action: str = Field(max_length=10)
    reason: str = Field(max_length=40)
    note: str | None = Field(default=None, sa_column=Column(Text))
    content: str = Field(sa_column=Column(Text, nullable=False))
    author_id: str | None = Field(default=None, max_length=64)
    author_name: str | None = Field(default=None, max_length=200)
    created_at: datetime
    permalink: str | None = Field(default=None, max_length=500)
    sha256: str = Field(max_length=64)
    fresh_copy: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    fresh_sha256: str | None = Field(default=None, max_length=64)
    requested_by: str = Field(max_length=64)
    requested_at: datetime
    done_at: datetime | None = Field(default=None, index=True)
    error: str | None = Field(default=None, max_length=500)


class Absence(SQLModel, table=True):
    """Who is away (or hands over) from when to when, and who covers which accounts."""

    __tablename__ = "absence"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=64, index=True)
    kind: str = Field(default="absence", max_length=20)  # "absence" or "handover"
    reason: str | None = Field(default=None, max_length=40)  # sick, leave, vacation, other
    starts_on: date
    ends_on: date
    deputy_id: str | None = Field(default=None, max_length=64)
    # Policy account ids the deputy takes over; empty means all the person's accounts.
    accounts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow)
    source: str = Field(default="command", max_length=20)
    handed_over_at: datetime | None = None
    cancelled_at: datetime | None = None


class StatusAlert(SQLModel, table=True):
    """A chat status that says someone is away while no handover is recorded: nag until fixed."""

    __tablename__ = "status_alert"

    id: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(max_length=64, index=True)
    reason: str = Field(max_length=40)
    detected_at: datetime
    next_nag_at: datetime | None = Field(default=None, index=True)
    nag_count: int = 0
    resolved_at: datetime | None = None
    resolution: str | None = Field(default=None, max_length=40)
