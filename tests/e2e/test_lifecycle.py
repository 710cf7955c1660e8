"""Starting and stopping the app: a stopped app holds no database connection."""

from __future__ import annotations

import os

import httpx
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

from bot.app import create_app
from bot.db import make_engine
from bot.domain.models import OutboxMessage, OutboxStatus
from config.settings import normalise_database_url
from tests.conftest import make_settings
from tests.helpers import fb_comment, post_meta, wait_until
from tests.standins.graph_api import GraphStandIn
from tests.standins.slack_api import SlackStandIn
from tests.standins.uvicorn_server import serve


def _server_side_connections(database_url: str) -> int | None:
    """Connections the PostgreSQL server has open to the test database (None on SQLite)."""
    if not database_url.startswith("postgresql"):
        return None
    counter = make_engine(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    try:
        with counter.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()")).scalar_one())
    finally:
        counter.dispose()


def _delivered(engine: Engine) -> bool:
    with Session(engine) as session:
        return all(row.status == OutboxStatus.DONE for row in session.exec(select(OutboxMessage)))


def test_a_stopped_app_gives_back_every_database_connection(
    database_url: str, slack: SlackStandIn, graph: GraphStandIn
) -> None:
    before = _server_side_connections(database_url)
    settings = make_settings(database_url, slack.base_url, meta_graph_url=graph.base_url)
    runtime = create_app(settings)
    SQLModel.metadata.create_all(runtime.engine)
    with serve(runtime.api) as url:
        # A card makes the request handler and the outbox worker each take a connection.
        post_meta(url, fb_comment("Jag orkar inte leva längre."))
        slack.wait_for("chat.postMessage")
        wait_until(lambda: _delivered(runtime.engine))
        assert httpx.get(f"{url}/healthz").json()["database"] == "ok"
        pool = runtime.engine.pool
        assert pool.checkedin() > 0  # the running app keeps connections for the next request

    assert pool.checkedin() == 0 and pool.checkedout() == 0
    assert _server_side_connections(database_url) == before
