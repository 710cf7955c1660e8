"""The four case buttons: ack at once, check who pressed, open the form."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.db import session_scope
from bot.domain.actions import CASE_BUTTONS, ActionId
from bot.domain.case_view import load_case_view
from bot.domain.cases import record_refusal
from bot.domain.models import Case, CaseState
from bot.domain.permissions import may_act
from bot.slack.blocks import modal_for
from bot.slack.chat import SlackChat

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
    if may_act(policy=rt.policy, case=case, user_id=user, channel_members=chat.channel_members):
        return True
    refuse(rt, client, case=case, user=user, action=action, channel=channel)
    return False


def register(app: App, rt: Runtime, chat: SlackChat) -> None:
    """Register one listener per case button."""

    def on_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        action = ActionId(body["actions"][0]["action_id"])
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        try:
            case_id = int(body["actions"][0]["value"])
        except (KeyError, ValueError):
            logger.warning("slack: button without a case id")
            return
        with Session(rt.engine) as session:
            case = session.get(Case, case_id)
            if case is None:
                logger.warning("slack: button for unknown case %s", case_id)
                return
            if case.state == CaseState.FOLLOWED_UP:
                client.chat_postEphemeral(channel=channel or case.channel or "", user=user,
                                          text=rt.t.gettext("This case is already followed up "
                                                            "and closed."))
                return
            if not check_allowed(rt, chat, client, case=case, user=user, action=action.value,
                                 channel=channel):
                return
            view = load_case_view(session, case_id, rt.policy)
        client.views_open(trigger_id=body["trigger_id"],
                          view=modal_for(action, case_id, rt.t, view))

    for action in CASE_BUTTONS:
        app.action(action.value)(on_button)
