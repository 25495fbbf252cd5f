"""Wiring: the one place that builds the running service from settings.

The CLI's ``run``, ``serve`` and ``replay`` commands all assemble their parts here, so
the same clusterer, summarizer, client and scheduler run in every mode.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
import uvloop

from pulseaugur.brief import BriefPolicy
from pulseaugur.cluster.online import OnlineClusterer
from pulseaugur.config import Settings
from pulseaugur.normalize.translate import blocking_title_filler, translator_from_settings
from pulseaugur.pipeline.brief import BriefPublisher
from pulseaugur.pipeline.pipeline import Clock, Pipeline
from pulseaugur.pipeline.scheduler import Scheduler
from pulseaugur.rank import ScoreWeights
from pulseaugur.sources.http import HttpClient
from pulseaugur.sources.registry import load_registry
from pulseaugur.storage import SqlStorage, open_storage
from pulseaugur.summarize import EXTRACTIVE, ExtractiveSummarizer, Summarizer
from pulseaugur.summarize.llm import configured_summarizer
from pulseaugur.types import Item

log = logging.getLogger(__name__)

T = TypeVar("T")

RESUME_WINDOW = timedelta(days=14)
"""How far back the clusterer's state is rebuilt at start (events older are closed)."""


def wall_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def open_database(settings: Settings) -> SqlStorage:
    """Open (and migrate) the configured database."""
    return open_storage(settings.resolved_database_url)


def build_pipeline(
    storage: SqlStorage,
    clock: Clock,
    translate_titles: Callable[[Sequence[Item]], list[Item]] | None = None,
    summarizer: Summarizer | None = None,
) -> Pipeline:
    """A pipeline with the production stages, its clusterer resumed from storage;
    ``summarizer`` defaults to the extractive one (see :func:`event_summarizer`)."""
    clusterer = OnlineClusterer()
    pipeline = Pipeline(
        storage,
        clusterer,
        summarizer or ExtractiveSummarizer(),
        clock=clock,
        translate_titles=translate_titles,
    )
    pipeline.resume(RESUME_WINDOW)
    return pipeline


@asynccontextmanager
async def title_translation(
    settings: Settings,
) -> AsyncIterator[Callable[[Sequence[Item]], list[Item]] | None]:
    """The configured title translator as a function the pipeline's worker thread can
    call (None when no backend is configured); its HTTP client lives on this loop."""
    async with httpx.AsyncClient(trust_env=False) as client:
        translator = translator_from_settings(settings, client)
        if translator is None:
            yield None
            return
        log.info("translating non-English titles with %s", translator.name)
        yield blocking_title_filler(
            translator,
            asyncio.get_running_loop(),
            timeout_s=2 * settings.translation_timeout_s,
        )


@asynccontextmanager
async def event_summarizer(
    settings: Settings, storage: SqlStorage | None = None
) -> AsyncIterator[Summarizer]:
    """The summarizer the ``summarizer*`` settings ask for (``summarize/llm.py``): the
    extractive one, or an LLM summarizer falling back to it, scoring with the ``score_*``
    settings' weights and keeping its daily token count in ``storage``; its HTTP client
    is closed on exit."""
    with configured_summarizer(settings, storage) as summarizer:
        if summarizer.name != EXTRACTIVE:
            log.info("summarizing events with %r, extractive on failure", summarizer)
        yield summarizer


def build_client(settings: Settings) -> HttpClient:
    """The shared HTTP client, configured from settings."""
    return HttpClient.from_settings(settings)


def sync_registry(storage: SqlStorage, settings: Settings) -> int:
    """Load the configured source list into the database without overriding what
    operators changed (see ``Storage.seed_sources``); returns how many sources it lists."""
    sources = load_registry(settings.sources_file, default_poll_interval_s=settings.poll_interval_s)
    storage.seed_sources(sources)
    return len(sources)


def brief_publisher(
    storage: SqlStorage, settings: Settings, clock: Clock, *, mail: bool = False
) -> BriefPublisher:
    """What publishes the Brief's editions on ``clock``, with the ``brief_*`` settings;
    with ``mail`` (the live service, never a replay) and email configured, it also mails
    them (``pipeline/mail.py``)."""
    from pulseaugur.pipeline.mail import BriefMailer, SmtpConfig

    smtp = SmtpConfig.from_settings(settings) if mail else None
    mailer = None
    if smtp is not None:
        mailer = BriefMailer(storage, smtp, clock)
        log.info("mailing the Brief through %s", smtp.server)
    return BriefPublisher(storage, BriefPolicy.from_settings(settings), clock, mailer)


SHUTDOWN_GRACE_S = 3
"""Seconds the web server waits, when stopping, for open responses (live streams never
end by themselves) before it cancels them."""


SERVER_TUNING: dict[str, Any] = {
    "log_level": "warning",
    "loop": "uvloop",
    "http": "httptools",
    "ws": "none",
    "access_log": False,
    "backlog": 2048,
    "timeout_keep_alive": 15,
    "timeout_graceful_shutdown": SHUTDOWN_GRACE_S,
}
"""How uvicorn serves the app, one process or several: uvloop with the httptools parser
(the fast pair), no WebSockets, no access log, and ``SHUTDOWN_GRACE_S`` for open
responses when stopping."""


def web_server(
    storage: SqlStorage,
    host: str,
    port: int,
    *,
    settings: Settings | None = None,
) -> uvicorn.Server:
    """A uvicorn server for the web app over ``storage``; ``settings`` are the ones the
    service runs with (the methods pages describe them; ``public_url`` is the base of
    the Brief feeds' absolute links; their ``score_*`` weights are the ones
    ``/methods/ranking`` shows, as the summarizers of :func:`event_summarizer` score
    with them).

    It runs on uvloop with the httptools parser (the fast pair), without WebSockets or
    access logs, and gives open responses ``SHUTDOWN_GRACE_S`` to finish on shutdown."""
    from pulseaugur.web import create_app

    weights = ScoreWeights.from_settings(settings) if settings is not None else None
    app = create_app(storage, settings=settings, weights=weights)
    config = uvicorn.Config(app, host=host, port=port, lifespan="on", **SERVER_TUNING)
    return uvicorn.Server(config)


def serve_workers(settings: Settings, workers: int, *, config_file: Path | None = None) -> None:
    """Serve the web app from ``workers`` processes (``pulseaugur.web.asgi``) until
    interrupted, with the tuning of :func:`web_server`. The workers read their settings
    as ``load_settings`` does, so the database, host and port chosen here reach them
    through ``PULSEAUGUR_*`` variables (and the config file through
    ``PULSEAUGUR_CONFIG``)."""
    if config_file is not None:
        os.environ["PULSEAUGUR_CONFIG"] = str(config_file.resolve())
    os.environ["PULSEAUGUR_DATABASE_URL"] = settings.resolved_database_url
    uvicorn.run(
        "pulseaugur.web.asgi:app_from_settings",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        **SERVER_TUNING,
    )


def run_on_uvloop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a new uvloop event loop (what ``asyncio.run`` does,
    on the faster loop the web server is tuned for)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def check_port_free(host: str, port: int) -> None:
    """Raise OSError with a clear message when ``host:port`` cannot be bound."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


async def run_service(settings: Settings) -> None:
    """Poll the configured sources on schedule and serve the site, until interrupted."""
    storage = open_database(settings)
    count = sync_registry(storage, settings)
    check_port_free(settings.host, settings.port)
    async with (
        title_translation(settings) as translate_titles,
        event_summarizer(settings, storage) as summarizer,
    ):
        pipeline = build_pipeline(storage, wall_clock, translate_titles, summarizer)
        client = build_client(settings)
        scheduler = Scheduler(
            storage,
            client,
            pipeline,
            clock=wall_clock,
            public_url=settings.public_url,
            brief=brief_publisher(storage, settings, wall_clock, mail=True),
        )
        server = web_server(storage, settings.host, settings.port, settings=settings)
        stop = asyncio.Event()
        log.info(
            "PulseAugur: %d sources, database %s, site at http://%s:%d",
            count,
            settings.resolved_database_url,
            settings.host,
            settings.port,
        )
        poller = asyncio.create_task(scheduler.run_forever(stop))
        try:
            await server.serve()
        finally:
            stop.set()
            await poller
            await client.close()
            storage.close()
