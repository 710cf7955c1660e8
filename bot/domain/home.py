"""What a person's home view shows: their open cases, the cases of those they cover, who is
away and who covers whom, and their own absences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.domain.absence import AbsenceSummary, absences_overview, my_absences
from bot.domain.duty import Responsibility, local_today, responsibility
from bot.domain.models import OPEN_STATES, Absence, Case, ChatMessageRef
from bot.domain.policy import Policy

MAX_CASES = 15


@dataclass(frozen=True)
class HomeCase:
    """One open case as a line on the home view."""

    case_id: int
    account_name: str
    acute: bool
    state: str
    opened_at: datetime
    channel: str | None
    message_id: str | None
    covering_for: str | None  # the absent person's name when the case is covered


@dataclass(frozen=True)
class HomeData:
    """Everything the home view shows to one person."""

    person_name: str
    mine: tuple[HomeCase, ...]
    covered: tuple[HomeCase, ...]
    away: tuple[AbsenceSummary, ...]
    own_absences: tuple[Absence, ...]


def home_data(session: Session, *, policy: Policy, person_id: str, now: datetime,
              platform: str = "slack") -> HomeData:
    """Collect the home view for a person (a policy person id)."""
    who: dict[str, Responsibility] = {
        a.id: responsibility(session, policy=policy, account=a, now=now) for a in policy.accounts}
    cases = session.exec(
        select(Case).where(col(Case.state).in_(OPEN_STATES))
        .order_by(col(Case.acute).desc(), col(Case.opened_at))
    ).all()
    refs = {r.case_id: r for r in session.exec(
        select(ChatMessageRef).where(ChatMessageRef.platform == platform)).all()}
    mine: list[HomeCase] = []
    covered: list[HomeCase] = []
    for case in cases:
        duty = who.get(case.account_id or "")
        if duty is None or duty.responsible is None or duty.responsible.id != person_id:
            continue
        account = policy.account(case.account_id or "")
        ref = refs.get(case.id or 0)
        line = HomeCase(case.id or 0, account.name if account else "?", case.acute, case.state,
                        case.opened_at, ref.channel if ref else None,
                        ref.message_id if ref else None,
                        duty.absent.name if duty.absent else None)
        (covered if duty.absent else mine).append(line)
    today = local_today(policy, now)
    person = policy.person(person_id)
    return HomeData(
        person_name=person.name if person else person_id,
        mine=tuple(mine[:MAX_CASES]), covered=tuple(covered[:MAX_CASES]),
        away=tuple(absences_overview(session, policy=policy, today=today)),
        own_absences=tuple(my_absences(session, person_id, today)),
    )
