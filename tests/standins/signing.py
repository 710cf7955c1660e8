"""Pure helpers that build request bodies and signatures exactly as Meta and Slack send them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"


# --- Meta ------------------------------------------------------------------------------------


def meta_body(payload: Any) -> bytes:
    """Serialise payload as Meta does: ASCII-only with lower-case \\u escapes and \\/ for /."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
    return text.encode("ascii")


def meta_signature(secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 value: "sha256=" + hex HMAC-SHA256(app secret, raw body)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def meta_signed_headers(secret: str, body: bytes) -> dict[str, str]:
    """Content-Type and X-Hub-Signature-256 headers for a Meta webhook POST of body."""
    return {
        "content-type": JSON_CONTENT_TYPE,
        "x-hub-signature-256": meta_signature(secret, body),
    }


# --- Slack -----------------------------------------------------------------------------------


def slack_signed_headers(
    secret: str, body: bytes, timestamp: int | str | None = None
) -> dict[str, str]:
    """X-Slack-Request-Timestamp and X-Slack-Signature for body (add content-type yourself)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": signature}


def slack_form_body(payload: dict[str, Any]) -> bytes:
    """Form-encode an interaction payload as Slack does: payload=<url-encoded JSON>."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def _user(user: str, team: str) -> dict[str, Any]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team}


def slack_block_action(
    *,
    action_id: str,
    value: str = "",
    user: str = "U1",
    channel: str = "C1",
    message_ts: str = "1700000000.000100",
    trigger_id: str = "1.2.3",
    response_url: str = "https://hooks.slack.com/actions/T1/1/x",
    block_id: str = "b",
    team: str = "T1",
    action_type: str = "button",
    message_text: str = "",
    message_blocks: list[dict[str, Any]] | None = None,
    state_values: dict[str, Any] | None = None,
) -> bytes:
    """Form body (payload=...) of a block_actions click on a message button."""
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "example"},
        "user": _user(user, team),
        "api_app_id": "A1",
        "token": "x",
        "is_enterprise_install": False,
        "enterprise": None,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id,
        "channel": {"id": channel, "name": channel.lower()},
        "message": {
            "type": "message",
            "user": "UBOT",
            "bot_id": "BBOT",
            "ts": message_ts,
            "text": message_text,
            "blocks": message_blocks or [],
        },
        "state": {"values": state_values or {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "type": action_type,
                "value": value,
                "action_ts": f"{int(time.time())}.000000",
            }
        ],
    }
    return slack_form_body(payload)


def slack_view_submission(
    *,
    callback_id: str,
    state_values: dict[str, Any] | None = None,
    private_metadata: str = "",
    user: str = "U1",
    view_id: str = "V00000001",
    trigger_id: str = "1.2.3",
    team: str = "T1",
    response_urls: list[dict[str, Any]] | None = None,
) -> bytes:
    """Form body of a view_submission; state_values is {block_id: {action_id: {type, value}}}."""
    payload = {
        "type": "view_submission",
        "team": {"id": team, "domain": "example"},
        "user": _user(user, team),
        "api_app_id": "A1",
        "token": "x",
        "trigger_id": trigger_id,
        "is_enterprise_install": False,
        "enterprise": None,
        "view": {
            "id": view_id,
            "team_id": team,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": state_values or {}},
            "hash": "1700000000.abcdef",
            "title": {"type": "plain_text", "text": "Modal"},
            "blocks": [],
            "app_id": "A1",
            "bot_id": "BBOT",
            "root_view_id": view_id,
            "previous_view_id": None,
            "external_id": "",
        },
        "response_urls": response_urls or [],
    }
    return slack_form_body(payload)


def text_input(value: str | None) -> dict[str, Any]:
    """One state_values entry for a plain_text_input: {"type": ..., "value": value}."""
    return {"type": "plain_text_input", "value": value}


def slack_event_body(
    event: dict[str, Any], *, event_id: str = "Ev1", team: str = "T1", event_time: int = 0
) -> bytes:
    """JSON body of an Events API event_callback wrapping event (sign it like any body)."""
    payload = {
        "token": "x",
        "team_id": team,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time or int(time.time()),
        "authorizations": [
            {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }
    return json.dumps(payload).encode()
