"""Absences and handovers: recording who covers whose accounts from which day to which, and
handing the open cases over when an absence starts ("Ett konto ska aldrig lämnas obevakat").

Who answers for an account now lives in bot.domain.duty and is re-exported here. AbsenceError
messages are Swedish and shown verbatim, like DateParseError's: /frånvaro shows both alike.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.domain import outbox
from bot.domain.duty import (
    Responsibility,
    absences_between,
    accounts_of,
    active_absences,
    local_today,
    resolve,
    responsibility,
    responsible_now,
)
from bot.domain.models import OPEN_STATES, Absence, Case, CaseEvent
from bot.domain.notices import HANDED_OVER, Notice
from bot.domain.policy import Account, Person, Policy

__all__ = [
    "AbsenceError",
    "AbsenceSummary",
    "Responsibility",
    "absences_overview",
    "active_absences",
    "cancel_absence",
    "hand_over_due",
    "my_absences",
    "record_absence",
    "responsibility",
    "responsible_now",
]
logger = logging.getLogger(__name__)
KINDS = ("absence", "handover")
REASONS = ("sick", "vacation", "leave", "other")


class AbsenceError(ValueError):
    """An absence that cannot be recorded or changed; the message is Swedish, for the user."""


@dataclass(frozen=True)
class AbsenceSummary:
    """One current or coming absence, as an overview shows it."""

    absence: Absence
    person: Person | None
    deputy: Person | None
    accounts: tuple[Account, ...]
    active: bool


def _fmt(day: date) -> str:
    return f"{day.day}/{day.month} {day.year}"


def _validate(session: Session, absence: Absence, *, policy: Policy, today: date) -> None:
    person = policy.person(absence.person_id)
    if person is None:
        raise AbsenceError(f"Personen »{absence.person_id}« finns inte i policyn.")
    if absence.deputy_id is not None and policy.person(absence.deputy_id) is None:
        raise AbsenceError(f"Ersättaren »{absence.deputy_id}« finns inte i policyn.")
    if absence.deputy_id == absence.person_id:
        raise AbsenceError(f"{person.name} kan inte vara sin egen ersättare.")
    if absence.kind not in KINDS:
        raise AbsenceError(f"Okänd sorts frånvaro »{absence.kind}«.")
    if absence.reason is not None and absence.reason not in REASONS:
        raise AbsenceError(f"Okänd orsak »{absence.reason}« (sjuk, semester, ledig eller annat).")
    first, last = absence.starts_on, absence.ends_on
    if last < first:
        raise AbsenceError(f"Sista dagen {_fmt(last)} ligger före första dagen {_fmt(first)}.")
    if last < today:
        raise AbsenceError(f"Perioden är redan slut ({_fmt(last)}).")
    own = accounts_of(policy, absence.person_id, absences_between(session, first, last))
    for account_id in absence.accounts:
        account = policy.account(account_id)
        if account is None:
            raise AbsenceError(f"Kontot »{account_id}« finns inte.")
        if account_id not in own:
            raise AbsenceError(
                f"{person.name} ansvarar inte för {account.name} och kan därför inte "
                "lämna över det."
            )


def record_absence(
    session: Session,
    *,
    policy: Policy,
    person_id: str,
    starts_on: date,
    ends_on: date,
    deputy_id: str | None,
    accounts: Iterable[str] = (),
    kind: str = "absence",
    reason: str | None = None,
    recorded_by: str,
    source: str = "command",
    now: datetime,
) -> Absence:
    """Record an absence (empty accounts: all of theirs); hand over at once if it has begun."""
    today = local_today(policy, now)
    absence = Absence(
        person_id=person_id,
        kind=kind,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        deputy_id=deputy_id,
        accounts=list(dict.fromkeys(accounts)),
        recorded_by=recorded_by,
        recorded_at=now,
        source=source,
    )
    _validate(session, absence, policy=policy, today=today)
    session.add(absence)
    session.flush()
    logger.info("absence %s recorded", absence.id)
    if starts_on <= today:
        _hand_over(session, absence, policy=policy, now=now)
    return absence


def cancel_absence(session: Session, *, absence_id: int, by: str, now: datetime) -> Absence:
    """Cancel an absence; the regular responsible person answers again at once."""
    result = session.exec(
        update(Absence)
        .where(col(Absence.id) == absence_id, col(Absence.cancelled_at).is_(None))
        .values(cancelled_at=now)
    )
    absence = session.get(Absence, absence_id)
    if absence is None:
        raise AbsenceError(f"Frånvaro nummer {absence_id} finns inte.")
    if result.rowcount != 1:
        raise AbsenceError("Frånvaron är redan borttagen.")
    # The Absence row has no cancelled_by column: the timelines of the cases say who.
    for case in _handed_over_cases(session, absence_id):
        assert case.id is not None
        details = {"absence_id": absence_id}
        session.add(
            CaseEvent(
                case_id=case.id,
                at=now,
                kind="handover_cancelled",
                actor=by,
                platform="system",
                details=details,
            )
        )
        outbox.enqueue(
            session, op=outbox.UPDATE_CARD, now=now, case_id=case.id, target=case.channel
        )
    logger.info("absence %s cancelled", absence_id)
    return absence


def _handed_over_cases(session: Session, absence_id: int) -> list[Case]:
    """The still open cases that this absence handed over."""
    rows = session.exec(
        select(CaseEvent, Case)
        .join(Case, col(Case.id) == col(CaseEvent.case_id))
        .where(col(CaseEvent.kind) == "handed_over", col(Case.state).in_(OPEN_STATES))
        .order_by(col(Case.id))
    ).all()
    cases = {case.id: case for event, case in rows if event.details.get("absence_id") == absence_id}
    return list(cases.values())


def _open_cases(session: Session, account_ids: Sequence[str]) -> list[Case]:
    if not account_ids:
        return []
    return list(
        session.exec(
            select(Case)
            .where(col(Case.account_id).in_(account_ids), col(Case.state).in_(OPEN_STATES))
            .order_by(col(Case.id))
        ).all()
    )


def _hand_over(session: Session, absence: Absence, *, policy: Policy, now: datetime) -> bool:
    """Claim one absence and hand its accounts' open cases over; False if already done."""
    claimed = session.exec(
        update(Absence)
        .where(
            col(Absence.id) == absence.id,
            col(Absence.handed_over_at).is_(None),
            col(Absence.cancelled_at).is_(None),
        )
        .values(handed_over_at=now)
    )
    if claimed.rowcount != 1:
        return False
    active = active_absences(session, on=local_today(policy, now))
    covered = absence.accounts or accounts_of(policy, absence.person_id, active)
    for case in _open_cases(session, covered):
        assert case.id is not None and case.account_id is not None
        account = policy.account(case.account_id)
        now_with = resolve(policy, account, active) if account else None
        if now_with is None or now_with.absence is None:
            continue  # nobody answering for this account is away today
        to = now_with.responsible
        details = {"from": absence.person_id, "to": to.id if to else None, "absence_id": absence.id}
        session.add(
            CaseEvent(
                case_id=case.id,
                at=now,
                kind="handed_over",
                actor=absence.recorded_by,
                platform="system",
                details=details,
            )
        )
        outbox.enqueue(
            session, op=outbox.UPDATE_CARD, now=now, case_id=case.id, target=case.channel
        )
        if to is not None:  # nobody present: the duty check tells the manager instead
            params = {
                "absent": absence.person_id,
                "deputy": to.id,
                "kind": absence.kind,
                "until": absence.ends_on.isoformat(),
            }
            notice = Notice(HANDED_OVER, case.id, params)
            outbox.enqueue_notice(session, notice, now=now, channel=case.channel)
    return True


def hand_over_due(session: Session, *, policy: Policy, now: datetime) -> int:
    """Hand over every absence that has begun and is not handed over yet; commits."""
    today = local_today(policy, now)
    due = session.exec(
        select(Absence)
        .where(
            col(Absence.cancelled_at).is_(None),
            col(Absence.handed_over_at).is_(None),
            col(Absence.starts_on) <= today,
            col(Absence.ends_on) >= today,
        )
        .order_by(col(Absence.id))
        .with_for_update(skip_locked=True)
    ).all()
    handed = sum(_hand_over(session, absence, policy=policy, now=now) for absence in due)
    session.commit()
    if handed:
        logger.info("handover: %d absence(s) handed over", handed)
    return handed


def absences_overview(session: Session, *, policy: Policy, today: date) -> list[AbsenceSummary]:
    """Current and coming absences: who is away, until when, who covers which accounts."""
    rows = session.exec(
        select(Absence)
        .where(col(Absence.cancelled_at).is_(None), col(Absence.ends_on) >= today)
        .order_by(col(Absence.starts_on), col(Absence.id))
    ).all()
    summaries = []
    for absence in rows:
        around = absences_between(session, absence.starts_on, absence.ends_on)
        ids = absence.accounts or accounts_of(policy, absence.person_id, around)
        accounts = tuple(a for a in (policy.account(i) for i in ids) if a is not None)
        summaries.append(
            AbsenceSummary(
                absence=absence,
                person=policy.person(absence.person_id),
                deputy=policy.person(absence.deputy_id) if absence.deputy_id else None,
                accounts=accounts,
                active=absence.starts_on <= today,
            )
        )
    return summaries


def my_absences(session: Session, person_id: str, today: date) -> list[Absence]:
    """The person's own absences that are not over, soonest first."""
    return list(
        session.exec(
            select(Absence)
            .where(
                col(Absence.person_id) == person_id,
                col(Absence.cancelled_at).is_(None),
                col(Absence.ends_on) >= today,
            )
            .order_by(col(Absence.starts_on), col(Absence.id))
        ).all()
    )
