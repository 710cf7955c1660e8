"""Who is on duty for an account now, given the recorded absences; and, since nobody's account
may be left unattended, telling the manager when nobody present answers for one.

An absence covers whole local days (Europe/Stockholm, from the policy), starts_on..ends_on
inclusive. check_accounts_attended is safe to run in every sweep of the clock: the day's outbox
rows remember what was already said, and a write lock on the absence behind the gap makes two
clocks by mistake take turns instead of both sending.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.domain import outbox
from bot.domain.models import Absence, OutboxMessage
from bot.domain.notices import UNATTENDED, Notice
from bot.domain.policy import Account, Person, Policy

logger = logging.getLogger(__name__)
MAX_CHAIN = 5  # deputies of deputies followed before giving up


@dataclass(frozen=True)
class Responsibility:
    """Who answers for an account now, and whom they stand in for."""

    responsible: Person | None
    absent: Person | None = None
    absence: Absence | None = None


def local_today(policy: Policy, now: datetime) -> date:
    """The municipality's local date at the instant now."""
    return now.astimezone(ZoneInfo(policy.office_hours.timezone)).date()


def enqueue_personal_notice(
    session: Session, notice: Notice, *, person_id: str, now: datetime
) -> None:
    """Queue a direct message that is about a person, not a case (no card, no case row)."""
    payload = {"notice": notice.to_payload(), "broadcast": False, "person_id": person_id}
    outbox.enqueue(session, op=outbox.DIRECT, case_id=None, target=None, payload=payload, now=now)


def absences_between(session: Session, start: date, end: date) -> list[Absence]:
    """The absences (not cancelled) that share at least one day with start..end."""
    query = select(Absence).where(
        col(Absence.cancelled_at).is_(None),
        col(Absence.starts_on) <= end,
        col(Absence.ends_on) >= start,
    )
    return list(session.exec(query.order_by(col(Absence.id))).all())


def active_absences(session: Session, *, on: date) -> list[Absence]:
    """The absences (not cancelled) that include the local date on."""
    return absences_between(session, on, on)


def accounts_of(policy: Policy, person_id: str, absences: Sequence[Absence]) -> list[str]:
    """Account ids the person answers for: their own, and those they cover as a deputy."""
    found: list[str] = []
    seen: set[str] = set()

    def walk(who: str, depth: int) -> None:
        if who in seen or depth > MAX_CHAIN:
            return
        seen.add(who)
        found.extend(a.id for a in policy.accounts if a.responsible == who)
        for absence in absences:
            if absence.deputy_id == who:
                if absence.accounts:
                    found.extend(absence.accounts)
                else:
                    walk(absence.person_id, depth + 1)

    walk(person_id, 0)
    return list(dict.fromkeys(found))


def _covering(absences: Sequence[Absence], person_id: str, account_id: str) -> Absence | None:
    matching = [
        a
        for a in absences
        if a.person_id == person_id and (not a.accounts or account_id in a.accounts)
    ]
    # With overlapping absences the latest recorded one decides.
    return max(matching, key=lambda a: a.id or 0, default=None)


def resolve(policy: Policy, account: Account, absences: Sequence[Absence]) -> Responsibility:
    """Who answers for the account given these active absences (pure)."""
    who: str | None = account.responsible
    absent: Person | None = None
    first: Absence | None = None
    seen: set[str] = set()
    for _ in range(MAX_CHAIN + 1):
        if who is None or who in seen:
            break
        seen.add(who)
        absence = _covering(absences, who, account.id)
        if absence is None:
            return Responsibility(policy.person(who), absent, first)
        if first is None:
            absent, first = policy.person(who), absence
        who = absence.deputy_id
    return Responsibility(None, absent, first)


def responsibility(
    session: Session, *, policy: Policy, account: Account, now: datetime
) -> Responsibility:
    """Who answers for the account now, and whom they stand in for."""
    return resolve(policy, account, active_absences(session, on=local_today(policy, now)))


def responsible_now(
    session: Session, *, policy: Policy, account: Account, now: datetime
) -> Person | None:
    """The person present who answers for the account now; None when nobody does."""
    return responsibility(session, policy=policy, account=account, now=now).responsible


def unattended_accounts(
    session: Session, *, policy: Policy, now: datetime
) -> list[tuple[Account, Responsibility]]:
    """The accounts that nobody present answers for now, with whom they miss."""
    active = active_absences(session, on=local_today(policy, now))
    found = []
    for account in policy.accounts:
        who = resolve(policy, account, active)
        if who.responsible is None:
            found.append((account, who))
    return found


def _told_today(session: Session, *, policy: Policy, account_id: str, now: datetime) -> bool:
    zone = ZoneInfo(policy.office_hours.timezone)
    midnight = datetime.combine(local_today(policy, now), time(0), tzinfo=zone).astimezone(UTC)
    rows = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.op) == outbox.DIRECT,
            col(OutboxMessage.case_id).is_(None),
            col(OutboxMessage.created_at) >= midnight,
        )
    ).all()
    for row in rows:
        notice = row.payload.get("notice") or {}
        params = notice.get("params") or {}
        if notice.get("kind") == UNATTENDED and params.get("account_id") == account_id:
            return True
    return False


def check_accounts_attended(session: Session, *, policy: Policy, now: datetime) -> list[str]:
    """Tell the manager of every account nobody present answers for; commits.

    Runs only in office hours, and tells each account's manager once per local day. Returns the
    ids of the accounts reported now.
    """
    if not policy.office_hours.is_open(now):
        return []
    reported = []
    for account, who in unattended_accounts(session, policy=policy, now=now):
        manager = policy.manager_of(account)
        if manager is None or who.absence is None:
            logger.warning("account %s is unattended and has no manager to tell", account.id)
            continue
        # A no-op write: the lock makes a second clock wait here until this one has committed.
        session.exec(
            update(Absence)
            .where(col(Absence.id) == who.absence.id)
            .values(recorded_by=Absence.recorded_by)
        )
        if _told_today(session, policy=policy, account_id=account.id, now=now):
            continue
        params = {
            "person": manager.id,
            "account_id": account.id,
            "account": account.name,
            "absent": who.absent.id if who.absent else account.responsible,
            "deputy": who.absence.deputy_id,
        }
        notice = Notice(UNATTENDED, 0, params)
        enqueue_personal_notice(session, notice, person_id=manager.id, now=now)
        reported.append(account.id)
    session.commit()
    if reported:
        logger.info("duty: %d unattended account(s) reported", len(reported))
    return reported
