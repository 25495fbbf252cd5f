"""The scheduler: polls due sources over HTTP and hands what they return to the pipeline.

Fetches run concurrently (the HTTP client caps how many); processing runs one document
at a time in a worker thread, so the event loop (and the web server sharing it) stays
responsive — as each document arrives in the service, in source-id order in replays
and tests (reproducible runs). Every attempt is written to the fetch log, and each
source's state (validators, health, next poll) is updated through the decider.

Before each round of polls the Brief's editions that have closed on the scheduler's clock
are published (``pipeline/brief.py``), so a replay publishes one for each replayed day.

A failing source never stops the others: its error is logged as one line naming the
source and the URL, stored as its ``last_error``, and the source is retried with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pulseaugur.errors import FetchError, HTTPStatusError, ParseError, PulseAugurError
from pulseaugur.pipeline import decider
from pulseaugur.pipeline.pipeline import Clock, Pipeline, ProcessReport
from pulseaugur.sources import kinds, websub
from pulseaugur.sources.http import HttpClient
from pulseaugur.storage.base import FetchLogEntry, Storage
from pulseaugur.types import FetchResult, Source

if TYPE_CHECKING:
    from pulseaugur.pipeline.brief import BriefPublisher

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollReport:
    """The outcome of polling one source."""

    source_id: str
    status: int | None
    items_seen: int
    items_new: int
    error: str | None


class Scheduler:
    """Polls sources and feeds the pipeline; with a ``brief`` publisher, publishes the
    Brief's editions as they fall due."""

    def __init__(
        self,
        storage: Storage,
        client: HttpClient,
        pipeline: Pipeline,
        *,
        clock: Clock,
        public_url: str = "",
        brief: BriefPublisher | None = None,
    ) -> None:
        self.storage = storage
        self.brief = brief
        self.client = client
        self.pipeline = pipeline
        self.clock = clock
        self.public_url = public_url
        self._process_lock = asyncio.Lock()

    async def poll_due(
        self, sources: Sequence[Source] | None = None, *, in_order: bool = True
    ) -> list[PollReport]:
        """Poll every enabled source (of ``sources``, default all stored) that is due now
        (see ``poll`` for ``in_order``)."""
        candidates = self.storage.get_sources(enabled_only=True) if sources is None else sources
        states = {s.id: self.storage.get_source_state(s.id) for s in candidates}
        due = decider.due_sources(candidates, states, self.clock())
        return await self.poll(due, in_order=in_order)

    async def poll(self, sources: Iterable[Source], *, in_order: bool = True) -> list[PollReport]:
        """Poll these sources now, whether due or not (e.g. after a WebSub ping).

        Fetches run concurrently. With ``in_order`` (replays, tests) the documents are
        processed in source-id order once all fetches are done, so a run is
        reproducible; without it each is processed as soon as it arrives, so one slow
        server never holds back the others' news.

        First the Brief's editions due by now are published, from the events as they
        stand before this round's documents.
        """
        if self.brief is not None:
            async with self._process_lock:
                await asyncio.to_thread(self.brief.publish_due)
        tasks = [
            asyncio.ensure_future(self._fetch(source))
            for source in sorted(sources, key=lambda s: s.id)
        ]
        reports = []
        for arrival in tasks if in_order else asyncio.as_completed(tasks):
            source, outcome, duration_ms = await arrival
            async with self._process_lock:
                reports.append(await self._settle(source, outcome, duration_ms))
        return reports

    async def _fetch(self, source: Source) -> tuple[Source, FetchResult | FetchError, int]:
        """Fetch a source (through its fallback feed when its API refuses); returns the
        source, what came back, and how long it took in milliseconds."""
        state = self.storage.get_source_state(source.id)
        started = time.monotonic()
        try:
            result: FetchResult | FetchError = await self.client.fetch(
                source.url, etag=state.etag, last_modified=state.last_modified
            )
        except HTTPStatusError as exc:
            result = exc
            fallback = kinds.fallback_url(source.kind, source.url)
            if exc.status in kinds.FALLBACK_STATUSES and fallback is not None:
                log.info("source %s: API answered %d, reading %s", source.id, exc.status, fallback)
                try:
                    result = await self.client.fetch(fallback)
                except FetchError as fallback_error:
                    result = fallback_error
        except FetchError as exc:
            result = exc
        return source, result, int((time.monotonic() - started) * 1000)

    async def _settle(
        self,
        source: Source,
        outcome: FetchResult | FetchError,
        duration_ms: int,
    ) -> PollReport:
        now = self.clock()
        state = self.storage.get_source_state(source.id)
        status = outcome.status if isinstance(outcome, FetchResult) else _status_of(outcome)
        report = ProcessReport()
        error: str | None = None
        retry_after_s: float | None = None
        if isinstance(outcome, FetchError):
            error = str(outcome)
            if isinstance(outcome, HTTPStatusError):
                retry_after_s = outcome.retry_after_s
        else:
            try:
                report = await asyncio.to_thread(self.pipeline.process, source, outcome)
            except ParseError as exc:
                error = str(exc)
            except PulseAugurError as exc:
                error = f"{source.url}: {exc}"
        if error is None:
            assert isinstance(outcome, FetchResult)
            self.storage.save_source_state(
                decider.after_success(state, source, outcome, now, report.items_new)
            )
            if self.public_url and report.hub:
                await self._subscribe(source, report.hub, report.topic, now)
        else:
            log.warning("source %s: %s", source.id, error)
            failed = decider.after_failure(state, source, error, now, retry_after_s=retry_after_s)
            if failed.paused_reason and not state.paused_reason:
                log.error("source %s: %s", source.id, failed.paused_reason)
            self.storage.save_source_state(failed)
        self.storage.log_fetch(
            FetchLogEntry(
                source_id=source.id,
                url=source.url,
                started_at=now,
                duration_ms=duration_ms,
                status=status,
                items_seen=report.items_seen,
                items_new=report.items_new,
                error=error,
            )
        )
        return PollReport(source.id, status, report.items_seen, report.items_new, error)

    async def _subscribe(self, source: Source, hub: str, topic: str | None, now: datetime) -> None:
        """Subscribe (or renew) the source at its feed's WebSub hub when it is due."""
        current = self.storage.get_subscription(source.id)
        wanted = websub.plan(current, source.id, hub, topic, now)
        if wanted is None:
            return
        self.storage.save_subscription(wanted)
        callback = websub.callback_url(self.public_url, source.id)
        try:
            status = await websub.request(self.client, wanted, callback)
        except FetchError as exc:
            log.warning("source %s: WebSub subscription at %s failed: %s", source.id, hub, exc)
            return
        if status not in (202, 204):
            log.warning(
                "source %s: WebSub hub %s refused the subscription (HTTP %d)",
                source.id,
                hub,
                status,
            )

    async def run_forever(self, stop: asyncio.Event, tick_s: float = 5.0) -> None:
        """Poll due sources every ``tick_s`` seconds until ``stop`` is set."""
        while not stop.is_set():
            try:
                reports = await self.poll_due(in_order=False)
                new = sum(r.items_new for r in reports)
                if reports:
                    log.info("polled %d sources, %d new items", len(reports), new)
            except PulseAugurError as exc:
                log.error("polling failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=tick_s)


def _status_of(error: FetchError) -> int | None:
    status = getattr(error, "status", None)
    return status if isinstance(status, int) else None
