"""Shared fixtures: a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the policy, the Slack stand-in and the app under uvicorn."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from bot.app import Runtime, create_app
from bot.db import make_engine
from bot.domain.policy import Policy, load_policy
from config.settings import DEFAULT_POLICY, Settings
from tests.standins.graph_api import GraphStandIn
from tests.standins.slack_api import SlackStandIn
from tests.standins.uvicorn_server import serve

SIGNING_SECRET = "slack-signing-secret-for-tests"
META_SECRET = "meta-app-secret-för-test"
VERIFY_TOKEN = "verify-token-for-tests"
CHANNEL = "C1"
T0 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # a Wednesday morning


def _backends() -> list[str]:
    backends = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        backends.append("postgresql")
    return backends


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    from config.settings import normalise_database_url

    base = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine with every table created."""
    eng = make_engine(database_url)
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def policy() -> Policy:
    """The shipped example policy."""
    return load_policy(DEFAULT_POLICY)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    """The Slack Web API stand-in; channel C1 has members U1, U2 and U3."""
    with SlackStandIn(members={CHANNEL: ["U1", "U2", "U3"]}) as stand_in:
        yield stand_in


def make_settings(database_url: str, slack_url: str | None, **extra: object) -> Settings:
    """Settings pointing at the test database and stand-ins."""
    values: dict[str, object] = {
        "database_url": database_url,
        "slack_api_url": slack_url or "http://127.0.0.1:9/api/",
        "slack_bot_token": "xoxb-test" if slack_url else None,
        "slack_signing_secret": SIGNING_SECRET if slack_url else None,
        "slack_channel": CHANNEL,
        "meta_app_secret": META_SECRET,
        "meta_verify_token": VERIFY_TOKEN,
        "run_scheduler": False,
        "outbox_poll_seconds": 0.2,
        "policy_file": DEFAULT_POLICY,
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def graph() -> Iterator[GraphStandIn]:
    """The Graph API stand-in; page 111's token is "page-token"."""
    with GraphStandIn() as stand_in:
        yield stand_in


@dataclass
class Server:
    """The app under uvicorn, with what a test needs to talk to it."""

    url: str
    runtime: Runtime
    slack: SlackStandIn
    graph: GraphStandIn


@pytest.fixture
def start_server(
    database_url: str, slack: SlackStandIn, graph: GraphStandIn
) -> Iterator[Callable[..., Server]]:
    """Start the app under uvicorn against the stand-in (several times if a test restarts it)."""
    stack: list[object] = []
    runtimes: list[Runtime] = []

    def start(clock: Callable[[], datetime] | None = None, background: bool = True,
              assessor: Callable[[str], object] | None = None, **extra: object) -> Server:
        extra.setdefault("meta_graph_url", graph.base_url)
        extra.setdefault("meta_page_tokens", {"111": "page-token",
                                              "17841400000000000": "ig-token"})
        settings = make_settings(database_url, slack.base_url, **extra)
        runtime = create_app(settings, clock=clock or (lambda: datetime.now(UTC)),
                             background=background, assessor=assessor)  # type: ignore[arg-type]
        SQLModel.metadata.create_all(runtime.engine)
        assert runtime.api is not None
        context = serve(runtime.api)
        url = context.__enter__()
        stack.append(context)
        runtimes.append(runtime)
        return Server(url=url, runtime=runtime, slack=slack, graph=graph)

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)  # type: ignore[attr-defined]
    for runtime in runtimes:  # the app gave its connections back; a test may have taken more
        runtime.engine.dispose()


@pytest.fixture
def server(start_server: Callable[..., Server]) -> Server:
    """One running app with background delivery on."""
    return start_server()
