"""Builders for the requests tests send: Meta webhooks and Slack interactions, signed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.domain.models import Case, CaseEvent
from tests.conftest import META_SECRET, SIGNING_SECRET
from tests.standins.signing import (
    FORM_CONTENT_TYPE,
    meta_body,
    meta_signed_headers,
    slack_block_action,
    slack_form_body,
    slack_signed_headers,
    slack_view_submission,
)

PAGE_ID = "111"
IG_ID = "17841400000000000"


def fb_comment(
    text: str,
    comment_id: str = "222_333",
    *,
    author: str = "Jane Doe",
    author_id: str = "9001",
    verb: str = "add",
    created: int = 1_763_456_400,
    **extra: Any,
) -> dict[str, Any]:
    """A Page feed comment webhook body."""
    value = {
        "from": {"id": author_id, "name": author},
        "item": "comment",
        "verb": verb,
        "post_id": f"{PAGE_ID}_222",
        "comment_id": comment_id,
        "parent_id": f"{PAGE_ID}_222",
        "created_time": created,
        "message": text,
        **extra,
    }
    return {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": created, "changes": [{"field": "feed", "value": value}]}],
    }


def post_meta(
    base_url: str,
    payload: Any,
    *,
    secret: str = META_SECRET,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a webhook signed as Meta signs it."""
    raw = body if body is not None else meta_body(payload)
    return httpx.post(
        f"{base_url}/webhooks/meta",
        content=raw,
        headers=headers if headers is not None else meta_signed_headers(secret, raw),
    )


def post_slack(base_url: str, body: bytes, *, secret: str = SIGNING_SECRET) -> httpx.Response:
    """POST a Slack interaction signed as Slack signs it."""
    headers = {"content-type": FORM_CONTENT_TYPE, **slack_signed_headers(secret, body)}
    return httpx.post(f"{base_url}/slack/events", content=body, headers=headers)


def press(base_url: str, action_id: str, case_id: int, *, user: str = "U1") -> httpx.Response:
    """Press a card button."""
    return post_slack(
        base_url,
        slack_block_action(action_id=action_id, value=str(case_id), user=user, channel="C1"),
    )


def radio(value: str) -> dict[str, Any]:
    """A radio-buttons state value."""
    return {"type": "radio_buttons", "selected_option": {"value": value}}


def choose(value: str) -> dict[str, Any]:
    """A static-select state value."""
    return {"type": "static_select", "selected_option": {"value": value}}


def text(value: str) -> dict[str, Any]:
    """A text input state value."""
    return {"type": "plain_text_input", "value": value}


def submit(
    base_url: str,
    action_id: str,
    case_id: int,
    values: dict[str, dict[str, Any]],
    *,
    user: str = "U1",
) -> httpx.Response:
    """Submit a case form."""
    state = {field: {field: value} for field, value in values.items()}
    body = slack_view_submission(
        callback_id="case_form",
        user=user,
        state_values=state,
        private_metadata=json.dumps({"case_id": case_id, "action": action_id}),
    )
    return post_slack(base_url, body)


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll until check() holds (work after ack() runs on other threads)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within the deadline")
        time.sleep(0.05)


def only_case(engine: Engine) -> Case:
    """The single case in the database."""
    with Session(engine) as session:
        cases = session.exec(select(Case)).all()
        assert len(cases) == 1, f"expected one case, found {len(cases)}"
        return cases[0]


def events(engine: Engine, case_id: int, kind: str | None = None) -> list[CaseEvent]:
    """A case's timeline, optionally one kind only."""
    with Session(engine) as session:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id)
        if kind:
            query = query.where(CaseEvent.kind == kind)
        return list(session.exec(query.order_by(col(CaseEvent.id))).all())


def change_field(
    base_url: str,
    modal: dict[str, Any],
    case_id: int,
    action_id: str,
    field: str,
    element: dict[str, Any],
    *,
    user: str = "U1",
) -> httpx.Response:
    """Change a field of an open form that rebuilds itself (Slack's dispatch_action)."""
    state = {field: {f"form.{field}": element}}
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "token": "x",
        "trigger_id": "1.2.3",
        "container": {"type": "view", "view_id": "V1"},
        "view": {
            "id": "V1",
            "hash": "h",
            "callback_id": "case_form",
            "type": "modal",
            "private_metadata": json.dumps({"case_id": case_id, "action": action_id}),
            "state": {"values": state},
            "blocks": modal["blocks"],
        },
        "actions": [
            {
                "action_id": f"form.{field}",
                "block_id": field,
                "type": element["type"],
                "action_ts": "1",
            }
        ],
    }
    return post_slack(base_url, slack_form_body(payload))
