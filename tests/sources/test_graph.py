"""The Graph client against the local Graph stand-in over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.domain.ports import DeliveryError
from bot.sources.graph import (
    FACEBOOK_COMMENT_FIELDS,
    INSTAGRAM_COMMENT_FIELDS,
    GraphClient,
    GraphError,
    as_delivery_error,
)
from tests.standins import Incoming, Reply
from tests.standins.graph_api import GraphStandIn, graph_error

FB, IG = "PAGE1", "IG1"
TOKENS = {FB: "EAAG-page-token-hemlig", IG: "IGQ-ig-token-hemlig"}
APP_SECRET = "app-secret-för-test"


class ScriptedGraph(GraphStandIn):
    """The stand-in, plus whole scripted replies (raw bodies, extra headers) for the next calls."""

    def __init__(self) -> None:
        super().__init__()
        self.scripted: list[Reply] = []

    def _handle(self, incoming: Incoming, down: bool) -> Reply:
        reply = super()._handle(incoming, down)
        with self._cond:
            return self.scripted.pop(0) if self.scripted else reply


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedGraph]:
    with ScriptedGraph() as stand_in:
        yield stand_in


@pytest.fixture
def graph(server: ScriptedGraph) -> Iterator[ScriptedGraph]:
    server.clear()
    server.scripted.clear()
    yield server
    server.clear()


@pytest.fixture
def client(graph: ScriptedGraph) -> Iterator[GraphClient]:
    with GraphClient(graph.base_url, TOKENS, APP_SECRET, timeout=2.0) as made:
        yield made


def proof(token: str) -> str:
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fetch_facebook_comment_asks_for_the_snapshot_fields(graph, client) -> None:
    graph.seed_object(
        "c1",
        {
            "message": "Hej på er",
            "from": {"id": "U1", "name": "Åsa"},
            "created_time": "2026-11-18T09:00:00+0000",
            "is_hidden": False,
            "can_comment": True,
        },
    )
    data = client.fetch_comment(FB, "c1", "facebook")
    assert data == {
        "id": "c1",
        "message": "Hej på er",
        "from": {"id": "U1", "name": "Åsa"},
        "created_time": "2026-11-18T09:00:00+0000",
        "is_hidden": False,
    }
    (call,) = graph.calls("GET", "/c1")
    assert call.query["fields"] == FACEBOOK_COMMENT_FIELDS


def test_fetch_instagram_comment_uses_instagram_fields(graph, client) -> None:
    graph.seed_object("ig1", {"text": "Dålig kommun", "username": "olle", "hidden": False})
    data = client.fetch_comment(IG, "ig1", "instagram")
    assert data["text"] == "Dålig kommun" and data["username"] == "olle"
    (call,) = graph.calls("GET", "/ig1")
    assert call.query["fields"] == INSTAGRAM_COMMENT_FIELDS
    assert call.query["appsecret_proof"] == proof(TOKENS[IG])


def test_hide_and_unhide_differ_between_facebook_and_instagram(graph, client) -> None:
    graph.seed_object("c1", {"message": "x", "is_hidden": False})
    client.hide(FB, "c1", "facebook")
    assert graph.object("c1")["is_hidden"] is True
    client.hide(FB, "c1", "facebook", hidden=False)
    client.hide(IG, "ig1", "instagram")
    fb_on, fb_off = graph.calls("POST", "/c1")
    (ig_on,) = graph.calls("POST", "/ig1")
    assert fb_on.body == {"is_hidden": "true"} and fb_off.body == {"is_hidden": "false"}
    assert ig_on.body == {"hide": "true"}
    assert fb_on.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert graph.object("c1")["is_hidden"] is False


def test_delete(graph, client) -> None:
    client.delete(FB, "c1")
    (call,) = graph.calls("DELETE", "/c1")
    assert call.body == {} and set(call.query) == {"appsecret_proof"}


def test_reply_returns_the_new_id_on_the_right_edge(graph, client) -> None:
    fb_id = client.reply(FB, "c1", "Tack för din kommentar, vi återkommer.", "facebook")
    ig_id = client.reply(IG, "ig1", "Hej! Läs våra regler.", "instagram")
    (fb_call,) = graph.calls("POST", "/c1/comments")
    (ig_call,) = graph.calls("POST", "/ig1/replies")
    assert fb_call.body == {"message": "Tack för din kommentar, vi återkommer."}
    assert ig_call.body == {"message": "Hej! Läs våra regler."}
    assert graph.object(fb_id)["parent"] == {"id": "c1"}
    assert graph.object(ig_id)["message"] == "Hej! Läs våra regler."
    assert fb_id != ig_id


def test_private_reply_and_send_message_post_json_to_the_account(graph, client) -> None:
    graph.seed_object("c1", {"message": "x", "from": {"id": "PSID9"}})
    message_id = client.private_reply(FB, "c1", "Vi har dolt din kommentar.")
    sent_id = client.send_message(IG, "IGSID7", "Hej igen")
    (private,) = graph.calls("POST", f"/{FB}/messages")
    (direct,) = graph.calls("POST", f"/{IG}/messages")
    assert private.body == {
        "recipient": {"comment_id": "c1"},
        "message": {"text": "Vi har dolt din kommentar."},
    }
    assert direct.body == {
        "recipient": {"id": "IGSID7"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Hej igen"},
    }
    assert private.headers["content-type"].startswith("application/json")
    assert message_id.startswith("m_") and sent_id.startswith("m_")


def test_every_call_carries_its_accounts_token_and_appsecret_proof(graph, client) -> None:
    client.delete(FB, "c1")
    client.hide(IG, "ig1", "instagram")
    fb_call, ig_call = graph.calls()
    for call, account in ((fb_call, FB), (ig_call, IG)):
        assert call.headers["authorization"] == f"Bearer {TOKENS[account]}"
        assert call.query["appsecret_proof"] == proof(TOKENS[account])
        assert "access_token" not in call.params


def test_no_appsecret_proof_without_an_app_secret(graph) -> None:
    with GraphClient(graph.base_url, TOKENS, None) as plain:
        plain.delete(FB, "c1")
    assert "appsecret_proof" not in graph.calls()[0].params


@pytest.mark.parametrize(
    ("status", "code", "subcode", "kind", "retryable"),
    [
        (500, None, None, "server", True),
        (503, None, None, "server", True),
        (400, 2, None, "server", True),
        (429, None, None, "rate_limited", True),
        (400, 4, None, "rate_limited", True),
        (400, 17, None, "rate_limited", True),
        (400, 32, None, "rate_limited", True),
        (400, 613, None, "rate_limited", True),
        (401, None, None, "auth", False),
        (400, 190, 463, "auth", False),
        (403, None, None, "permission", False),
        (400, 200, None, "permission", False),
        (400, 100, 33, "not_found", False),
        (404, None, None, "not_found", False),
        (400, None, None, "invalid", False),
        (400, 368, None, "invalid", False),
    ],
)
def test_injected_errors_are_classified(
    graph, client, status, code, subcode, kind, retryable
) -> None:
    graph.fail_next(status, code, subcode=subcode)
    with pytest.raises(GraphError) as caught:
        client.hide(FB, "c1", "facebook")
    error = caught.value
    expected = graph_error(status, code, subcode=subcode)["error"]
    assert (error.kind, error.retryable, error.status) == (kind, retryable, status)
    assert (error.code, error.subcode) == (expected["code"], subcode)
    assert expected["message"] in error.message and error.fbtrace_id == "AbCdEfStandIn"
    assert error.retry_after is None


def test_fetching_a_missing_comment_is_not_found(graph, client) -> None:
    with pytest.raises(GraphError) as caught:
        client.fetch_comment(FB, "gone", "facebook")
    assert (caught.value.kind, caught.value.code, caught.value.subcode) == ("not_found", 100, 33)


def test_a_down_graph_is_a_retryable_server_error(graph, client) -> None:
    graph.set_down()
    with pytest.raises(GraphError) as caught:
        client.delete(FB, "c1")
    assert (caught.value.kind, caught.value.status, caught.value.retryable) == ("server", 503, True)


@pytest.mark.parametrize("header", ["7", None, "http-date"])
def test_rate_limits_honour_retry_after(graph, client, header) -> None:
    if header == "http-date":
        header = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    headers = (("Retry-After", header),) if header else ()
    graph.scripted.append(Reply(429, graph_error(429), headers=headers))
    with pytest.raises(GraphError) as caught:
        client.reply(FB, "c1", "Hej", "facebook")
    assert caught.value.kind == "rate_limited" and caught.value.retryable
    if header is None:
        assert caught.value.retry_after is None
    elif header == "7":
        assert caught.value.retry_after == 7.0
    else:
        assert caught.value.retry_after is not None and 20 < caught.value.retry_after <= 30


def test_a_non_json_502_is_a_retryable_server_error(graph, client) -> None:
    graph.scripted.append(
        Reply(502, raw=b"<html>Bad Gateway</html>", headers=(("Content-Type", "text/html"),))
    )
    with pytest.raises(GraphError) as caught:
        client.delete(FB, "c1")
    error = caught.value
    assert (error.kind, error.retryable, error.status, error.code) == ("server", True, 502, None)
    assert "Bad Gateway" in error.message


def test_a_200_reporting_no_success_is_not_retried(graph, client) -> None:
    graph.scripted.append(Reply(200, {"success": False}))
    with pytest.raises(GraphError) as caught:
        client.hide(FB, "c1", "facebook")
    assert caught.value.kind == "server" and not caught.value.retryable


def test_a_closed_port_is_a_retryable_network_error() -> None:
    dead = GraphClient(f"http://127.0.0.1:{closed_port()}/v26.0", TOKENS, APP_SECRET)
    with dead, pytest.raises(GraphError) as caught:
        dead.delete(FB, "c1")
    assert (caught.value.kind, caught.value.retryable, caught.value.status) == (
        "network",
        True,
        None,
    )


def test_a_timeout_is_a_retryable_network_error(graph) -> None:
    graph.set_delay(1.0)
    slow = GraphClient(graph.base_url, TOKENS, APP_SECRET, timeout=0.2)
    with slow, pytest.raises(GraphError) as caught:
        slow.fetch_comment(FB, "c1", "facebook")
    assert caught.value.kind == "network" and caught.value.retryable


def test_a_missing_token_names_the_account_and_calls_nothing(graph, client) -> None:
    with pytest.raises(GraphError) as caught:
        client.delete("PAGE-UNKNOWN", "c1")
    assert caught.value.kind == "auth" and not caught.value.retryable
    assert "PAGE-UNKNOWN" in str(caught.value)
    assert graph.calls() == []


def test_tokens_never_appear_in_errors_or_logs(graph, client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    token = TOKENS[FB]
    errors: list[GraphError] = []
    graph.fail_next(400, 190, message=f"Invalid OAuth access token - Cannot parse {token}")
    with pytest.raises(GraphError) as caught:
        client.fetch_comment(FB, "c1", "facebook")
    errors.append(caught.value)
    graph.scripted.append(Reply(502, raw=f"proxy saw {token}".encode()))
    with pytest.raises(GraphError) as caught:
        client.fetch_comment(FB, "c1", "facebook")
    errors.append(caught.value)
    with GraphClient(f"http://127.0.0.1:{closed_port()}/v26.0", TOKENS, APP_SECRET) as dead:
        with pytest.raises(GraphError) as caught:
            dead.delete(FB, "c1")
        errors.append(caught.value)
    assert "[redacted]" in errors[0].message and "[redacted]" in errors[1].message
    for error in errors:
        assert token not in f"{error} {error!r} {error.message}"
    assert token not in caplog.text


def test_as_delivery_error_keeps_retry_after_and_refuses_permanent_errors() -> None:
    limited = GraphError(
        "slow down", kind="rate_limited", retryable=True, status=429, retry_after=12.0
    )
    delivery = as_delivery_error(limited)
    assert isinstance(delivery, DeliveryError)
    assert delivery.retry_after == 12.0 and "rate_limited" in delivery.reason
    assert delivery.__cause__ is limited
    with pytest.raises(ValueError, match="surface"):
        as_delivery_error(GraphError("expired", kind="auth", retryable=False, code=190))


def test_an_unknown_platform_is_a_programming_error(client) -> None:
    with pytest.raises(ValueError, match="platform"):
        client.hide(FB, "c1", "tiktok")  # type: ignore[arg-type]
