"""Reminders until the follow-up is confirmed: in the thread, then the responsible person, then
the manager. The database is the only source of truth, so any number of clocks is safe."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.domain import outbox
from bot.domain.duty import responsible_now
from bot.domain.models import OPEN_STATES, Case, CaseEvent
from bot.domain.notices import ESCALATED_MANAGER, ESCALATED_RESPONSIBLE, REMINDER, Notice
from bot.domain.policy import NagSteps, Policy

logger = logging.getLogger(__name__)
SWEEP_LIMIT = 200


def steps_for(policy: Policy, *, acute: bool) -> NagSteps:
    """The nag steps for a case's severity."""
    return policy.nagging.acute if acute else policy.nagging.normal


def nag_after(policy: Policy, *, acute: bool, start: datetime, delta: timedelta) -> datetime:
    """When delta has passed from start, counting only office time where the policy pauses."""
    if steps_for(policy, acute=acute).pause_outside_office_hours:
        return policy.office_hours.add_open_time(start, delta)
    return start + delta


def nag_elapsed(policy: Policy, *, acute: bool, start: datetime, end: datetime) -> timedelta:
    """How long a case has waited, counting only office time where the policy pauses."""
    if steps_for(policy, acute=acute).pause_outside_office_hours:
        return policy.office_hours.open_time_between(start, end)
    return end - start


def escalation_level(steps: NagSteps, waited_seconds: float) -> int:
    """0: thread only; 1: also the responsible person; 2: also the manager."""
    if waited_seconds >= steps.manager_after.total_seconds():
        return 2
    if waited_seconds >= steps.dm_after.total_seconds():
        return 1
    return 0


def _claim(session: Session, case: Case, *, now: datetime, next_at: datetime, level: int) -> bool:
    result = session.exec(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.state).in_(OPEN_STATES),
               col(Case.next_nag_at) == case.next_nag_at)
        .values(next_nag_at=next_at, nag_count=Case.nag_count + 1,
                last_nag_at=now, escalation_level=max(level, case.escalation_level))
    )
    return bool(result.rowcount == 1)


def _enqueue_nags(session: Session, case: Case, *, now: datetime, policy: Policy,
                  level: int, previous_level: int, count: int, waited: int) -> None:
    assert case.id is not None
    account = policy.account(case.account_id) if case.account_id else None
    # While the responsible person is away, the deputy is reminded instead.
    present = responsible_now(session, policy=policy, account=account, now=now) if account else None
    responsible = present.id if present else None
    params = {"waited_seconds": waited, "person": responsible, "count": count}
    outbox.enqueue_notice(session, Notice(REMINDER, case.id, params), now=now,
                          channel=case.channel, broadcast=True)
    session.add(CaseEvent(case_id=case.id, at=now, kind="nagged", platform="system",
                          details={"count": count}))
    manager = policy.manager_of(account) if account else None
    ladder = [(1, ESCALATED_RESPONSIBLE, responsible), (2, ESCALATED_MANAGER,
                                                         manager.id if manager else None)]
    for step, kind, person_id in ladder:
        if previous_level < step <= level and person_id:
            notice = Notice(kind, case.id, {**params, "person": person_id})
            outbox.enqueue_notice(session, notice, now=now, channel=case.channel,
                                  person_id=person_id)
            session.add(CaseEvent(case_id=case.id, at=now, kind="escalated", platform="system",
                                  details={"level": step, "to": person_id}))


def sweep_due_nags(session: Session, *, now: datetime, policy: Policy) -> int:
    """Claim every due case and queue its reminders; returns how many cases were nagged."""
    due = session.exec(
        select(Case)
        .where(col(Case.state).in_(OPEN_STATES), col(Case.next_nag_at) <= now)
        .order_by(col(Case.next_nag_at)).limit(SWEEP_LIMIT)
        .with_for_update(skip_locked=True)
    ).all()
    nagged = 0
    for case in due:
        steps = steps_for(policy, acute=case.acute)
        waited = int(nag_elapsed(policy, acute=case.acute, start=case.activity_at,
                                 end=now).total_seconds())
        level = escalation_level(steps, waited)
        next_at = nag_after(policy, acute=case.acute, start=now, delta=steps.repeat_every)
        # The ORM UPDATE synchronises the loaded row, so keep what it was before the claim.
        previous_level, count = case.escalation_level, case.nag_count + 1
        if _claim(session, case, now=now, next_at=next_at, level=level):
            _enqueue_nags(session, case, now=now, policy=policy, level=level,
                          previous_level=previous_level, count=count, waited=waited)
            nagged += 1
    session.commit()
    if nagged:
        logger.info("sweep: nagged %d case(s)", nagged)
    return nagged
