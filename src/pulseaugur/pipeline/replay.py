"""Replay: the whole pipeline over a recorded corpus, exactly as in production.

``pulseaugur replay CORPUS.jsonl`` reads recorded items (one JSON object a line:
``source, title, url, published_at, summary, content_html, authors``), publishes them
from a local feed server (``replay_server``) whose feeds grow as a simulated clock
advances, and lets the real scheduler, HTTP client, parsers, normalizer, deduplicator,
clusterer and summarizer consume them into the database.

Attribution: a replayed source is matched to the source registry by its name (a host
like ``techcrunch.com`` or a URL like ``https://www.anthropic.com/news``), so it carries
the registry's outlet, section and tier. A source the registry does not know is
replayed as a tier-3 source of its own — unless it only collects other sites' posts,
in which case each item goes to the registry source its link belongs to.

Clock modes:

- ``instant``: the clock jumps from one hour with new items to the next; after each
  jump the sources whose feeds changed are fetched (the way a WebSub hub announces
  changes), so no time is spent on polls that could only answer 304.
- ``speed``: the clock runs ``speed`` times faster than real time and the scheduler
  polls due sources on their normal intervals, conditional GETs and all.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
import socket
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn

from pulseaugur.errors import ConfigError, ParseError
from pulseaugur.pipeline.replay_server import FORMATS, FeedServerApp, ReplayEntry, ReplayFeed
from pulseaugur.pipeline.scheduler import Scheduler
from pulseaugur.pipeline.slug import slugify
from pulseaugur.sources.registry import SourceMatcher
from pulseaugur.types import Source

log = logging.getLogger(__name__)

TICK = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    """The sources to replay and each one's feed."""

    sources: tuple[Source, ...]
    feeds: dict[str, ReplayFeed]
    rows: int

    def reveal_ticks(self, until: datetime | None = None) -> list[datetime]:
        """The distinct clock times (whole hours, rounded up) at which entries appear."""
        ticks = {
            _ceil_hour(entry.reveal_at)
            for feed in self.feeds.values()
            for entry in feed.entries
            if until is None or entry.reveal_at <= until
        }
        return sorted(ticks)


class SimClock:
    """The simulated clock: set by hand (instant mode) or running at ``speed``× real time."""

    def __init__(self, start: datetime, speed: float | None = None) -> None:
        self._start = start
        self._now = start
        self._speed = speed
        self._real_start = time.monotonic()

    def set(self, moment: datetime) -> None:
        """Move the clock to ``moment`` (instant mode)."""
        self._now = moment

    def __call__(self) -> datetime:
        if self._speed is None:
            return self._now
        return self._start + timedelta(seconds=(time.monotonic() - self._real_start) * self._speed)


def _ceil_hour(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + TICK


def _parse_time(value: object, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ParseError(where, f"published_at must be an ISO 8601 string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ParseError(where, f"published_at {value!r} is not ISO 8601") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("replay corpus", f"cannot read {path}: {exc.strerror}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(f"{path}:{number}", f"not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ParseError(f"{path}:{number}", "each line must be a JSON object")
            yield number, row


def plan_replay(path: Path, registry: Sequence[Source], base_url: str) -> ReplayPlan:
    """Read the corpus and decide which source each recorded item belongs to.

    ``base_url`` is the feed server's root; the returned sources point their ``url`` at
    their feed there. Raises ``ParseError`` naming the line of a malformed record.
    """
    matcher = SourceMatcher(registry)
    by_name: dict[str, Source | None] = {}
    collections: dict[str, Source] = {}
    grouped: dict[str, list[tuple[Source, dict[str, object], int]]] = defaultdict(list)
    rows = 0
    for number, row in _read_rows(path):
        rows += 1
        name = str(row.get("source") or "").strip()
        title = row.get("title")
        if not name or not isinstance(title, str):
            raise ParseError(f"{path}:{number}", "each record needs a source and a title")
        if name not in by_name:
            by_name[name] = matcher.match(name)
        feed_source = by_name[name]
        url = _text(row.get("url"))
        if feed_source is None:
            collection = collections.get(name)
            if collection is None:
                collection = _collection_source(name)
                collections[name] = collection
            owner = (matcher.match(url) if url else None) or collection
        else:
            owner = feed_source
        grouped[owner.id].append((owner, row, number))

    feeds: dict[str, ReplayFeed] = {}
    sources: list[Source] = []
    for index, source_id in enumerate(sorted(grouped)):
        members = grouped[source_id]
        source = members[0][0]
        entries = [_entry(row, f"{path}:{number}") for _, row, number in members]
        dated = [e.published for e in entries if e.published is not None]
        first = min(dated) if dated else datetime(2000, 1, 1, tzinfo=UTC)
        entries = [e if e.published is not None else replace(e, reveal_at=first) for e in entries]
        feeds[source_id] = ReplayFeed(
            source_id=source_id,
            title=source.name,
            link=f"https://{source.domains[0]}" if source.domains else base_url,
            fmt=FORMATS[index % len(FORMATS)],
            entries=entries,
        )
        sources.append(replace(source, url=f"{base_url}/feeds/{source_id}", enabled=True))
    return ReplayPlan(tuple(sources), feeds, rows)


def _collection_source(name: str) -> Source:
    return Source(
        id="replay-" + slugify(name, fallback="collection")[:80],
        kind="feed",
        url="http://127.0.0.1/",
        name=name,
        outlet=name,
        section=None,
        tier=3,
        languages=("en",),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _entry(row: dict[str, object], where: str) -> ReplayEntry:
    published = _parse_time(row.get("published_at"), where)
    url = _text(row.get("url"))
    authors = row.get("authors")
    return ReplayEntry(
        guid=url or f"{where}#{row.get('title')}",
        title=str(row.get("title") or ""),
        url=url,
        published=published,
        reveal_at=published or datetime(2000, 1, 1, tzinfo=UTC),
        summary=_text(row.get("summary")),
        content_html=_text(row.get("content_html")),
        authors=tuple(str(a) for a in authors if a) if isinstance(authors, list) else (),
    )


@dataclass(frozen=True, slots=True)
class ReplayStats:
    """What a replay did."""

    ticks: int
    polls: int
    items_new: int
    errors: int
    seconds: float


class FeedServer:
    """Runs ``FeedServerApp`` under uvicorn on an ephemeral 127.0.0.1 port."""

    def __init__(self, app: FeedServerApp) -> None:
        self.app = app
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FeedServer:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self._socket.close()


Progress = Callable[[int, int, datetime, int], None]
"""Called after each step with (steps done, steps in all, clock, new items so far)."""


async def run_instant(
    plan: ReplayPlan,
    scheduler: Scheduler,
    clock: SimClock,
    *,
    until: datetime | None = None,
    progress: Progress | None = None,
) -> ReplayStats:
    """Jump the clock through every hour with new items, fetching the feeds that changed."""
    started = time.monotonic()
    ticks = plan.reveal_ticks(until)
    sources = {source.id: source for source in plan.sources}
    seen = dict.fromkeys(sources, 0)
    polls = new = errors = 0
    for done, tick in enumerate(ticks, 1):
        clock.set(tick)
        changed = [
            sources[sid]
            for sid, feed in plan.feeds.items()
            if feed.visible_count(tick) != seen[sid]
        ]
        for report in await scheduler.poll(changed):
            polls += 1
            new += report.items_new
            errors += report.error is not None
            if report.error is None:
                seen[report.source_id] = plan.feeds[report.source_id].visible_count(tick)
        if progress is not None:
            progress(done, len(ticks), tick, new)
    return ReplayStats(len(ticks), polls, new, errors, time.monotonic() - started)


async def run_timed(
    plan: ReplayPlan,
    scheduler: Scheduler,
    clock: SimClock,
    *,
    until: datetime | None = None,
    progress: Progress | None = None,
    step_s: float = 0.2,
) -> ReplayStats:
    """Let the clock run and poll due sources on their schedules until ``until`` (or the
    last recorded item) has passed and every source has been polled after it."""
    started = time.monotonic()
    ticks = plan.reveal_ticks(until)
    end = until or (ticks[-1] if ticks else clock())
    polls = new = errors = steps = 0
    while True:
        now = clock()
        reports = await scheduler.poll_due(plan.sources)
        polls += len(reports)
        new += sum(r.items_new for r in reports)
        errors += sum(r.error is not None for r in reports)
        steps += 1
        if progress is not None:
            progress(bisect_count(ticks, now), len(ticks), now, new)
        if now > end + max(timedelta(seconds=s.poll_interval_s) for s in plan.sources):
            break
        await asyncio.sleep(step_s)
    return ReplayStats(steps, polls, new, errors, time.monotonic() - started)


def bisect_count(ticks: Sequence[datetime], now: datetime) -> int:
    """How many ticks are at or before ``now``."""
    return bisect.bisect_right(ticks, now)
