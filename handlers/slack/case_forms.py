"""Form submissions: validate, record the action, and let the outbox update card and thread."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.db import session_scope
from bot.domain.actions import ActionId
from bot.domain.cases import CaseClosedError, record_action
from bot.domain.forms import validate_form
from bot.domain.models import Case
from bot.slack.blocks import FORM_CALLBACK, submitted_values
from bot.slack.chat import SlackChat
from handlers.slack.case_actions import check_allowed

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)


def register(app: App, rt: Runtime, chat: SlackChat) -> None:
    """Register the listener for every case form."""

    @app.view(FORM_CALLBACK)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        action = ActionId(meta["action"])
        case_id = int(meta["case_id"])
        values = submitted_values(view["state"]["values"])
        errors = validate_form(action, values)
        if errors:
            ack(response_action="errors",
                errors={field: rt.t.gettext(message) for field, message in errors.items()})
            return
        ack()
        user = body["user"]["id"]
        with Session(rt.engine) as session:
            case = session.get(Case, case_id)
            if case is None or not check_allowed(rt, chat, client, case=case, user=user,
                                                  action=action.value, channel=case.channel):
                return
        try:
            with session_scope(rt.engine) as session:
                record_action(session, case_id=case_id, action=action, actor=user,
                              platform="slack", values=values, policy=rt.policy, now=rt.clock())
        except CaseClosedError as closed:
            client.chat_postEphemeral(
                channel=closed.case.channel or "", user=user,
                text=rt.t.gettext("This case is already followed up and closed; "
                                  "nothing more was recorded."))
            return
        logger.info("slack: case %s %s recorded", case_id, action.value)
        rt.wake_outbox()
