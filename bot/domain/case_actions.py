"""What each form does when it is submitted: the routine, step by step, recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain import outbox
from bot.domain.actions import ActionId
from bot.domain.cases import record_action
from bot.domain.forms import parse_local_datetime
from bot.domain.models import OPEN_STATES, Case, CaseEvent, Item, OutgoingReply
from bot.domain.moderation import request_moderation
from bot.domain.nagging import nag_after
from bot.domain.notices import CONSULT, FOLLOW_UP_LATER, Notice
from bot.domain.playbook import Playbook
from bot.domain.replies import fingerprint


def _values(values: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v.strip() for k, v in values.items() if v and v.strip()}


def submit_form(
    session: Session, *, case_id: int, action: ActionId, actor: str, platform: str,
    values: Mapping[str, str | None], playbook: Playbook, now: datetime,
    colleague_in_channel: Callable[[str], bool] = lambda _user: True,
) -> None:
    """Carry out a validated form (in the caller's transaction)."""
    v = _values(values)
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"case {case_id} does not exist")
    item = session.get(Item, case.item_id)
    assert item is not None
    policy = playbook.policy
    if action == ActionId.REFER:
        _refer(session, case=case, item=item, v=v, actor=actor, platform=platform,
               playbook=playbook, now=now)
    elif action == ActionId.POLICE_REPORT:
        details = {k: v.get(k) for k in ("ongoing", "reference", "note")}
        record_action(session, case_id=case_id, action=action, actor=actor, platform=platform,
                      details=details, policy=policy, now=now)
        if v.get("hide_now") == "yes":
            request_moderation(session, case_id=case_id, item=item, operation="hide",
                               reason="threat", note=v.get("note"), actor=actor, now=now)
    elif action == ActionId.SOCIAL_SERVICES_REPORT:
        details = {k: v.get(k) for k in ("route", "reference", "note")}
        record_action(session, case_id=case_id, action=action, actor=actor, platform=platform,
                      details=details, policy=policy, now=now)
    elif action == ActionId.FOLLOW_UP:
        _follow_up(session, case=case, v=v, actor=actor, platform=platform, playbook=playbook,
                   now=now)
    elif action == ActionId.MODERATE:
        record_action(session, case_id=case_id, action=action, actor=actor, platform=platform,
                      details={k: v.get(k) for k in ("operation", "reason", "note")},
                      policy=policy, now=now)
        request_moderation(session, case_id=case_id, item=item, operation=v["operation"],
                           reason=v["reason"], note=v.get("note"), actor=actor, now=now)
    elif action == ActionId.CONSULT:
        _consult(session, case=case, v=v, actor=actor, platform=platform, playbook=playbook,
                 now=now, in_channel=colleague_in_channel(v["colleague"]))
    else:
        raise ValueError(f"{action} has no form")


def _refer(session: Session, *, case: Case, item: Item, v: dict[str, str], actor: str,
           platform: str, playbook: Playbook, now: datetime) -> None:
    assert case.id is not None
    contact = playbook.contacts.get(v["contact"])
    delivery = v.get("delivery", "none")
    details = {"contact_id": v["contact"], "contact_name": contact.name if contact else None,
               "delivery": delivery, "reply_kind": v.get("reply_kind"), "note": v.get("note")}
    record_action(session, case_id=case.id, action=ActionId.REFER, actor=actor,
                  platform=platform, details=details, policy=playbook.policy, now=now)
    text = v.get("reply")
    if delivery == "none" or not text:
        return
    reply = OutgoingReply(
        case_id=case.id, account_id=case.account_id, kind=v.get("reply_kind", "refer"),
        contact_id=v["contact"], text=text, fingerprint=fingerprint(text), method=delivery,
        requested_by=actor, requested_at=now, posted_at=now if delivery == "manual" else None)
    session.add(reply)
    session.flush()
    if delivery == "graph":
        outbox.enqueue(session, op=outbox.GRAPH_REPLY, now=now, case_id=case.id,
                       target=f"meta:{item.account_external_id}",
                       payload={"reply_id": reply.id})


def follow_up_time(choice: str, *, at: str | None, playbook: Playbook, now: datetime,
                   acute: bool = False) -> datetime:
    """When "påminn igen" should remind: in an hour (of office time, where reminders pause),
    tomorrow morning, or the chosen time."""
    if choice == "1h":
        return nag_after(playbook.policy, acute=acute, start=now, delta=timedelta(hours=1))
    if choice == "morning":
        return playbook.policy.office_hours.next_morning(now)
    chosen = parse_local_datetime(at or "")
    if chosen is None:
        raise ValueError("a chosen time is required")
    return chosen


def _follow_up(session: Session, *, case: Case, v: dict[str, str], actor: str, platform: str,
               playbook: Playbook, now: datetime) -> None:
    assert case.id is not None
    if v.get("outcome", "confirmed") == "confirmed":
        record_action(session, case_id=case.id, action=ActionId.FOLLOW_UP, actor=actor,
                      platform=platform, policy=playbook.policy, now=now,
                      details={k: v.get(k) for k in ("confirmed_by", "note")})
        return
    if case.state not in OPEN_STATES:
        from bot.domain.cases import CaseClosedError

        raise CaseClosedError(case)
    when = follow_up_time(v["remind"], at=v.get("remind_at"), playbook=playbook, now=now,
                          acute=case.acute)
    case.next_nag_at, case.activity_at, case.escalation_level = when, now, 0
    case.last_actor, case.last_action, case.last_action_at = actor, "follow_up_later", now
    session.add(case)
    session.add(CaseEvent(case_id=case.id, at=now, kind="follow_up_pending", actor=actor,
                          platform=platform, details={"next": when.isoformat(),
                                                      "note": v.get("note")}))
    outbox.enqueue(session, op=outbox.UPDATE_CARD, now=now, case_id=case.id, target=case.channel)
    notice = Notice(FOLLOW_UP_LATER, case.id, {"actor": actor, "actor_platform": platform,
                                               "next": when.isoformat()})
    outbox.enqueue_notice(session, notice, now=now, channel=case.channel)


def _consult(session: Session, *, case: Case, v: dict[str, str], actor: str, platform: str,
             playbook: Playbook, now: datetime, in_channel: bool) -> None:
    assert case.id is not None
    colleague = v["colleague"]
    person = playbook.policy.person(colleague) or playbook.policy.person_by_slack_id(colleague)
    record_action(session, case_id=case.id, action=ActionId.CONSULT, actor=actor,
                  platform=platform, policy=playbook.policy, now=now,
                  details={"colleague": colleague,
                           "colleague_name": person.name if person else colleague,
                           "note": v.get("question")})
    notice = Notice(CONSULT, case.id, {"person": person.id if person else None,
                                       "chat_user": colleague, "actor": actor,
                                       "actor_platform": platform, "question": v["question"]})
    if in_channel:
        outbox.enqueue_notice(session, notice, now=now, channel=case.channel)
    else:
        outbox.enqueue(session, op=outbox.DIRECT, now=now, case_id=case.id,
                       target=f"dm:{colleague}"[:64],
                       payload={"notice": notice.to_payload(), "chat_user": colleague,
                                "person_id": person.id if person else None})
