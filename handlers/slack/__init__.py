"""Slack's one Request URL, /slack/events: events, interactivity and commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

if TYPE_CHECKING:
    from bot.app import Runtime


def build_router(rt: Runtime) -> APIRouter:
    """The /slack/events route; Bolt runs on a worker thread so the event loop never blocks."""
    router = APIRouter()

    @router.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if len(body) > rt.settings.max_body_bytes:
            return Response(status_code=413)
        bolt_request = to_bolt_request(request, body)
        bolt_response = await anyio.to_thread.run_sync(rt.slack_app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    return router
