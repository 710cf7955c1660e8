"""GET /healthz: the database answers, the outbox is moving, the nagger is alive."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session, select

from bot.domain.models import SchedulerHeartbeat
from bot.domain.outbox import pending_summary

if TYPE_CHECKING:
    from bot.app import Runtime

logger = logging.getLogger(__name__)


def build_router(rt: Runtime) -> APIRouter:
    """The /healthz route."""
    router = APIRouter()

    def check() -> tuple[int, dict[str, object]]:
        now = rt.clock()
        try:
            with Session(rt.engine) as session:
                session.exec(text("SELECT 1"))  # type: ignore[call-overload]
                outbox = pending_summary(session, now)
                beat = session.exec(select(SchedulerHeartbeat)).all()
        except Exception as exc:
            logger.exception("healthz: database check failed")
            return 503, {"status": "error", "database": type(exc).__name__}
        sweeps = {b.job: b.last_run_at.isoformat() for b in beat}
        return 200, {"status": "ok", "database": "ok", "outbox": outbox, "last_runs": sweeps}

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        status, body = await anyio.to_thread.run_sync(check)
        return JSONResponse(body, status_code=status)

    return router
