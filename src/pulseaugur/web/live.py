"""Live updates as Server-Sent Events.

    GET /live/events    ``text/event-stream``: every event with a story that is new or
                        updated (its cluster's ``last_updated``) after the stream's
                        watermark, once per change

The stream starts with ``retry: 5000``; then each change is sent as::

    id: <ISO-8601 UTC last_updated of the newest event sent so far: the watermark>
    event: event
    data: {"id": 12, "path": "/cluster/12-slug", "headline": "...", "score": 81.5,
           "source_count": 3, "tags": ["models"], "first_seen": "...Z",
           "last_updated": "...Z", "storyline_id": 4}

and a comment ``: ping`` every ``heartbeat_s`` (15 s) keeps proxies from closing an idle
stream. The watermark starts at the moment of connection, or at ``Last-Event-ID`` when a
browser reconnects (no earlier than ``MAX_RESUME`` ago), so a reconnect resumes where
the stream stopped.

One ``LiveHub`` per app polls storage for every stream: it runs only while someone
listens, reads at most once per ``poll_interval_s`` (1 s), first the cheap
``revision()`` and the events only when it moved, and fans the changes out. It reads the
database, so it sees events written by any process. Each stream buffers at most
``queue_limit`` messages: a client too slow to take them is disconnected (its browser
reconnects with ``Last-Event-ID`` and catches up), so no client can make the server
hold an unbounded backlog. A stream ends, and leaves the hub, when its client
disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from pulseaugur.storage.base import EventFilter, EventView, Storage
from pulseaugur.web import present
from pulseaugur.web.context import web_context

log = logging.getLogger(__name__)

router = APIRouter(tags=["live"])

RETRY_MS = 5000
MAX_RESUME = timedelta(days=1)
"""How far back ``Last-Event-ID`` may resume from."""
READ_LIMIT = 100
"""Most changed events one poll sends (the newest ones)."""
MAX_LISTENERS = 1000
"""Streams one process serves at once; more are refused with 503."""


def event_message(view: EventView) -> str:
    """The SSE message of one event (``view`` has a story)."""
    story = view.story
    assert story is not None
    cluster = view.cluster
    data = {
        "id": cluster.id,
        "path": view.path,
        "headline": story.headline,
        "score": story.score.total,
        "source_count": story.source_count,
        "tags": list(story.tags),
        "first_seen": present.iso(cluster.first_seen),
        "last_updated": present.iso(cluster.last_updated),
        "storyline_id": cluster.storyline_id,
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {present.iso(cluster.last_updated)}\nevent: event\ndata: {payload}\n\n"


class Listener:
    """One open stream: its watermark and the messages waiting for it."""

    def __init__(self, watermark: datetime, queue_limit: int) -> None:
        self.watermark = watermark
        self.sent_at_mark: set[int] = set()
        """Events already sent whose ``last_updated`` equals the watermark."""
        self.pending: deque[str] = deque()
        self.queue_limit = queue_limit
        self.overflowed = False
        self.wake = asyncio.Event()

    def wants(self, view: EventView) -> bool:
        updated = view.cluster.last_updated
        return updated > self.watermark or (
            updated == self.watermark and view.cluster.id not in self.sent_at_mark
        )

    def offer(self, view: EventView) -> None:
        """Queue ``view`` (oldest change first) and move the watermark past it."""
        if self.overflowed:
            return
        if len(self.pending) >= self.queue_limit:
            self.overflowed = True
            self.pending.clear()
        else:
            self.pending.append(event_message(view))
        updated = view.cluster.last_updated
        if updated > self.watermark:
            self.watermark = updated
            self.sent_at_mark = set()
        self.sent_at_mark.add(view.cluster.id)
        self.wake.set()


class LiveHub:
    """The app's one poller and its listeners (see the module docstring)."""

    def __init__(
        self,
        storage: Storage,
        *,
        poll_interval_s: float = 1.0,
        heartbeat_s: float = 15.0,
        queue_limit: int = 256,
    ) -> None:
        self.storage = storage
        self.poll_interval_s = poll_interval_s
        self.heartbeat_s = heartbeat_s
        self.queue_limit = queue_limit
        self.listeners: set[Listener] = set()
        self.polls = 0
        """How many times the poller read the revision (for tests)."""
        self.reads = 0
        """How many times the poller read events (for tests)."""
        self._task: asyncio.Task[None] | None = None
        self._revision: int | None = None

    @property
    def listener_count(self) -> int:
        return len(self.listeners)

    def subscribe(self, watermark: datetime) -> Listener:
        """A new listener from ``watermark`` on; starts the poller if it is idle."""
        listener = Listener(watermark, self.queue_limit)
        self.listeners.add(listener)
        if self._task is None or self._task.done():
            self._revision = None
            self._task = asyncio.get_running_loop().create_task(self._poll())
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        self.listeners.discard(listener)
        if not self.listeners and self._task is not None:
            self._task.cancel()
            self._task = None

    async def close(self) -> None:
        """Stop the poller (app shutdown)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _poll(self) -> None:
        while self.listeners:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live updates: reading storage failed", exc_info=True)
            await asyncio.sleep(self.poll_interval_s)

    async def poll_once(self) -> None:
        """Read what changed since the oldest watermark and hand it to the listeners."""
        self.polls += 1
        revision = await anyio.to_thread.run_sync(self.storage.revision)
        if revision == self._revision or not self.listeners:
            return
        since = min(listener.watermark for listener in self.listeners)
        page = await anyio.to_thread.run_sync(self._read, since)
        self.reads += 1
        self._revision = revision
        changed = sorted(
            (v for v in page if v.story is not None),
            key=lambda v: (v.cluster.last_updated, v.cluster.id),
        )
        for listener in list(self.listeners):
            for view in changed:
                if listener.wants(view):
                    listener.offer(view)

    def _read(self, since: datetime) -> tuple[EventView, ...]:
        where = EventFilter(since=since)
        return self.storage.list_events(limit=READ_LIMIT, order="newest", where=where).events


def _resume_point(header: str | None, now: datetime) -> datetime:
    """The watermark a stream starts from: ``Last-Event-ID`` when it is a date-time no
    older than ``MAX_RESUME`` (and not in the future), else ``now``."""
    if header:
        try:
            moment = datetime.fromisoformat(header.strip())
        except ValueError:
            return now
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return min(max(moment.astimezone(UTC), now - MAX_RESUME), now)
    return now


async def _stream(hub: LiveHub, watermark: datetime) -> AsyncIterator[str]:
    listener = hub.subscribe(watermark)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        while True:
            while listener.pending:
                yield listener.pending.popleft()
            if listener.overflowed:
                return
            listener.wake.clear()
            try:
                await asyncio.wait_for(listener.wake.wait(), hub.heartbeat_s)
            except TimeoutError:
                yield ": ping\n\n"
    finally:
        hub.unsubscribe(listener)


class EventStreamResponse(StreamingResponse):
    """A streaming response that ends as soon as the client disconnects (it watches for
    ``http.disconnect`` instead of waiting for the next write to fail), so a closed
    stream leaves its hub at once."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:

            async def stream() -> None:
                with contextlib.suppress(OSError):
                    await self.stream_response(send)
                group.cancel_scope.cancel()

            group.start_soon(stream)
            while (await receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()


def live_hub(request: Request) -> LiveHub:
    """The app's hub (``create_app`` sets it)."""
    hub: LiveHub = request.app.state.live
    return hub


@router.get(
    "/live/events",
    response_class=EventStreamResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the stream"}},
)
async def live_events(request: Request) -> StreamingResponse:
    """New and updated events as Server-Sent Events (see the module docstring)."""
    hub = live_hub(request)
    clock: Callable[[], datetime] = web_context(request).clock
    watermark = _resume_point(request.headers.get("last-event-id"), clock())
    if hub.listener_count >= MAX_LISTENERS:
        raise HTTPException(503, "Too many live streams are open; try again later.")
    return EventStreamResponse(
        _stream(hub, watermark),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
