"""Anna presses a button, fills the form, and the card, thread and timeline say so."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from bot.domain.models import Case, CaseState
from tests.conftest import Server
from tests.helpers import (
    choose,
    events,
    fb_comment,
    only_case,
    post_meta,
    press,
    radio,
    submit,
    text,
)

THREAT = "Jag vet var du bor, jag ska döda dig och din familj"
MENTIONS = "<!channel> @here <@U999> <https://evil.example|Klicka> & *fet* — jag ska döda dig"


def open_case(server: Server, message: str = THREAT) -> Case:
    assert post_meta(server.url, fb_comment(message)).status_code == 200
    server.slack.wait_for("chat.postMessage")
    return only_case(server.runtime.engine)


def test_comment_text_can_never_ping_mention_or_link(server: Server) -> None:
    open_case(server, MENTIONS)
    card = server.slack.calls("chat.postMessage")[0].body
    quoted = next(b for b in card["blocks"] if b["type"] == "section")["text"]
    assert quoted["verbatim"] is True
    assert "&lt;!channel&gt;" in quoted["text"]
    assert "&lt;@U999&gt;" in quoted["text"]
    assert "&lt;https://evil.example|Klicka&gt;" in quoted["text"]
    assert "&amp;" in quoted["text"]
    everything = json.dumps(card, ensure_ascii=False)
    assert "<!channel>" not in everything and "<@U999>" not in everything
    assert "<https://evil.example" not in everything


@pytest.mark.parametrize(("action", "values", "state", "summary"), [
    ("refer", {"contact": choose("socialtjanst-mottagning"), "reply_kind": radio("refer"),
               "reply": text("Hej! Ring socialtjänsten."), "delivery": radio("manual")},
     CaseState.IN_PROGRESS, "Hänvisning gjord av <@U1>"),
    ("police_report", {"ongoing": radio("no"), "reference": text("K-123456-26"),
                       "note": text("Anmält via 114 14")},
     CaseState.REPORTED, "Polisanmälan gjord av <@U1>"),
    ("social_services_report", {"route": radio("intake"), "note": text("Ringde mottagningen")},
     CaseState.REPORTED, "Anmälan till socialtjänsten gjord av <@U1>"),
    ("follow_up", {"outcome": radio("confirmed"), "confirmed_by": radio("person")},
     CaseState.FOLLOWED_UP, "Uppföljning bekräftad av <@U1>"),
])
def test_each_button_opens_its_form_and_records_the_action(
    server: Server, action: str, values: dict, state: CaseState, summary: str
) -> None:
    case = open_case(server)
    assert press(server.url, action, case.id).status_code == 200
    modal = server.slack.wait_for("views.open")[0].body["view"]
    assert json.loads(modal["private_metadata"]) == {"case_id": case.id, "action": action}
    assert submit(server.url, action, case.id, values).status_code == 200

    update = server.slack.wait_for("chat.update")[-1].body
    card_text = json.dumps(update["blocks"], ensure_ascii=False)
    assert summary in card_text
    thread = server.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.body.get("thread_ts"))[0].body
    assert summary in thread["text"]
    acted = events(server.runtime.engine, case.id, "acted")
    assert [(e.actor, e.platform, e.details["action"]) for e in acted] == [
        ("U1", "slack", action)]
    with Session(server.runtime.engine) as session:
        stored = session.get(Case, case.id)
        assert stored is not None and stored.state == state
        if state == CaseState.FOLLOWED_UP:
            assert stored.next_nag_at is None and stored.closed_at is not None
            buttons = [e["action_id"] for b in update["blocks"] if b["type"] == "actions"
                       for e in b["elements"]]
            assert buttons == ["show_history"]  # a closed case keeps only its history


@pytest.mark.parametrize("action", ["police_report", "social_services_report"])
def test_reports_require_a_note(server: Server, action: str) -> None:
    case = open_case(server)
    choice = {"ongoing": radio("yes")} if action == "police_report" else {
        "route": radio("socialjour")}
    response = submit(server.url, action, case.id, choice)
    assert response.status_code == 200
    assert response.json()["response_action"] == "errors"
    assert "note" in response.json()["errors"]
    assert events(server.runtime.engine, case.id, "acted") == []


def test_someone_outside_the_channel_is_refused_and_the_attempt_is_kept(server: Server) -> None:
    case = open_case(server)
    assert press(server.url, "police_report", case.id, user="U666").status_code == 200
    refusal = server.slack.wait_for("chat.postEphemeral")[0].body
    assert refusal["user"] == "U666"
    assert server.slack.calls("views.open") == []
    submit(server.url, "follow_up", case.id,
           {"outcome": radio("confirmed"), "confirmed_by": radio("person")}, user="U666")
    server.slack.wait_for("chat.postEphemeral", count=2)
    assert [e.actor for e in events(server.runtime.engine, case.id, "refused")] == [
        "U666", "U666"]
    assert only_case(server.runtime.engine).state == CaseState.NEW


def test_a_closed_case_says_so_instead_of_opening_a_form(server: Server) -> None:
    case = open_case(server)
    submit(server.url, "follow_up", case.id,
           {"outcome": radio("confirmed"), "confirmed_by": radio("authority")})
    server.slack.wait_for("chat.update")
    press(server.url, "refer", case.id, user="U2")
    assert "redan" in server.slack.wait_for("chat.postEphemeral")[0].body["text"]


def test_a_wrong_slack_signature_is_refused(server: Server) -> None:
    case = open_case(server)
    from tests.helpers import post_slack
    from tests.standins.signing import slack_block_action

    body = slack_block_action(action_id="refer", value=str(case.id))
    assert post_slack(server.url, body, secret="wrong").status_code == 401
    assert server.slack.calls("views.open") == []
