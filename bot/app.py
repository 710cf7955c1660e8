"""create_app(settings): the one place that builds and wires everything."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from bot.db import make_engine, session_scope
from bot.domain.directory import sync_directory
from bot.domain.intake import Assessor, ingest_batch, record_delivery
from bot.domain.models import WebhookDelivery, utcnow
from bot.domain.outbox_worker import OutboxWorker
from bot.domain.playbook import Playbook, load_playbook
from bot.domain.policy import Policy
from bot.domain.ports import ChatPort, GraphPort
from bot.i18n import Translator, translator
from bot.sources.meta_parse import IncomingItem
from config.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a running SoMe-vakten holds: settings, policy, database, chat and workers."""

    settings: Settings
    playbook: Playbook
    engine: Engine
    assessor: Assessor
    port: ChatPort
    t: Translator
    clock: Callable[[], datetime] = utcnow
    graph: GraphPort | None = None
    slack_app: Any = None
    api: FastAPI | None = None
    worker: OutboxWorker = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _threads: list[threading.Thread] = field(default_factory=list, init=False)
    _scheduler: Any = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.worker = OutboxWorker(self.engine, self.port, self.policy, clock=self.clock,
                                   graph=self.graph)

    @property
    def policy(self) -> Policy:
        """The policy part of the playbook."""
        return self.playbook.policy

    def wake_outbox(self) -> None:
        """Tell the outbox worker there is something to send."""
        self.worker.wake.set()

    def ingest_delivery(self, raw: bytes, items: list[IncomingItem]) -> int:
        """Store a webhook body and its items in one transaction; returns cases opened."""
        with session_scope(self.engine) as session:
            outcomes = ingest_batch(session, raw, items, source="meta", policy=self.policy,
                                    assessor=self.assessor,
                                    default_channel=self.settings.slack_channel, now=self.clock())
        self.wake_outbox()
        return sum(o.case_opened for o in outcomes)

    def store_unparsed(self, raw: bytes, error: str) -> None:
        """Keep a signed body we could not read, so nothing that came in is lost."""
        with session_scope(self.engine) as session:
            delivery_id = record_delivery(session, source="meta", body=raw, now=self.clock())
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            delivery.error = error[:500]
        logger.warning("meta: delivery %s stored unparsed: %s", delivery_id, error)

    def warm_assessor(self) -> None:
        """Load the risk rules and compile every pattern now: the first webhooks after a start
        would otherwise each wait tens of milliseconds for compilation, under load."""
        from bot.risk import assess, default_engine

        if self.assessor is assess:
            default_engine().warm()
        else:
            self.assessor("")

    def start_background(self, *, scheduler: bool) -> None:
        """Start the outbox worker (and the nag scheduler unless another process runs it)."""
        thread = threading.Thread(target=self.worker.run_forever, name="outbox",
                                  args=(self._stop, self.settings.outbox_poll_seconds), daemon=True)
        thread.start()
        self._threads.append(thread)
        if scheduler:
            from scheduler.jobs import build_scheduler

            self._scheduler = build_scheduler(self, blocking=False)
            self._scheduler.start()

    def stop_background(self) -> None:
        """Stop the worker and scheduler, letting a delivery in progress finish."""
        self._stop.set()
        self.worker.wake.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        for thread in self._threads:
            thread.join(timeout=15)

    def close(self) -> None:
        """Stop the background work and give back every database and HTTP connection."""
        from bot.sources.graph_port import MetaGraph

        self.stop_background()
        if isinstance(self.graph, MetaGraph):
            self.graph.client.close()
        # Without this a stopped app keeps its pooled connections until the process ends,
        # and apps started and stopped in one process (tests, reloads) exhaust the server.
        self.engine.dispose()


def _default_assessor() -> Assessor:
    from bot.risk import assess

    return assess


def build_port(settings: Settings, policy: Policy, t: Translator) -> ChatPort:
    """Slack when configured; otherwise the console, so the loop is visible without Slack."""
    if settings.slack_enabled:
        from bot.slack.chat import SlackChat, make_client

        assert settings.slack_bot_token is not None
        client = make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
        return SlackChat(client, policy, t)
    from bot.console.chat import ConsoleChat

    return ConsoleChat(policy, t)


def build_graph(settings: Settings) -> GraphPort | None:
    """Meta's Graph API when page tokens are configured; otherwise replies are made by hand."""
    if not settings.meta_page_tokens:
        return None
    from bot.sources.graph import GraphClient
    from bot.sources.graph_port import MetaGraph

    tokens = {k: v.get_secret_value() for k, v in settings.meta_page_tokens.items()}
    secret = settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else None
    return MetaGraph(GraphClient(settings.meta_graph_url, tokens, app_secret=secret))


def create_runtime(
    settings: Settings, *, clock: Callable[[], datetime] = utcnow,
    assessor: Assessor | None = None, port: ChatPort | None = None,
) -> Runtime:
    """Build the runtime without a web server (the clock process and the CLI use this)."""
    playbook = load_playbook(settings.policy_file)
    t = translator(settings.default_locale)
    engine = make_engine(settings.database_url)
    return Runtime(settings=settings, playbook=playbook, engine=engine,
                   assessor=assessor or _default_assessor(),
                   port=port or build_port(settings, playbook.policy, t), t=t, clock=clock,
                   graph=build_graph(settings))


def create_app(
    settings: Settings, *, clock: Callable[[], datetime] = utcnow,
    assessor: Assessor | None = None, port: ChatPort | None = None,
    background: bool = True,
) -> Runtime:
    """Build the web application and everything behind it."""
    runtime = create_runtime(settings, clock=clock, assessor=assessor, port=port)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with session_scope(runtime.engine) as session:
            sync_directory(session, runtime.policy)
        runtime.warm_assessor()
        if background:
            runtime.start_background(scheduler=settings.run_scheduler)
        yield
        runtime.close()

    api = FastAPI(title="SoMe-vakten", lifespan=lifespan, docs_url=None, redoc_url=None)
    from handlers.health import build_router as health_router
    from handlers.meta import build_router as meta_router

    api.include_router(meta_router(runtime))
    api.include_router(health_router(runtime))
    if settings.slack_enabled:
        from handlers.slack import build_router as slack_router
        from handlers.slack.bolt_app import build_bolt_app

        runtime.slack_app = build_bolt_app(runtime)
        api.include_router(slack_router(runtime))
    runtime.api = api
    return runtime
