"""Never unattended: absences and handovers recorded in Slack, cases routed to the deputy, the
status trigger, the daily check and the App Home. Clock injected, Slack over real HTTP."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import Session, select

from bot.domain.models import Absence, StatusAlert
from bot.risk.types import Assessment, Category
from scheduler.jobs import run_sweep
from tests.conftest import SIGNING_SECRET, FakeClock, Server
from tests.helpers import events, fb_comment, only_case, post_meta, post_slack, wait_until
from tests.standins.signing import (
    FORM_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    slack_event_body,
    slack_signed_headers,
    slack_view_submission,
)

SE = ZoneInfo("Europe/Stockholm")


def individual_case(_text: str) -> Assessment:
    return Assessment(categories=(Category.INDIVIDUAL_CASE,), acute=False, ruleset_version="t")


def slash(server: Server, command: str, text: str, user: str = "U1") -> httpx.Response:
    body = urlencode(
        {
            "command": command,
            "text": text,
            "user_id": user,
            "team_id": "T1",
            "channel_id": "C1",
            "trigger_id": "1.2.3",
            "response_url": "https://hooks.slack.com/commands/1",
        }
    ).encode()
    headers = {"content-type": FORM_CONTENT_TYPE, **slack_signed_headers(SIGNING_SECRET, body)}
    return httpx.post(f"{server.url}/slack/events", content=body, headers=headers)


def event(server: Server, payload: dict[str, Any]) -> httpx.Response:
    body = slack_event_body(payload)
    headers = {"content-type": JSON_CONTENT_TYPE, **slack_signed_headers(SIGNING_SECRET, body)}
    return httpx.post(f"{server.url}/slack/events", content=body, headers=headers)


def submit_absence(
    server: Server, *, user: str, person: str, period: str, deputy: str, action: str = "absence"
) -> httpx.Response:
    state = {
        "person": {"form.person": {"type": "users_select", "selected_user": person}},
        "period": {"form.period": {"type": "plain_text_input", "value": period}},
        "deputy": {"form.deputy": {"type": "users_select", "selected_user": deputy}},
        "accounts": {"form.accounts": {"type": "multi_static_select", "selected_options": []}},
    }
    body = slack_view_submission(
        callback_id="absence_form",
        user=user,
        state_values=state,
        private_metadata=json.dumps({"action": action}),
    )
    return post_slack(server.url, body)


def sweep(server: Server) -> None:
    run_sweep(server.runtime)
    while server.runtime.worker.run_once():
        pass


def test_franvaro_hands_open_cases_to_the_deputy_and_routes_reminders(start_server) -> None:
    clock = FakeClock(datetime(2026, 11, 18, 9, 0, tzinfo=SE))  # Wednesday
    server = start_server(clock=clock, background=False, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende"))
    sweep(server)
    case = only_case(server.runtime.engine)

    assert slash(server, "/frånvaro", "idag–fredag").status_code == 200
    modal = server.slack.wait_for("views.open")[0].body["view"]
    inputs = {b["block_id"].split(":")[0]: b for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["period"]["element"]["initial_value"] == "idag–fredag"
    assert inputs["person"]["element"]["initial_user"] == "U1"

    bad = submit_absence(server, user="U1", person="U1", period="nästa tisdag", deputy="U2")
    assert bad.json()["response_action"] == "errors" and "period" in str(bad.json()["errors"])
    ok = submit_absence(server, user="U1", person="U1", period="idag–fredag", deputy="U2")
    assert ok.status_code == 200 and ok.content in (b"", b"null")
    with Session(server.runtime.engine) as session:
        absence = session.exec(select(Absence)).one()
    assert (absence.person_id, absence.deputy_id) == ("anna", "karim")
    assert absence.starts_on.isoformat() == "2026-11-18" and absence.ends_on.isoformat() == (
        "2026-11-20"
    )
    sweep(server)
    line = server.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: "<@U2>" in str(c.body.get("text")) and c.body.get("thread_ts"),
    )[0].body
    assert "Anna Lindqvist är frånvarande" in line["text"] and "<@U1>" not in line["text"]
    assert events(server.runtime.engine, case.id, "handed_over")
    card = json.dumps(server.slack.calls("chat.update")[-1].body, ensure_ascii=False)
    assert "Anna Lindqvist är frånvarande" in card and "<@U2>" in card

    clock.now = datetime(2026, 11, 18, 12, 0, tzinfo=SE)
    sweep(server)
    reminder = [
        c.body
        for c in server.slack.calls("chat.postMessage")
        if "Påminnelse" in str(c.body.get("text"))
    ][-1]
    assert "<@U2>" in reminder["text"] and "<@U1>" not in reminder["text"]
    dm_users = [c.body["users"] for c in server.slack.calls("conversations.open")]
    assert "U1" not in str(dm_users) and "U2" in str(dm_users)


def test_an_away_status_without_handover_is_nagged_until_one_exists(start_server) -> None:
    clock = FakeClock(datetime(2026, 11, 18, 9, 0, tzinfo=SE))
    server = start_server(clock=clock, background=False)
    status = {
        "type": "user_status_changed",
        "user": {
            "id": "U1",
            "profile": {"status_text": "Sjuk", "status_emoji": ":face_with_thermometer:"},
        },
    }
    assert event(server, status).status_code == 200
    wait_until(lambda: _alerts(server) == 1)
    sweep(server)
    assert [c.body["users"] for c in server.slack.calls("conversations.open")] in ([["U1"]], ["U1"])
    clock.now = datetime(2026, 11, 18, 11, 30, tzinfo=SE)
    sweep(server)
    assert "U3" in str([c.body["users"] for c in server.slack.calls("conversations.open")])
    submit_absence(server, user="U1", person="U1", period="idag", deputy="U2")
    clock.now = datetime(2026, 11, 18, 14, 0, tzinfo=SE)
    sweep(server)
    with Session(server.runtime.engine) as session:
        alert = session.exec(select(StatusAlert)).one()
    assert alert.resolved_at is not None and alert.resolution == "handover_recorded"


def _alerts(server: Server) -> int:
    with Session(server.runtime.engine) as session:
        return len(session.exec(select(StatusAlert)).all())


def test_an_account_with_nobody_present_is_reported_to_the_manager(start_server) -> None:
    clock = FakeClock(datetime(2026, 11, 18, 8, 0, tzinfo=SE))
    server = start_server(clock=clock, background=False)
    submit_absence(server, user="U1", person="U1", period="idag", deputy="U2")
    submit_absence(server, user="U2", person="U2", period="idag", deputy="U1")
    sweep(server)
    manager_dms = [
        c.body for c in server.slack.calls("chat.postMessage") if c.body.get("channel") == "DU3"
    ]
    assert manager_dms and "överlämning" in manager_dms[0]["text"]
    count = len(manager_dms)
    sweep(server)  # the same day: told once
    assert (
        len([c for c in server.slack.calls("chat.postMessage") if c.body.get("channel") == "DU3"])
        == count
    )


def test_the_app_home_shows_my_cases_who_is_away_and_my_absences(start_server) -> None:
    clock = FakeClock(datetime(2026, 11, 18, 9, 0, tzinfo=SE))
    server = start_server(clock=clock, background=False, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende"))
    sweep(server)
    submit_absence(server, user="U1", person="U1", period="idag–fredag", deputy="U2")
    event(server, {"type": "app_home_opened", "user": "U2", "tab": "home"})
    home = [
        c for c in server.slack.wait_for("views.publish", count=2) if c.body.get("user_id") == "U2"
    ][-1].body["view"]
    shown = json.dumps(home, ensure_ascii=False)
    assert "Ärende 1" in shown and "täcker upp för Anna Lindqvist" in shown
    assert "Anna Lindqvist: 2026-11-18–2026-11-20; Karim Haddad" in shown
    mine = [c for c in server.slack.calls("views.publish") if c.body.get("user_id") == "U1"][-1]
    assert "Ta bort" in json.dumps(mine.body, ensure_ascii=False)
