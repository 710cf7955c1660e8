"""Tests proving the Slack and Graph stand-ins, the signing helpers and the uvicorn helper."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI, Request
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from tests.standins.graph_api import GraphStandIn
from tests.standins.signing import (
    FORM_CONTENT_TYPE,
    meta_body,
    meta_signature,
    meta_signed_headers,
    slack_block_action,
    slack_event_body,
    slack_signed_headers,
    slack_view_submission,
    text_input,
)
from tests.standins.slack_api import SlackStandIn
from tests.standins.uvicorn_server import serve

SECRET = "s3cr3t"
SWEDISH = "Hjälp, mitt barn är rädd – åäö"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(members={"C9": ["U7", "U8"]}) as stand_in:
        yield stand_in


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(base_url=slack.base_url, token="xoxb-test")


@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    with GraphStandIn() as stand_in:
        yield stand_in


# --- Slack stand-in ---------------------------------------------------------------------------


def test_post_message_is_recorded_with_decoded_blocks(
    slack: SlackStandIn, client: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": SWEDISH}}]
    first = client.chat_postMessage(channel="C1", text=SWEDISH, blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="två", thread_ts=first["ts"])

    assert first["ok"] and first["channel"] == "C1"
    assert first["message"]["text"] == SWEDISH
    assert float(second["ts"]) > float(first["ts"])
    assert first["ts"] == "1700000000.000100"
    (call, reply) = slack.wait_for("chat.postMessage", count=2)
    assert call.body["blocks"] == blocks
    assert call.body["text"] == SWEDISH
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert reply.body["thread_ts"] == first["ts"]
    assert not call.failed and call.at <= reply.at


def test_form_and_json_bodies_are_both_parsed(slack: SlackStandIn) -> None:
    blocks = [{"type": "divider"}]
    form = {"channel": "C1", "text": "hej", "blocks": json.dumps(blocks)}
    with httpx.Client(base_url=slack.base_url) as http:
        assert http.post("chat.postMessage", data=form).json()["ok"]
        assert http.post("chat.update", json={"channel": "C1", "ts": "1.2", "text": "x"}).json()[
            "ok"
        ]
        assert http.get("conversations.members", params={"channel": "C9"}).json()["members"] == [
            "U7",
            "U8",
        ]
    assert slack.calls("chat.postMessage")[0].body == {
        "channel": "C1",
        "text": "hej",
        "blocks": blocks,
    }
    assert slack.calls("chat.update")[0].body == {"channel": "C1", "ts": "1.2", "text": "x"}
    assert [c.method for c in slack.calls()] == [
        "chat.postMessage",
        "chat.update",
        "conversations.members",
    ]


def test_realistic_answers(slack: SlackStandIn, client: WebClient) -> None:
    slack.set_user(
        "U2", real_name="Anna Andersson", status_text="Ledig", status_emoji=":palm_tree:"
    )
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T1")
    posted = client.chat_postMessage(channel="C1", text="x")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="y")
    assert updated["ts"] == posted["ts"] and updated["message"]["text"] == "y"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="z")["message_ts"]
    link = client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    assert link["permalink"] == "https://example.slack.com/archives/C1/p1700000000000100"
    assert client.conversations_open(users=["U2"])["channel"]["id"] == "DU2"
    members = client.conversations_members(channel="C1")
    assert members["members"] == ["U1", "U2", "U3"]
    assert members["response_metadata"]["next_cursor"] == ""
    user = client.users_info(user="U2", include_locale=True)["user"]
    assert (user["id"], user["real_name"], user["tz"], user["locale"]) == (
        "U2",
        "Anna Andersson",
        "Europe/Stockholm",
        "sv-SE",
    )
    assert user["profile"]["status_text"] == "Ledig"
    assert "locale" not in client.users_info(user="U3")["user"]
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    opened = client.views_open(trigger_id="1.2.3", view=view)["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    again = client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)["view"]
    assert again["id"] == opened["id"] and again["hash"] != opened["hash"]
    assert client.views_push(trigger_id="1.2.3", view=view)["view"]["id"] != opened["id"]
    assert client.api_call("reactions.add", json={"name": "eyes"})["ok"]


def test_files_upload_v2_goes_through_the_stand_in(slack: SlackStandIn, client: WebClient) -> None:
    result = client.files_upload_v2(channel="C1", content="rad1\nrad2", filename="logg.txt")
    assert result["file"]["name"] == "logg.txt"
    (upload,) = slack.calls("file_upload")
    assert upload.body["data"] == b"rad1\nrad2"
    (complete,) = slack.calls("files.completeUploadExternal")
    assert complete.body["files"][0]["id"] == upload.body["file_id"]


def test_rate_limit_surfaces_status_and_retry_after(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="x")
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["retry-after"] in ("7", ["7"])
    assert response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    failed, ok = slack.calls("chat.postMessage")
    assert (failed.status, failed.failed, ok.status, ok.failed) == (429, True, 200, False)


def test_server_error_and_ok_false(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail_next("chat.update", status=500, times=2)
    slack.fail_next("chat.postMessage", error="channel_not_found")
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            client.chat_update(channel="C1", ts="1.2", text="x")
        assert caught.value.response.status_code == 500
    assert client.chat_update(channel="C1", ts="1.2", text="x")["ok"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "channel_not_found"
    assert [c.status for c in slack.calls("chat.update")] == [500, 500, 200]
    assert slack.calls("chat.postMessage")[0].error == "channel_not_found"


def test_set_down_and_delay(slack: SlackStandIn, client: WebClient) -> None:
    slack.set_down(True)
    with pytest.raises(SlackApiError) as caught:
        client.auth_test()
    assert caught.value.response.status_code == 503
    slack.set_down(False)
    assert client.auth_test()["ok"]
    slack.set_delay(0.2)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    assert [c.status for c in slack.calls("auth.test")] == [503, 200, 200]


def test_wait_for_polls_and_reports(slack: SlackStandIn, client: WebClient) -> None:
    later = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C2", text="sen"))
    later.start()
    try:
        (call,) = slack.wait_for("chat.postMessage", predicate=lambda c: c.body["channel"] == "C2")
    finally:
        later.join()
    assert call.body["text"] == "sen"
    with pytest.raises(AssertionError, match=r"chat\.update.*received: chat\.postMessage"):
        slack.wait_for("chat.update", timeout=0.1)
    slack.clear()
    assert slack.calls() == []


def test_response_url_route(slack: SlackStandIn) -> None:
    url = slack.response_url("T1/42/abc")
    answer = httpx.post(url, json={"text": "Klart", "replace_original": True})
    assert answer.status_code == 200
    (call,) = slack.wait_for("response_url")
    assert call.body["text"] == "Klart" and call.path == "/actions/T1/42/abc"


# --- Graph stand-in ---------------------------------------------------------------------------


def test_graph_hide_delete_reply_and_message(graph: GraphStandIn) -> None:
    graph.seed_object("C_1", {"message": SWEDISH, "from": {"id": "PSID9", "name": "Anna"}})
    assert graph.base_url.endswith("/v26.0")
    with httpx.Client(base_url=graph.base_url + "/") as http:
        assert http.post("C_1", params={"is_hidden": "true"}).json() == {"success": True}
        assert http.post("IG_1", data={"hide": "true"}).json() == {"success": True}
        reply = http.post("C_1/comments", data={"message": "Tack!"}).json()
        ig_reply = http.post("IG_1/replies", params={"message": "Tack"}).json()
        sent = http.post(
            "PAGE1/messages",
            json={"recipient": {"comment_id": "C_1"}, "message": {"text": "Hej"}},
        ).json()
        assert http.delete("C_1").json() == {"success": True}

    assert reply["id"] and reply["id"] != ig_reply["id"]
    assert sent["recipient_id"] == "PSID9" and sent["message_id"]
    hide = graph.wait_for("POST", "/C_1")[0]
    assert hide.query == {"is_hidden": "true"}
    assert graph.calls("POST", "/IG_1")[0].body == {"hide": "true"}
    assert graph.calls(path="/C_1/comments")[0].params["message"] == "Tack!"
    assert graph.calls("POST", "/PAGE1/messages")[0].body["recipient"] == {"comment_id": "C_1"}
    assert graph.calls("DELETE")[0].path == "/C_1"
    assert graph.object("C_1") is None


def test_graph_get_seeded_and_missing(graph: GraphStandIn) -> None:
    comment = {
        "message": SWEDISH,
        "from": {"id": "1", "name": "Anna"},
        "created_time": "2026-03-01T10:00:00+0000",
        "permalink_url": "https://www.facebook.com/1/posts/2?comment_id=3",
    }
    graph.seed_object("3", comment)
    got = httpx.get(f"{graph.base_url}/3", params={"fields": "id,message,from"}).json()
    assert got == {"id": "3", "message": SWEDISH, "from": {"id": "1", "name": "Anna"}}
    assert httpx.get(f"{graph.base_url}/3").json()["permalink_url"] == comment["permalink_url"]
    missing = httpx.get(f"{graph.base_url}/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == 100
    assert set(missing.json()["error"]) == {
        "message",
        "type",
        "code",
        "error_subcode",
        "fbtrace_id",
    }


@pytest.mark.parametrize(("status", "code"), [(500, 2), (400, 100), (429, 4), (400, 190)])
def test_graph_injected_errors(graph: GraphStandIn, status: int, code: int) -> None:
    graph.fail_next(status=status, code=code, times=2, method="POST")
    url = f"{graph.base_url}/C_1"
    assert httpx.get(url).status_code == 404  # GET is not targeted
    for _ in range(2):
        answer = httpx.post(url, params={"is_hidden": "true"})
        assert answer.status_code == status
        assert answer.json()["error"]["code"] == code
        assert answer.json()["error"]["fbtrace_id"]
    assert httpx.post(url, params={"is_hidden": "true"}).status_code == 200
    assert [c.status for c in graph.calls("POST")] == [status, status, 200]


def test_graph_down(graph: GraphStandIn) -> None:
    graph.set_down(True)
    assert httpx.delete(f"{graph.base_url}/C_1").status_code == 503
    graph.set_down(False)
    assert httpx.delete(f"{graph.base_url}/C_1").status_code == 200
    with pytest.raises(AssertionError, match="DELETE /C_1"):
        graph.wait_for("POST", timeout=0.05)


# --- Signing helpers --------------------------------------------------------------------------


def test_meta_body_and_signature() -> None:
    payload = {"entry": [{"changes": [{"value": {"message": SWEDISH, "link": "https://x/y"}}]}]}
    body = meta_body(payload)
    assert "\\u00e4" in body.decode() and "\\u00e5" in body.decode()
    assert b"https:\\/\\/x\\/y" in body
    assert json.loads(body) == payload
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert meta_signature(SECRET, body) == "sha256=" + expected
    assert meta_signed_headers(SECRET, body)["x-hub-signature-256"] == "sha256=" + expected
    unescaped = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert meta_signature(SECRET, unescaped) != meta_signature(SECRET, body)


def test_slack_signed_headers_verify() -> None:
    body = slack_event_body({"type": "app_mention", "text": SWEDISH}, event_id="Ev9")
    headers = slack_signed_headers(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body, headers["x-slack-request-timestamp"], headers["x-slack-signature"]
    )
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    stale = slack_signed_headers(SECRET, body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)
    assert json.loads(body)["event_id"] == "Ev9"


def _payload(body: bytes) -> dict[str, Any]:
    return dict(json.loads(parse_qs(body.decode())["payload"][0]))


def test_slack_interaction_bodies() -> None:
    action = slack_block_action(
        action_id="case_claim",
        value="case-17",
        user="U5",
        channel="C3",
        message_ts="1700000000.000300",
        response_url="http://127.0.0.1:1/actions/x",
    )
    assert action.startswith(b"payload=")
    data = _payload(action)
    assert data["type"] == "block_actions"
    assert (data["user"]["id"], data["channel"]["id"], data["message"]["ts"]) == (
        "U5",
        "C3",
        "1700000000.000300",
    )
    assert data["actions"][0]["action_id"] == "case_claim"
    assert data["actions"][0]["value"] == "case-17"
    assert data["response_url"] == "http://127.0.0.1:1/actions/x"

    values = {"reason": {"reason_input": text_input(SWEDISH)}}
    submission = slack_view_submission(
        callback_id="close_case", private_metadata='{"case": 17}', state_values=values
    )
    view = _payload(submission)["view"]
    assert view["callback_id"] == "close_case"
    assert view["private_metadata"] == '{"case": 17}'
    assert view["state"]["values"]["reason"]["reason_input"]["value"] == SWEDISH
    headers = slack_signed_headers(SECRET, submission)
    assert SignatureVerifier(SECRET).is_valid_request(submission, headers)


# --- uvicorn helper ---------------------------------------------------------------------------


def _tiny_app(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, Any]:
        return {"len": len(await request.body()), "type": request.headers.get("content-type")}

    return app


def test_uvicorn_serves_twice_in_a_row() -> None:
    events: list[str] = []
    app = _tiny_app(events)
    for _ in range(2):
        with serve(app) as base_url:
            body = slack_block_action(action_id="a", value="v")
            answer = httpx.post(
                f"{base_url}/echo", content=body, headers={"content-type": FORM_CONTENT_TYPE}
            )
            assert answer.json() == {"len": len(body), "type": FORM_CONTENT_TYPE}
    assert events == ["startup", "shutdown", "startup", "shutdown"]
    assert not [t for t in threading.enumerate() if t.name.startswith("uvicorn-")]


def test_uvicorn_startup_failure_raises() -> None:
    @asynccontextmanager
    async def broken(app: FastAPI) -> AsyncIterator[None]:
        raise RuntimeError("boom")
        yield

    with pytest.raises(RuntimeError, match="did not start"), serve(FastAPI(lifespan=broken)):
        pass


def test_retry_handler_honours_retry_after(slack: SlackStandIn) -> None:
    retrying = WebClient(
        base_url=slack.base_url,
        token="xoxb-test",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", retry_after=0)
    assert retrying.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 200]


def test_bolt_app_under_uvicorn_end_to_end(slack: SlackStandIn, client: WebClient) -> None:
    bolt = App(client=client, signing_secret=SECRET)

    @bolt.action("case_claim")
    def claim(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        client.chat_postMessage(
            channel=body["channel"]["id"], text=f"Tas av <@{body['user']['id']}>"
        )
        respond(text="Du har tagit ärendet", replace_original=False)

    api = FastAPI()
    handler = SlackRequestHandler(bolt)

    @api.post("/slack/events")
    async def events(request: Request) -> Any:
        return await handler.handle(request)

    with serve(api) as base_url:
        body = slack_block_action(
            action_id="case_claim", value="17", user="U5", response_url=slack.response_url()
        )
        headers = {"content-type": FORM_CONTENT_TYPE, **slack_signed_headers(SECRET, body)}
        assert (
            httpx.post(f"{base_url}/slack/events", content=body, headers=headers).status_code == 200
        )
        bad = {**headers, "x-slack-signature": "v0=" + "0" * 64}
        assert httpx.post(f"{base_url}/slack/events", content=body, headers=bad).status_code == 401
        (posted,) = slack.wait_for("chat.postMessage")
        (responded,) = slack.wait_for("response_url")
    assert posted.body["text"] == "Tas av <@U5>" and posted.body["channel"] == "C1"
    assert responded.body["text"] == "Du har tagit ärendet"
