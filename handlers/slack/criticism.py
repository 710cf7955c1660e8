"""The manager acknowledges serious criticism from their direct message."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.db import session_scope
from bot.domain.actions import ActionId
from bot.domain.cases import CaseClosedError, record_action
from bot.domain.timeline import case_events
from handlers.slack.case_actions import case_id_of

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)


def criticism_sent_to(rt: Runtime, case_id: int, person_id: str) -> bool:
    """True when this case's criticism was sent to this person."""
    with Session(rt.engine) as session:
        return any(e.details.get("to") == person_id
                   for e in case_events(session, case_id) if e.kind == "criticism_sent")


def register(app: App, rt: Runtime) -> None:
    """Register the Kvittera button."""

    @app.action(ActionId.ACK_CRITICISM.value)
    def on_ack(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        case_id = case_id_of(body)
        person = rt.policy.person_by_slack_id(user)
        channel = (body.get("channel") or {}).get("id") or ""
        if case_id is None or person is None or not criticism_sent_to(rt, case_id, person.id):
            client.chat_postEphemeral(channel=channel, user=user, text=rt.t.gettext(
                "Only the manager the criticism was sent to can acknowledge it."))
            return
        try:
            with session_scope(rt.engine) as session:
                record_action(session, case_id=case_id, action=ActionId.ACK_CRITICISM,
                              actor=user, platform="slack", details={}, policy=rt.policy,
                              now=rt.clock())
        except CaseClosedError:
            pass  # already followed up: nothing left to acknowledge on the card
        rt.wake_outbox()
        message_ts = (body.get("message") or {}).get("ts")
        if message_ts:
            client.chat_update(channel=channel, ts=message_ts, blocks=[], text=rt.t.gettext(
                "Acknowledged. The case's thread says so, and the team sees it on the card."))
