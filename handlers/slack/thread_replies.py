"""Every human reply in a case's thread is kept in its timeline: it is part of the record."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import App

from bot.db import session_scope
from bot.domain.timeline import record_thread_reply

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)


def register(app: App, rt: Runtime) -> None:
    """Register the message listener."""

    @app.event("message")
    def on_message(event: dict[str, Any]) -> None:
        thread = event.get("thread_ts")
        if (not thread or thread == event.get("ts") or event.get("bot_id")
                or event.get("subtype") or not event.get("user")):
            return
        with session_scope(rt.engine) as session:
            case_id = record_thread_reply(
                session, platform="slack", channel=event.get("channel", ""), thread_id=thread,
                user=event["user"], text=event.get("text", ""), policy=rt.policy,
                now=rt.clock())
        if case_id is not None:
            logger.info("slack: thread reply kept on case %s", case_id)
