"""A case's whole timeline: kept thread replies, and every event told as a line of text."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.domain.actions import ActionId
from bot.domain.cases import note_activity
from bot.domain.forms import N_
from bot.domain.models import Case, CaseEvent, ChatMessageRef
from bot.domain.notices import PersonFormatter, TextFormatter, action_summary, detail_lines
from bot.domain.policy import Policy
from bot.i18n import Translator

_PLAIN_EVENTS = {
    "opened": N_("The case was opened"),
    "nagged": N_("Reminder sent"),
    "edited": N_("The author edited the text"),
    "removed": N_("The author removed the text"),
    "replied": N_("The reply was posted"),
    "criticism_sent": N_("Sent to the responsible manager"),
    "saved_before_removal": N_("Content, sender and time saved before removal"),
    "moderated": N_("The comment was hidden or deleted"),
    "delivery_failed": N_("A call to Meta failed"),
    "escalated": N_("Escalated"),
}


def record_thread_reply(
    session: Session, *, platform: str, channel: str, thread_id: str, user: str, text: str,
    policy: Policy, now: datetime,
) -> int | None:
    """Keep a person's reply in a card's thread in the case's timeline; returns the case id."""
    ref = session.exec(
        select(ChatMessageRef).where(ChatMessageRef.platform == platform,
                                     ChatMessageRef.channel == channel,
                                     ChatMessageRef.message_id == thread_id)
    ).first()
    if ref is None:
        return None
    session.add(CaseEvent(case_id=ref.case_id, at=now, kind="thread_reply", actor=user,
                          platform=platform, details={"text": text[:4000]}))
    case = session.get(Case, ref.case_id)
    if case is not None:
        note_activity(session, case, policy=policy, now=now)
    return ref.case_id


def case_events(session: Session, case_id: int) -> list[CaseEvent]:
    """Every event of a case, oldest first."""
    return list(session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case_id)
        .order_by(col(CaseEvent.at), col(CaseEvent.id))
    ).all())


def describe_event(event: CaseEvent, t: Translator, person: PersonFormatter,
                   text: TextFormatter) -> str:
    """One timeline line, e.g. "14:05 Polisanmälan gjord av Anna ..."."""
    stamp = t.when(event.at)
    actor = person(event.actor, event.platform) if event.actor else None
    details = event.details or {}
    if event.kind == "acted":
        body = action_summary(t, ActionId(details["action"]), details=details.get("values", {}),
                              actor=actor or "–", at=event.at, text=text)
    elif event.kind == "thread_reply":
        body = t.gettext("{actor} wrote in the thread: {text}").format(
            actor=actor, text=text(str(details.get("text", ""))))
    elif event.kind == "refused":
        body = t.gettext("{actor} tried to act without permission").format(actor=actor)
    elif event.kind == "follow_up_pending":
        body = t.gettext("{actor}: follow-up not confirmed yet, remind again {time}").format(
            actor=actor, time=t.when(datetime.fromisoformat(details["next"])))
    else:
        body = t.gettext(_PLAIN_EVENTS.get(event.kind, event.kind))
        extras = detail_lines(t, details, text)
        if extras:
            body += " (" + "; ".join(extras) + ")"
    return f"{stamp} · {body}"
