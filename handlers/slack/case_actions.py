"""Card buttons: ack at once, check who pressed, then open the form or the history."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.db import session_scope
from bot.domain.actions import FORM_ACTIONS, ActionId
from bot.domain.cases import CaseClosedError, record_action, record_refusal
from bot.domain.duty import responsible_now
from bot.domain.form_context import build_form_context
from bot.domain.forms import form_for
from bot.domain.models import Case, CaseState
from bot.domain.permissions import may_act
from bot.domain.timeline import case_events, describe_event
from bot.slack.blocks import person_formatter
from bot.slack.chat import SlackChat
from bot.slack.escape import slack_escape
from bot.slack.modals import form_modal, history_modal

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)


def refuse(rt: Runtime, client: WebClient, *, case: Case, user: str, action: str,
           channel: str | None) -> None:
    """Tell the presser they may not act, and keep the attempt in the timeline."""
    assert case.id is not None
    with session_scope(rt.engine) as session:
        record_refusal(session, case_id=case.id, action=action, actor=user, platform="slack",
                       now=rt.clock())
    logger.warning("slack: refused %s on case %s (not allowed by the policy)", action, case.id)
    client.chat_postEphemeral(channel=channel or case.channel or "", user=user, text=rt.t.gettext(
        "Only the people the policy names for this account may act on this case. "
        "Ask the responsible communicator."))


def check_allowed(rt: Runtime, chat: SlackChat, client: WebClient, *, case: Case, user: str,
                  action: str, channel: str | None) -> bool:
    """True when the user may act; otherwise refuses them and returns False."""
    account = rt.policy.account(case.account_id) if case.account_id else None
    with Session(rt.engine) as session:
        present = (responsible_now(session, policy=rt.policy, account=account, now=rt.clock())
                   if account else None)
    if may_act(policy=rt.policy, case=case, user_id=user, channel_members=chat.channel_members,
               covering=present.slack_id if present else None):
        return True
    refuse(rt, client, case=case, user=user, action=action, channel=channel)
    return False


def case_id_of(body: dict[str, Any]) -> int | None:
    """The case id a button carries (its only payload)."""
    try:
        return int(body["actions"][0]["value"])
    except (KeyError, IndexError, ValueError):
        return None


def register(app: App, rt: Runtime, chat: SlackChat) -> None:
    """Register one listener per case button."""

    def on_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        action = ActionId(body["actions"][0]["action_id"])
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        case_id = case_id_of(body)
        with Session(rt.engine) as session:
            case = session.get(Case, case_id) if case_id is not None else None
            if case is None or case_id is None:
                logger.warning("slack: %s for an unknown case", action.value)
                return
            if case.state == CaseState.FOLLOWED_UP and action != ActionId.HISTORY:
                client.chat_postEphemeral(channel=channel or case.channel or "", user=user,
                                          text=rt.t.gettext("This case is already followed up "
                                                            "and closed."))
                return
            if not check_allowed(rt, chat, client, case=case, user=user, action=action.value,
                                 channel=channel):
                return
            if action == ActionId.HISTORY:
                fmt = person_formatter(rt.policy)
                lines = [describe_event(e, rt.t, fmt, slack_escape)
                         for e in case_events(session, case_id)]
                modal = history_modal(case_id, lines, rt.t)
            else:
                ctx = build_form_context(session, case_id=case_id, action=action,
                                         playbook=rt.playbook, now=rt.clock())
                modal = form_modal(form_for(action, ctx, rt.t), case_id, rt.t, ctx.view)
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    for action in (*FORM_ACTIONS, ActionId.HISTORY):
        app.action(action.value)(on_button)

    @app.action(ActionId.LOOKING.value)
    def on_looking(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """ "Jag tittar på det": the next reminder waits one interval, and the thread says who."""
        ack()
        user = body["user"]["id"]
        case_id = case_id_of(body)
        with Session(rt.engine) as session:
            case = session.get(Case, case_id) if case_id is not None else None
            if case is None or case_id is None:
                return
            if not check_allowed(rt, chat, client, case=case, user=user,
                                 action=ActionId.LOOKING.value, channel=case.channel):
                return
        try:
            with session_scope(rt.engine) as session:
                record_action(session, case_id=case_id, action=ActionId.LOOKING, actor=user,
                              platform="slack", details={}, policy=rt.policy, now=rt.clock())
        except CaseClosedError:
            return
        rt.wake_outbox()
