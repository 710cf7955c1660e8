"""Opening cases and recording what communicators do with them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from bot.domain import outbox
from bot.domain.actions import ActionId
from bot.domain.models import OPEN_STATES, Assessment, Case, CaseEvent, CaseState, Item
from bot.domain.nagging import nag_after, steps_for
from bot.domain.notices import ACTED, CRITICISM, Notice
from bot.domain.policy import Policy

_STATE_AFTER = {
    ActionId.REFER: CaseState.IN_PROGRESS,
    ActionId.POLICE_REPORT: CaseState.REPORTED,
    ActionId.SOCIAL_SERVICES_REPORT: CaseState.REPORTED,
    ActionId.FOLLOW_UP: CaseState.FOLLOWED_UP,
    ActionId.MODERATE: CaseState.IN_PROGRESS,
    ActionId.CONSULT: CaseState.IN_PROGRESS,
    ActionId.ACK_CRITICISM: CaseState.NEW,
    ActionId.LOOKING: CaseState.IN_PROGRESS,
}
# Actions that say someone is on it without doing the routine: they neither count as the
# first action nor restart the escalation ladder ("Jag tittar på det" only moves the timer).
LIGHT_ACTIONS = frozenset({ActionId.LOOKING, ActionId.ACK_CRITICISM})
# A reported case stays "reported" when someone refers as well: the stronger state wins.
_RANK = {CaseState.NEW: 0, CaseState.IN_PROGRESS: 1, CaseState.REPORTED: 2,
         CaseState.FOLLOWED_UP: 3}


class CaseClosedError(Exception):
    """The case was already followed up; nothing more is recorded on it."""

    def __init__(self, case: Case) -> None:
        super().__init__(f"case {case.id} is closed")
        self.case = case


def open_case(
    session: Session, *, item: Item, assessment: Assessment, policy: Policy,
    default_channel: str | None, now: datetime,
) -> Case:
    """Open a case for a risky item and queue its card (in the caller's transaction)."""
    account = policy.account(item.account_id) if item.account_id else None
    steps = steps_for(policy, acute=assessment.acute)
    case = Case(
        item_id=item.id or 0,
        assessment_id=assessment.id or 0,
        account_id=item.account_id,
        channel=(account.channel if account and account.channel else default_channel),
        acute=assessment.acute,
        opened_at=now,
        activity_at=now,
        next_nag_at=nag_after(policy, acute=assessment.acute, start=now,
                              delta=steps.first_after),
    )
    session.add(case)
    session.flush()
    assert case.id is not None
    session.add(CaseEvent(case_id=case.id, at=now, kind="opened", platform="system",
                          details={"categories": assessment.categories,
                                   "acute": assessment.acute}))
    outbox.enqueue(session, op=outbox.POST_CARD, now=now, case_id=case.id, target=case.channel)
    if "serious_criticism" in assessment.categories:
        _send_criticism_to_manager(session, case, item, policy, now)
    return case


def reassessed(session: Session, *, case: Case, item: Item, before: Assessment | None,
               after: Assessment, policy: Policy, now: datetime) -> None:
    """An edit changed the verdict: a case may become acute (never the reverse), and newly
    serious criticism still goes to the manager."""
    if after.acute and not case.acute and case.state in OPEN_STATES:
        case.acute = True
        sooner = now + policy.nagging.acute.first_after
        case.next_nag_at = min(case.next_nag_at, sooner) if case.next_nag_at else sooner
        session.add(case)
    had = set(before.categories) if before else set()
    if "serious_criticism" in after.categories and "serious_criticism" not in had:
        _send_criticism_to_manager(session, case, item, policy, now)


def _send_criticism_to_manager(session: Session, case: Case, item: Item, policy: Policy,
                               now: datetime) -> None:
    """Serious criticism goes straight to the manager of the operation it is about."""
    assert case.id is not None
    account = policy.account(item.account_id) if item.account_id else None
    area = policy.area_for_text(item.text, account)
    if area is None:
        return
    notice = Notice(CRITICISM, case.id, {"person": area.manager, "area": area.name})
    outbox.enqueue_notice(session, notice, now=now, channel=case.channel,
                          person_id=area.manager)
    session.add(CaseEvent(case_id=case.id, at=now, kind="criticism_sent", platform="system",
                          details={"area": area.id, "to": area.manager}))


def record_action(
    session: Session, *, case_id: int, action: ActionId, actor: str, platform: str,
    details: Mapping[str, Any], policy: Policy, now: datetime,
    next_nag_at: datetime | None = None,
) -> Case:
    """Record a communicator's action: timeline event, new state, card update and thread line.

    A routine action restarts the reminders from now (or from next_nag_at); a light one
    (LIGHT_ACTIONS) does not count as handling the case.
    """
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"case {case_id} does not exist")
    for _ in range(3):  # two actions at once: the loser re-reads and ranks again
        if _apply(session, case, action=action, actor=actor, policy=policy, now=now,
                  next_nag_at=next_nag_at):
            break
        session.expire(case)
        if case.state not in OPEN_STATES:
            session.rollback()
            raise CaseClosedError(case)
    else:
        raise RuntimeError(f"case {case_id} kept changing under action {action.value}")
    clean = {k: v for k, v in details.items() if v not in (None, "")}
    session.add(CaseEvent(case_id=case_id, at=now, kind="acted", actor=actor, platform=platform,
                          details={"action": action.value, "values": clean}))
    outbox.enqueue(session, op=outbox.UPDATE_CARD, now=now, case_id=case_id, target=case.channel)
    notice = Notice(ACTED, case_id, {"action": action.value, "details": clean, "actor": actor,
                                     "actor_platform": platform, "at": now.isoformat()})
    outbox.enqueue_notice(session, notice, now=now, channel=case.channel)
    session.refresh(case)
    return case


def _apply(session: Session, case: Case, *, action: ActionId, actor: str, policy: Policy,
           now: datetime, next_nag_at: datetime | None) -> bool:
    """One conditional UPDATE from the state we read; False when someone changed it first."""
    old = CaseState(case.state)
    if old not in OPEN_STATES:
        session.rollback()
        raise CaseClosedError(case)
    new_state = _STATE_AFTER[action]
    state = new_state if _RANK[new_state] > _RANK[old] else old
    closing = new_state == CaseState.FOLLOWED_UP
    values: dict[str, object] = {"state": state, "last_actor": actor,
                                 "last_action": action.value, "last_action_at": now,
                                 "closed_at": now if closing else None}
    repeat = steps_for(policy, acute=case.acute).repeat_every
    if closing:
        values["next_nag_at"] = None
    elif action == ActionId.LOOKING:
        values["next_nag_at"] = nag_after(policy, acute=case.acute, start=now, delta=repeat)
    elif action not in LIGHT_ACTIONS:
        values.update(
            first_action_at=case.first_action_at or now, activity_at=now, escalation_level=0,
            next_nag_at=next_nag_at or nag_after(policy, acute=case.acute, start=now,
                                                 delta=repeat))
    result = session.exec(
        update(Case).where(col(Case.id) == case.id, col(Case.state) == old).values(**values)
    )
    return bool(result.rowcount == 1)


def record_refusal(
    session: Session, *, case_id: int, action: str, actor: str, platform: str, now: datetime
) -> None:
    """Keep a refused attempt in the timeline (who tried what), as the routine's record."""
    session.add(CaseEvent(case_id=case_id, at=now, kind="refused", actor=actor,
                          platform=platform, details={"action": action}))


def note_activity(session: Session, case: Case, *, policy: Policy, now: datetime) -> None:
    """Someone worked on the case (e.g. wrote in its thread): the next reminder waits an
    interval. The escalation ladder is not restarted: talking is not yet handling."""
    if case.state not in OPEN_STATES:
        return
    next_at = nag_after(policy, acute=case.acute, start=now,
                        delta=steps_for(policy, acute=case.acute).repeat_every)
    session.exec(
        update(Case).where(col(Case.id) == case.id, col(Case.state).in_(OPEN_STATES))
        .values(next_nag_at=next_at)
    )
