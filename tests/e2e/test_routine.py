"""Every button does what the routine demands: refer with a reply, report, remove after saving,
consult, criticism to the manager, history, and thread replies kept. Transcripts over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from sqlmodel import Session, select

from bot.domain.models import (
    Case,
    CaseState,
    Item,
    OutboxMessage,
    OutboxStatus,
    OutgoingReply,
    RemovalRecord,
)
from bot.domain.moderation import content_hash, snapshot_of
from bot.risk.types import Assessment, Category, Evidence
from tests.conftest import SIGNING_SECRET, FakeClock, Server
from tests.helpers import (
    events,
    fb_comment,
    only_case,
    post_meta,
    post_slack,
    press,
    radio,
    submit,
    text,
    wait_until,
)
from tests.standins.signing import (
    JSON_CONTENT_TYPE,
    slack_block_action,
    slack_event_body,
    slack_signed_headers,
)


def assessed_as(*categories: Category, acute: bool = False) -> Callable[[str], Assessment]:
    def assess(comment: str) -> Assessment:
        evidence = tuple(
            Evidence(c, 0, min(10, len(comment)), comment[:10], "test") for c in categories
        )
        return Assessment(
            categories=categories, acute=acute, evidence=evidence, ruleset_version="test"
        )

    return assess


def open_case(server: Server, message: str) -> Case:
    assert post_meta(server.url, fb_comment(message)).status_code == 200
    server.slack.wait_for("chat.postMessage")
    return only_case(server.runtime.engine)


def modal_inputs(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"].split(":")[0]: b for b in modal["blocks"] if b["type"] == "input"}


def modal_text(modal: dict[str, Any]) -> str:
    return json.dumps(modal["blocks"], ensure_ascii=False)


def test_refer_suggests_the_authority_drafts_a_reply_and_posts_it(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.INDIVIDUAL_CASE))
    case = open_case(server, "Min handläggare har inte svarat om mitt försörjningsstöd på 3 veckor")
    press(server.url, "refer", case.id)
    modal = server.slack.wait_for("views.open")[0].body["view"]
    inputs = modal_inputs(modal)
    contact = inputs["contact"]["element"]["initial_option"]
    assert "Socialtjänst" in contact["text"]["text"]
    draft = inputs["reply"]["element"]["initial_value"]
    phone = contact["text"]["text"].rsplit("(", 1)[1].rstrip(")")
    assert phone in draft and "Jane" not in draft and "försörjningsstöd på 3" not in draft
    assert inputs["contact"]["dispatch_action"] is True

    submit(
        server.url,
        "refer",
        case.id,
        {
            "contact": {"type": "static_select", "selected_option": {"value": contact["value"]}},
            "reply_kind": radio("refer"),
            "reply": text(draft),
            "delivery": radio("graph"),
        },
    )
    posted = server.graph.wait_for("POST", path="/222_333/comments")[0]
    assert posted.params["message"] == draft
    thread = server.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "publicerades" in str(c.body.get("text"))
    )[0].body
    assert thread["thread_ts"]
    with Session(server.runtime.engine) as session:
        reply = session.exec(select(OutgoingReply)).one()
    assert reply.posted_at is not None and reply.external_id and reply.method == "graph"
    update = json.dumps(server.slack.wait_for("chat.update")[-1].body["blocks"], ensure_ascii=False)
    assert "Hänvisning gjord av <@U1>" in update and "Hänvisad till: Socialtjänst" in update
    assert only_case(server.runtime.engine).state == CaseState.IN_PROGRESS


def test_changing_the_authority_redrafts_the_reply_in_place(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.INDIVIDUAL_CASE))
    case = open_case(server, "Bygglovet för vår altan har dröjt i ett halvår")
    press(server.url, "refer", case.id)
    modal = server.slack.wait_for("views.open")[0].body["view"]
    options = modal_inputs(modal)["contact"]["element"]["options"]
    other = next(o for o in options if "Självmord" in o["text"]["text"])
    state = {"contact": {"form.contact": {"type": "static_select", "selected_option": other}}}
    body = slack_block_action(action_id="form.contact", value="", user="U1", state_values=state)
    payload = json.loads(
        __import__("urllib.parse").parse.unquote_plus(body.decode().removeprefix("payload="))
    )
    payload["view"] = {
        "id": "V1",
        "hash": "h",
        "callback_id": "case_form",
        "private_metadata": json.dumps({"case_id": case.id, "action": "refer"}),
        "state": {"values": state},
        "blocks": modal["blocks"],
    }
    payload["container"] = {"type": "view", "view_id": "V1"}
    from urllib.parse import urlencode

    post_slack(server.url, urlencode({"payload": json.dumps(payload)}).encode())
    updated = server.slack.wait_for("views.update")[0].body["view"]
    assert "90101" in modal_inputs(updated)["reply"]["element"]["initial_value"]


def test_a_reply_graph_refuses_is_reported_in_the_thread_not_lost(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.INDIVIDUAL_CASE))
    case = open_case(server, "Mitt ärende om bistånd")
    server.graph.fail_next(status=400, code=190, method="POST")
    submit(
        server.url,
        "refer",
        case.id,
        {
            "contact": {"type": "static_select", "selected_option": {"value": "kontaktcenter"}},
            "reply_kind": radio("refer"),
            "reply": text("Hej! Ring kontaktcenter."),
            "delivery": radio("graph"),
        },
    )
    failure = server.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "för hand" in str(c.body.get("text"))
    )[0].body
    assert failure["thread_ts"]
    with Session(server.runtime.engine) as session:
        reply = session.exec(select(OutgoingReply)).one()
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.op == "graph_reply")).all()
    assert reply.posted_at is None and reply.error
    assert [r.status for r in rows] == [OutboxStatus.FAILED]


def test_a_manual_answer_is_kept_as_a_record_without_calling_meta(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.INDIVIDUAL_CASE))
    case = open_case(server, "Mitt ärende om bistånd")
    submit(
        server.url,
        "refer",
        case.id,
        {
            "contact": {"type": "static_select", "selected_option": {"value": "kontaktcenter"}},
            "reply_kind": radio("refer"),
            "reply": text("Hej, ring oss på kontaktcenter."),
            "delivery": radio("manual"),
        },
    )
    server.slack.wait_for("chat.update")
    with Session(server.runtime.engine) as session:
        reply = session.exec(select(OutgoingReply)).one()
    assert reply.method == "manual" and reply.posted_at is not None
    assert server.graph.calls() == []


def test_police_report_shows_112_first_when_ongoing_and_can_hide_after_saving(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.CRIME, Category.PROHIBITED))
    case = open_case(server, "Jag vet var du bor och jag ska döda dig ikväll")
    server.graph.seed_object(
        "222_333",
        {
            "id": "222_333",
            "message": "Jag vet var du bor",
            "from": {"id": "9001", "name": "Jane Doe"},
        },
    )
    press(server.url, "police_report", case.id)
    modal = server.slack.wait_for("views.open")[0].body["view"]
    assert "hide_now" in modal_inputs(modal)
    assert "skyldig" in modal_text(modal) or "själv" in modal_text(modal)
    submit(
        server.url,
        "police_report",
        case.id,
        {
            "ongoing": radio("yes"),
            "reference": text("K-123456-26"),
            "note": text("Ringde 112 kl 14.03"),
            "hide_now": radio("yes"),
        },
    )
    calls = server.graph.wait_for(count=2)
    assert [(c.method, c.path) for c in calls] == [("GET", "/222_333"), ("POST", "/222_333")]
    assert calls[1].params.get("is_hidden") in ("true", True)
    wait_until(lambda: bool(events(server.runtime.engine, case.id, "moderated")))
    with Session(server.runtime.engine) as session:
        record = session.exec(select(RemovalRecord)).one()
        item = session.get(Item, record.item_id)
        assert item is not None and record.sha256 == content_hash(snapshot_of(item))
        assert record.fresh_copy and record.fresh_copy["message"] == "Jag vet var du bor"
        assert record.reason == "threat" and record.done_at is not None
    acted = events(server.runtime.engine, case.id, "acted")[0]
    assert acted.details["values"] == {
        "ongoing": "yes",
        "reference": "K-123456-26",
        "note": "Ringde 112 kl 14.03",
    }


def test_remove_saves_first_records_the_reason_and_deletes(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.PERSONAL_DATA))
    case = open_case(server, "Hon bor på Storgatan 12, pnr 811218-9876")
    press(server.url, "moderate", case.id)
    modal = server.slack.wait_for("views.open")[0].body["view"]
    assert "sparas först" in modal_text(modal)
    submit(
        server.url,
        "moderate",
        case.id,
        {
            "operation": radio("remove"),
            "reason": {"type": "static_select", "selected_option": {"value": "personal_data"}},
        },
    )
    server.graph.wait_for("DELETE", path="/222_333")
    with Session(server.runtime.engine) as session:
        record = session.exec(select(RemovalRecord)).one()
        assert record.action == "remove" and record.reason == "personal_data"
        assert "811218-9876" in record.content  # the full text is kept in the record only
    card = json.dumps(server.slack.wait_for("chat.update", count=2)[-1].body, ensure_ascii=False)
    assert "811218-9876" not in card


def test_consulting_a_colleague_mentions_them_or_sends_a_direct_message(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.INDIVIDUAL_CASE))
    case = open_case(server, "Mitt ärende")
    submit(
        server.url,
        "consult",
        case.id,
        {
            "colleague": {"type": "users_select", "selected_user": "U2"},
            "question": text("Är det här ett individärende?"),
        },
    )
    line = server.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "din syn" in str(c.body.get("text"))
    )[0].body
    assert line["thread_ts"] and line["text"].startswith("<@U2>")
    submit(
        server.url,
        "consult",
        case.id,
        {
            "colleague": {"type": "users_select", "selected_user": "U9"},
            "question": text("Kan du titta?"),
        },
    )
    server.slack.wait_for("conversations.open", predicate=lambda c: "U9" in str(c.body))


def test_serious_criticism_goes_to_the_manager_who_acknowledges_it(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.SERIOUS_CRITICISM))
    case = open_case(server, "Hemtjänsten lät min mamma ligga i sin urin i två dagar")
    server.slack.wait_for("conversations.open", predicate=lambda c: "U3" in str(c.body))
    dm = server.slack.wait_for(
        "chat.postMessage", predicate=lambda c: str(c.body.get("channel")).startswith("D")
    )[0].body
    assert "Socialförvaltningen" in dm["text"]
    buttons = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["text"]["text"]) for b in buttons] == [("ack_criticism", "Kvittera")]
    post_slack(
        server.url,
        slack_block_action(action_id="ack_criticism", value=str(case.id), user="U1", channel="DU1"),
    )
    assert "chef" in server.slack.wait_for("chat.postEphemeral")[0].body["text"]
    post_slack(
        server.url,
        slack_block_action(action_id="ack_criticism", value=str(case.id), user="U3", channel="DU3"),
    )
    wait_until(lambda: bool(events(server.runtime.engine, case.id, "acted")))
    assert events(server.runtime.engine, case.id, "acted")[0].actor == "U3"


def test_history_shows_the_whole_timeline(start_server) -> None:
    server = start_server(assessor=assessed_as(Category.CRIME))
    case = open_case(server, "Någon har klottrat på skolan")
    submit(
        server.url,
        "police_report",
        case.id,
        {"ongoing": radio("no"), "note": text("Anmält via polisen.se")},
    )
    server.slack.wait_for("chat.update")
    press(server.url, "show_history", case.id)
    modal = server.slack.wait_for("views.open")[0].body["view"]
    shown = modal_text(modal)
    assert "Ärendet öppnades" in shown and "Polisanmälan gjord av <@U1>" in shown


def test_human_replies_in_the_thread_are_kept_and_count_as_activity(start_server) -> None:
    clock = FakeClock()
    server = start_server(clock=clock, assessor=assessed_as(Category.INDIVIDUAL_CASE))
    case = open_case(server, "Mitt ärende")
    card_ts = server.slack.calls("chat.postMessage")[0]
    ts = "1700000000.000100"
    clock.advance(minutes=20)
    body = slack_event_body(
        {
            "type": "message",
            "channel": "C1",
            "user": "U2",
            "text": "Jag ringer socialtjänsten nu",
            "ts": "1700000100.000200",
            "thread_ts": ts,
        }
    )
    headers = {"content-type": JSON_CONTENT_TYPE, **slack_signed_headers(SIGNING_SECRET, body)}
    assert (
        httpx.post(f"{server.url}/slack/events", content=body, headers=headers).status_code == 200
    )
    wait_until(lambda: bool(events(server.runtime.engine, case.id, "thread_reply")))
    kept = events(server.runtime.engine, case.id, "thread_reply")[0]
    assert kept.actor == "U2" and kept.details["text"] == "Jag ringer socialtjänsten nu"
    assert card_ts is not None
    stored = only_case(server.runtime.engine)
    assert stored.next_nag_at == clock.now + server.runtime.policy.nagging.normal.repeat_every
