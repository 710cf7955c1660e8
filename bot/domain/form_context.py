"""Build what a form needs: suggested contact, a fresh reply draft, office hours, colleagues."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.domain.actions import ActionId
from bot.domain.case_view import load_case_view
from bot.domain.contacts import Contact
from bot.domain.forms import FormContext
from bot.domain.models import Case, Item, OutgoingReply
from bot.domain.playbook import Playbook
from bot.domain.replies import NoFreshReplyError, draft_reply

REPLY_MEMORY = timedelta(days=90)


def recent_fingerprints(session: Session, account_id: str | None, now: datetime) -> set[str]:
    """Fingerprints of the replies an account posted within 90 days (never repeat one)."""
    rows = session.exec(
        select(OutgoingReply.fingerprint).where(
            OutgoingReply.account_id == account_id,
            col(OutgoingReply.requested_at) >= now - REPLY_MEMORY)
    ).all()
    return set(rows)


def _reply_kind(categories: tuple[str, ...], values: Mapping[str, str | None]) -> str:
    chosen = values.get("reply_kind")
    if chosen in ("refer", "insist", "crisis"):
        return str(chosen)
    return "crisis" if "crisis" in categories else "refer"


def make_draft(session: Session, *, case: Case, contact: Contact | None, kind: str,
               playbook: Playbook, now: datetime) -> str | None:
    """A reply not posted on this account within 90 days, or None when none can be made."""
    if contact is None:
        return None
    policy = playbook.policy
    account = policy.account(case.account_id) if case.account_id else None
    manager = policy.manager_of(account) if account else None
    try:
        draft = draft_reply(
            playbook.replies, contact=contact, kind=kind,  # type: ignore[arg-type]
            seed=case.id or 0, avoid=recent_fingerprints(session, case.account_id, now),
            manager_name=manager.name if manager else None,
            manager_contact=(manager.email or manager.phone) if manager else None)
    except NoFreshReplyError:
        return None  # every variant was used within 90 days: the communicator writes one
    except ValueError:
        return None  # e.g. "insist" on an account whose area names no manager
    return draft.text


def build_form_context(
    session: Session, *, case_id: int, action: ActionId, playbook: Playbook, now: datetime,
    values: Mapping[str, str | None] | None = None,
) -> FormContext:
    """Everything the form for this case and button needs right now."""
    values = dict(values or {})
    view = load_case_view(session, case_id, playbook.policy, now)
    case = session.get(Case, case_id)
    item = session.get(Item, case.item_id) if case else None
    assert case is not None and item is not None
    policy = playbook.policy
    suggested: tuple[Contact, ...] = ()
    draft = None
    if action == ActionId.REFER:
        suggested = tuple(playbook.contacts.suggest(view.categories, item.text, limit=3))
        wanted = values.get("contact")
        chosen = playbook.contacts.get(wanted) if wanted else None
        contact = chosen or (suggested[0] if suggested else None)
        draft = make_draft(session, case=case, contact=contact,
                           kind=_reply_kind(view.categories, values), playbook=playbook, now=now)
    colleagues = tuple((p.slack_id or p.id, p.name) for p in policy.people)
    return FormContext(
        view=view, now=now, contacts=tuple(playbook.contacts.all()), suggested=suggested,
        draft=draft, in_office_hours=policy.office_hours.is_open(now),
        intake=playbook.route(policy.routes.social_services_intake),
        socialjour=playbook.route(policy.routes.socialjour),
        colleagues=colleagues, values=values,
    )
