"""Meta's webhook endpoint: handshake, signature over the raw bytes, store, 200, post later."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from bot.sources.meta_parse import PayloadError, parse_envelope
from bot.sources.meta_signature import verify_challenge_token, verify_meta_signature

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)


class BodyTooLargeError(Exception):
    """The body is over the configured limit."""


async def read_limited(request: Request, limit: int) -> bytes:
    """Read the raw body, refusing early when it grows past the limit."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def build_router(rt: Runtime) -> APIRouter:
    """The /webhooks/meta routes."""
    router = APIRouter()

    @router.get("/webhooks/meta")
    async def verify(request: Request) -> Response:
        q = request.query_params
        mode = q.get("hub.mode") or q.get("hub_mode")
        token = q.get("hub.verify_token") or q.get("hub_verify_token") or ""
        challenge = q.get("hub.challenge") or q.get("hub_challenge") or ""
        secret = rt.settings.meta_verify_token
        expected = secret.get_secret_value() if secret else ""
        if mode == "subscribe" and verify_challenge_token(token, expected):
            return PlainTextResponse(challenge)
        logger.warning("meta: verification handshake refused")
        return Response(status_code=403)

    @router.post("/webhooks/meta")
    async def receive(request: Request) -> Response:
        try:
            raw = await read_limited(request, rt.settings.max_body_bytes)
        except BodyTooLargeError:
            logger.warning("meta: body over %d bytes refused", rt.settings.max_body_bytes)
            return _error(413, "body too large")
        secret = rt.settings.meta_app_secret
        header = request.headers.get("x-hub-signature-256")
        if not header:
            return _error(401, "missing X-Hub-Signature-256")
        key = secret.get_secret_value().encode() if secret else b""
        if not verify_meta_signature(raw, header, key):
            logger.warning("meta: bad signature; %d bytes dropped unread", len(raw))
            return _error(403, "invalid signature")
        try:
            payload = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            await anyio.to_thread.run_sync(rt.store_unparsed, raw, "invalid JSON")
            return _error(400, "invalid JSON")
        try:
            items = parse_envelope(payload)
        except PayloadError as exc:
            await anyio.to_thread.run_sync(rt.store_unparsed, raw, str(exc))
            return _error(400, str(exc))
        created = await anyio.to_thread.run_sync(rt.ingest_delivery, raw, items)
        return JSONResponse({"received": len(items), "cases": created})

    return router
