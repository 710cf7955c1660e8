"""/frånvaro, /överlämning and the App Home: who is away, who covers, and the status trigger."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.db import session_scope
from bot.domain.absence import AbsenceError, cancel_absence
from bot.domain.absence_forms import absence_form, submit_absence
from bot.domain.actions import ActionId
from bot.domain.forms import validate_form
from bot.domain.home import home_data
from bot.domain.models import Absence
from bot.domain.status import on_status_changed
from bot.slack.home import home_view
from bot.slack.modals import field_errors, form_modal, submitted_values

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)
ABSENCE_CALLBACK = "absence_form"
COMMANDS = {"/frånvaro": ActionId.ABSENCE, "/överlämning": ActionId.HANDOVER}


def publish_home(rt: Runtime, client: WebClient, user: str) -> None:
    """Show a person their home tab (people outside the policy see who is away)."""
    person = rt.policy.person_by_slack_id(user)
    now = rt.clock()
    with Session(rt.engine) as session:
        data = home_data(session, policy=rt.policy, person_id=person.id if person else user,
                         now=now)
    links: dict[int, str] = {}
    for case in (*data.mine, *data.covered):
        if case.channel and case.message_id:
            try:
                links[case.case_id] = str(client.chat_getPermalink(
                    channel=case.channel, message_ts=case.message_id)["permalink"])
            except SlackApiError:
                logger.warning("home: no permalink for case %s", case.case_id)
    client.views_publish(user_id=user, view=home_view(data, rt.t, links))


def _open_form(rt: Runtime, client: WebClient, *, action: ActionId, trigger_id: str, user: str,
               text: str | None) -> None:
    spec = absence_form(action, policy=rt.policy, t=rt.t, presser=user, period=text or None)
    view = form_modal(spec, 0, rt.t, callback=ABSENCE_CALLBACK)
    view["private_metadata"] = json.dumps({"action": action.value})
    client.views_open(trigger_id=trigger_id, view=view)


def register(app: App, rt: Runtime) -> None:
    """Register the commands, the home tab and the status listener."""

    def on_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        _open_form(rt, client, action=COMMANDS[command["command"]],
                   trigger_id=command["trigger_id"], user=command["user_id"],
                   text=command.get("text", "").strip())

    for name in COMMANDS:
        app.command(name)(on_command)

    def on_home_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open_form(rt, client, action=ActionId(body["actions"][0]["action_id"]),
                   trigger_id=body["trigger_id"], user=body["user"]["id"], text=None)

    app.action(ActionId.ABSENCE.value)(on_home_button)
    app.action(ActionId.HANDOVER.value)(on_home_button)

    @app.view(ABSENCE_CALLBACK)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                  client: WebClient) -> None:
        action = ActionId(json.loads(view.get("private_metadata") or "{}")["action"])
        user = body["user"]["id"]
        values = submitted_values(view["state"]["values"])
        now = rt.clock()
        spec = absence_form(action, policy=rt.policy, t=rt.t, presser=user)
        errors = validate_form(spec, values, now=now, t=rt.t)
        if not errors:
            try:
                with session_scope(rt.engine) as session:
                    submit_absence(session, action=action, values=values, policy=rt.policy,
                                   recorded_by=user, source="command", now=now, t=rt.t)
            except AbsenceError as exc:
                errors = {"deputy": str(exc)}
        if errors:
            ack(response_action="errors", errors=field_errors(view, errors))
            return
        ack()
        rt.wake_outbox()
        publish_home(rt, client, user)

    @app.action(ActionId.CANCEL_ABSENCE.value)
    def on_cancel(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        absence_id = int(body["actions"][0]["value"])
        person = rt.policy.person_by_slack_id(user)
        with session_scope(rt.engine) as session:
            absence = session.get(Absence, absence_id)
            if absence is None or person is None or absence.person_id != person.id:
                return  # only the person's own absences have the button
            cancel_absence(session, absence_id=absence_id, by=user, now=rt.clock())
        publish_home(rt, client, user)

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            publish_home(rt, client, event["user"])

    @app.event("user_status_changed")
    def on_status(event: dict[str, Any]) -> None:
        user = event.get("user") or {}
        person = rt.policy.person_by_slack_id(str(user.get("id", "")))
        if person is None:
            return
        profile = user.get("profile") or {}
        with session_scope(rt.engine) as session:
            on_status_changed(session, policy=rt.policy, person_id=person.id,
                              status_text=profile.get("status_text", ""),
                              status_emoji=profile.get("status_emoji", ""), now=rt.clock())
