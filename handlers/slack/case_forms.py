"""Form submissions and live form updates: validate, carry out the routine, let the outbox post."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlmodel import Session

from bot.db import session_scope
from bot.domain.actions import ActionId
from bot.domain.case_actions import submit_form
from bot.domain.cases import CaseClosedError
from bot.domain.form_context import build_form_context
from bot.domain.forms import form_for, validate_form
from bot.domain.models import Case
from bot.slack.chat import SlackChat
from bot.slack.modals import FIELD_PREFIX, FORM_CALLBACK, field_errors, form_modal, submitted_values
from handlers.slack.case_actions import check_allowed

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)


def _metadata(view: dict[str, Any]) -> tuple[ActionId, int]:
    meta = json.loads(view.get("private_metadata") or "{}")
    return ActionId(meta["action"]), int(meta["case_id"])


def register(app: App, rt: Runtime, chat: SlackChat) -> None:
    """Register the listeners for every case form."""

    @app.action(re.compile("^" + re.escape(FIELD_PREFIX)))
    def on_field_change(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A field the guidance or the draft depends on changed: rebuild the form in place."""
        ack()
        view = body["view"]
        action, case_id = _metadata(view)
        values = submitted_values(view["state"]["values"])
        with Session(rt.engine) as session:
            ctx = build_form_context(session, case_id=case_id, action=action,
                                     playbook=rt.playbook, now=rt.clock(), values=values)
        client.views_update(view_id=view["id"], hash=view.get("hash"),
                            view=form_modal(form_for(action, ctx, rt.t), case_id, rt.t, ctx.view))

    @app.view(FORM_CALLBACK)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        action, case_id = _metadata(view)
        values = submitted_values(view["state"]["values"])
        now = rt.clock()
        with Session(rt.engine) as session:
            ctx = build_form_context(session, case_id=case_id, action=action,
                                     playbook=rt.playbook, now=now, values=values)
        spec = form_for(action, ctx, rt.t)
        errors = validate_form(spec, values, now=now, t=rt.t)
        if errors:
            ack(response_action="errors", errors=field_errors(view, errors))
            return
        ack()
        user = body["user"]["id"]
        with Session(rt.engine) as session:
            case = session.get(Case, case_id)
            if case is None or not check_allowed(rt, chat, client, case=case, user=user,
                                                  action=action.value, channel=case.channel):
                return
            channel = case.channel or ""
        try:
            with session_scope(rt.engine) as session:
                submit_form(session, case_id=case_id, action=action, actor=user,
                            platform="slack", values=values, playbook=rt.playbook, now=now,
                            colleague_in_channel=lambda u: u in chat.channel_members(channel))
        except CaseClosedError:
            client.chat_postEphemeral(
                channel=channel, user=user,
                text=rt.t.gettext("This case is already followed up and closed; "
                                  "nothing more was recorded."))
            return
        logger.info("slack: case %s %s recorded", case_id, action.value)
        rt.wake_outbox()
