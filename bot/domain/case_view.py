"""A read-only snapshot of a case, everything a card needs, loaded from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.actions import ActionId
from bot.domain.duty import responsibility
from bot.domain.forms import N_
from bot.domain.models import Assessment, Case, CaseEvent, CaseState, Item
from bot.domain.policy import Person, Policy
from bot.risk.masking import mask_personal_data

CATEGORY_LABELS = {
    "individual_case": N_("individual case"),
    "crime": N_("crime"),
    "child_at_risk": N_("child at risk"),
    "crisis": N_("crisis"),
    "personal_data": N_("personal data"),
    "prohibited": N_("prohibited content"),
    "serious_criticism": N_("serious criticism"),
}

# What the routine expects for each category before a case can be considered handled.
_EXPECTED = {
    "crime": ActionId.POLICE_REPORT,
    "child_at_risk": ActionId.SOCIAL_SERVICES_REPORT,
    "individual_case": ActionId.REFER,
}


@dataclass(frozen=True)
class HistoryLine:
    """One recorded action on the case."""

    action: ActionId
    actor: str | None
    actor_platform: str
    at: datetime
    details: dict[str, Any]


@dataclass(frozen=True)
class Reason:
    """A span of text that made the engine flag a category."""

    category: str
    text: str


@dataclass(frozen=True)
class CaseView:
    """What a card shows: the item (masked), the assessment, the state and the history."""

    case_id: int
    state: CaseState
    acute: bool
    categories: tuple[str, ...]
    reasons: tuple[Reason, ...]
    advice: tuple[str, ...]
    text: str
    author: str | None
    account_name: str
    platform: str
    kind: str
    created_at: datetime
    permalink: str | None
    removed: bool
    history: tuple[HistoryLine, ...]
    missing: tuple[str, ...]
    responsible: Person | None
    hidden: bool = False
    covering_for: Person | None = None  # the regular responsible person, while away

    @property
    def can_moderate(self) -> bool:
        """A comment still on the platform can be hidden or removed; a direct message cannot."""
        return self.kind != "dm" and not self.removed

    @property
    def last(self) -> HistoryLine | None:
        """The most recent action, if any."""
        return self.history[-1] if self.history else None

    @property
    def is_open(self) -> bool:
        """True until the follow-up is confirmed."""
        return self.state != CaseState.FOLLOWED_UP


def _missing(categories: tuple[str, ...], done: set[ActionId], state: CaseState) -> tuple[str, ...]:
    missing = [
        {
            ActionId.POLICE_REPORT: N_("No police report recorded"),
            ActionId.SOCIAL_SERVICES_REPORT: N_("No report of concern recorded"),
            ActionId.REFER: N_("Not referred yet"),
        }[action]
        for category, action in _EXPECTED.items()
        if category in categories and action not in done
    ]
    if state != CaseState.FOLLOWED_UP:
        missing.append(N_("Follow-up not confirmed"))
    return tuple(missing)


def load_case_view(session: Session, case_id: int, policy: Policy, now: datetime) -> CaseView:
    """Build the view of one case from the database (who is responsible as of now)."""
    found = session.exec(
        select(Case, Item, Assessment)
        .join(Item, col(Item.id) == col(Case.item_id))
        .join(Assessment, col(Assessment.id) == col(Case.assessment_id))
        .where(col(Case.id) == case_id)
    ).first()
    if found is None:
        raise LookupError(f"case {case_id} does not exist")
    case, item, assessment = found
    events = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == "acted")
        .order_by(col(CaseEvent.at), col(CaseEvent.id))
    ).all()
    history = tuple(
        HistoryLine(ActionId(e.details["action"]), e.actor, e.platform, e.at,
                    dict(e.details.get("values", {})))
        for e in events
    )
    account = policy.account(case.account_id) if case.account_id else None
    duty = (responsibility(session, policy=policy, account=account, now=now)
            if account else None)
    categories = tuple(assessment.categories)
    seen: set[tuple[str, str]] = set()
    reasons = []
    for evidence in assessment.evidence:
        key = (evidence["category"], mask_personal_data(evidence["text"]))
        if key not in seen:
            seen.add(key)
            reasons.append(Reason(*key))
    return CaseView(
        case_id=case_id,
        state=CaseState(case.state),
        acute=case.acute,
        categories=categories,
        reasons=tuple(reasons),
        advice=tuple(assessment.advice),
        text=mask_personal_data(item.text),
        author=item.author_name,
        account_name=account.name if account else item.account_external_id,
        platform=item.platform,
        kind=item.kind,
        created_at=item.created_at,
        permalink=item.permalink,
        removed=item.removed_at is not None,
        history=history,
        missing=_missing(categories, {h.action for h in history}, CaseState(case.state)),
        responsible=duty.responsible if duty else None,
        hidden=item.hidden,
        covering_for=duty.absent if duty else None,
    )
