"""Benchmark: ingest throughput — parsing, normalizing and polling, all on this machine.

    .venv/bin/python benchmarks/ingest.py [--repeat 3] [--feeds 2000] [--no-reader]

(a) parse + normalize items/s (``parse_feed`` then ``normalize_item``) over the real
    feed captures (``../shared/data/feeds/real-captures`` and ``ai-lab-feeds``, the
    files that are feeds) and over the replay corpus rendered as RSS documents of 50
    items (``ReplayFeed.render``, in memory): in this process on one core, in two
    worker processes, and through ``parse_paths`` (the ``pulseaugur parse`` path: budgeted
    workers, JSON-ready dicts). Target: >= 2,000 items/s.
(b) one poll cycle over ``--feeds`` local feeds served by one HTTP server on 127.0.0.1
    (a separate process): every feed was polled once before, 80% answer the conditional
    request with 304, 20% return a changed real feed. Driven by ``HttpClient`` (16
    fetches in flight; the per-host cap, made for real hosts, is raised to 16 because
    every feed lives on 127.0.0.1 here), the 200s parsed with ``parse_feed`` in two worker
    processes. Reports wall time (target <= 10 s) and CPU seconds.
(c) the same cycle run by the ``reader`` library (``pip install 'reader>=3.26,<4'``;
    ``update_feeds(scheduled=False, workers=16)`` over a temporary SQLite file, search
    off), as a ratio to (b). reader also stores the entries, which (b) does not.

Each figure is the median of ``--repeat`` runs; the single runs are printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from pulseaugur.errors import ParseError
from pulseaugur.normalize.item import normalize_item
from pulseaugur.pipeline.replay_server import ReplayEntry, ReplayFeed
from pulseaugur.sources.feeds import parse_feed
from pulseaugur.sources.http import HttpClient
from pulseaugur.sources.parse_files import parse_paths
from pulseaugur.types import Item, Source

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CAPTURE_DIRS = ("feeds/real-captures", "feeds/ai-lab-feeds")
REPLAY_CORPUS = "replay/ai-news-items.jsonl"
DOC_ITEMS = 50
CHANGED_SHARE = 5  # one feed in five changes between polls: 20%
CONCURRENCY = 16
SOURCE = Source(id="bench", kind="feed", url="https://bench.example/", name="b", outlet="b")
FETCHED_AT = datetime(2026, 11, 24, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Doc:
    name: str
    content: bytes


# --- (a) parse + normalize ------------------------------------------------------------


def parse_normalize(content: bytes, url: str) -> list[Item]:
    """The production path from document to items (empty for a non-feed)."""
    try:
        feed = parse_feed(content, url=url)
    except ParseError:
        return []
    return [i for raw in feed.items if (i := normalize_item(raw, SOURCE, FETCHED_AT))]


def parse_only(content: bytes, url: str, content_type: str | None) -> tuple[int, float]:
    """(items, CPU seconds) of ``parse_feed`` on one document (worker-side of (b))."""
    started = time.process_time()
    try:
        count = len(parse_feed(content, url=url, content_type=content_type).items)
    except ParseError:
        count = -1
    return count, time.process_time() - started


def _warm(_: int) -> int:
    """Load the language model and the parser in a pool worker."""
    return len(parse_normalize(_small_rss(), "https://bench.example/warm"))


def _small_rss() -> bytes:
    entry = ReplayEntry(
        guid="w",
        title="Warm-up: a new open-weights model tops the leaderboard",
        url="https://bench.example/w",
        published=FETCHED_AT,
        reveal_at=FETCHED_AT,
        summary="A short English summary of the warm-up item.",
        content_html=None,
        authors=("Ada",),
    )
    feed = ReplayFeed("warm", "Warm", "https://bench.example/", "rss", [entry])
    return feed.render(FETCHED_AT)[0]


def load_captures() -> tuple[list[Doc], int]:
    """The capture files that are feeds with items, and how many files were skipped."""
    docs: list[Doc] = []
    skipped = 0
    for folder in CAPTURE_DIRS:
        for path in sorted((SHARED / folder).rglob("*")):
            if not path.is_file():
                continue
            content = path.read_bytes()
            if parse_normalize(content, f"https://bench.example/{path.name}"):
                docs.append(Doc(str(path), content))
            else:
                skipped += 1
    return docs, skipped


def render_replay(path: Path) -> tuple[list[Doc], int]:
    """The replay corpus as RSS documents of ``DOC_ITEMS`` items, per source."""
    by_source: dict[str, list[ReplayEntry]] = defaultdict(list)
    rows = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            rows += 1
            published = _iso(row.get("published_at"))
            url = row.get("url") or None
            authors = row.get("authors")
            by_source[str(row.get("source"))].append(
                ReplayEntry(
                    guid=url or f"row-{number}",
                    title=str(row.get("title") or ""),
                    url=url,
                    published=published,
                    reveal_at=published or datetime(2000, 1, 1, tzinfo=UTC),
                    summary=row.get("summary") or None,
                    content_html=row.get("content_html") or None,
                    authors=tuple(str(a) for a in authors if a)
                    if isinstance(authors, list)
                    else (),
                )
            )
    docs: list[Doc] = []
    for source, entries in sorted(by_source.items()):
        entries.sort(key=lambda e: (e.reveal_at, e.guid))
        for start in range(0, len(entries), DOC_ITEMS):
            chunk = entries[start : start + DOC_ITEMS]
            feed = ReplayFeed(f"s{len(docs)}", source, "https://bench.example/", "rss", chunk)
            docs.append(Doc(f"{source}#{start}", feed.render(chunk[-1].reveal_at)[0]))
    return docs, rows


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def run_inline(docs: Sequence[Doc]) -> int:
    return sum(len(parse_normalize(d.content, "https://bench.example/feed")) for d in docs)


def run_pool(pool: concurrent.futures.Executor, docs: Sequence[Doc]) -> int:
    """Every document through ``parse_normalize`` in the pool, the items sent back."""
    ordered = sorted(docs, key=lambda d: -len(d.content))  # largest first: even finish
    futures = [
        pool.submit(parse_normalize, d.content, "https://bench.example/feed") for d in ordered
    ]
    return sum(len(f.result()) for f in futures)


def run_parse_paths(paths: Sequence[str]) -> int:
    return sum(len(o.items) for o in parse_paths(paths, workers=2))


def measure(label: str, repeat: int, run: Callable[[], int]) -> float:
    """Run ``run`` ``repeat`` times; print and return the median items/s."""
    rates, items = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        items = run()
        rates.append(items / (time.perf_counter() - started))
    median = statistics.median(rates)
    runs = ", ".join(f"{r:,.0f}" for r in rates)
    print(f"  {label:<44} {median:>7,.0f} items/s  ({items:,} items; runs: {runs})")
    return median


def part_a(repeat: int, pool: concurrent.futures.Executor) -> None:
    print("(a) parse + normalize, items/s (target >= 2,000)")
    captures, skipped = load_captures()
    size = sum(len(d.content) for d in captures)
    print(
        f"  real captures: {len(captures)} feed documents, {size / 1e6:.1f} MB "
        f"({skipped} files that are not feeds skipped)"
    )
    measure("real captures, 1 process (1 core)", repeat, lambda: run_inline(captures))
    measure("real captures, 2 worker processes", repeat, lambda: run_pool(pool, captures))
    paths = [d.name for d in captures]
    measure("real captures, parse_paths(workers=2)", repeat, lambda: run_parse_paths(paths))
    replay, rows = render_replay(SHARED / REPLAY_CORPUS)
    size = sum(len(d.content) for d in replay)
    print(f"  replay corpus: {rows:,} items as {len(replay)} RSS documents, {size / 1e6:.1f} MB")
    measure("replay as RSS, 1 process (1 core)", repeat, lambda: run_inline(replay))
    measure("replay as RSS, 2 worker processes", repeat, lambda: run_pool(pool, replay))


# --- (b) and (c): the poll cycle ---------------------------------------------------------


class FeedState:
    """What the local server serves: ``count`` feeds at ``/feeds/<n>``.

    Generation 0 (the first poll) serves every feed as a small real feed. At generation
    ``g`` > 0, feeds whose number is a multiple of ``CHANGED_SHARE`` have version ``g``
    and serve a real capture picked by ``g``; the others keep version 0 and answer a
    conditional request with 304. ETag and Last-Modified follow the version.
    """

    def __init__(self, count: int, pool: list[bytes], small: bytes) -> None:
        self.count = count
        self.pool = pool
        self.small = small
        self.generation = 0
        self.statuses: dict[int, int] = defaultdict(int)

    def respond(self, target: str, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        if target.startswith("/_gen/"):
            self.generation = int(target.removeprefix("/_gen/"))
            return 200, ["Content-Type: text/plain"], b"ok"
        if target == "/_stats":
            stats = {"cpu": time.process_time(), "statuses": self.statuses}
            return 200, ["Content-Type: application/json"], json.dumps(stats).encode()
        number = target.removeprefix("/feeds/")
        if not (target.startswith("/feeds/") and number.isdigit()) or int(number) >= self.count:
            return 404, ["Content-Type: text/plain"], b"not found"
        feed = int(number)
        version = self.generation if feed % CHANGED_SHARE == 0 else 0
        etag = f'"{feed}-{version}"'
        modified = format_datetime(FETCHED_AT + timedelta(hours=version), usegmt=True)
        meta = [f"ETag: {etag}", f"Last-Modified: {modified}", "Cache-Control: max-age=60"]
        match = headers.get("if-none-match")
        if (match is not None and match == etag) or (
            match is None and headers.get("if-modified-since") == modified
        ):
            self.statuses[304] += 1
            return 304, meta, b""
        if version == 0:
            body = self.small
        else:
            body = self.pool[(feed // CHANGED_SHARE + version * 31) % len(self.pool)]
        kind = "application/feed+json" if body.lstrip()[:1] == b"{" else "application/xml"
        self.statuses[200] += 1
        return 200, [f"Content-Type: {kind}", *meta], body


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}


async def _handle(
    state: FeedState, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """HTTP/1.1 for GET, with keep-alive: enough for httpx and requests."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            _, target, version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            status, meta, body = state.respond(target, headers)
            out = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}", *meta]
            if status != 304:
                out.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            if headers.get("connection", "").lower() == "close" or version == "HTTP/1.0":
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def serve(conn: Any, count: int, pool_paths: list[str], small_path: str) -> None:
    """The server process: binds 127.0.0.1, sends its port, serves until killed."""
    pool = [Path(p).read_bytes() for p in pool_paths]
    state = FeedState(count, pool, Path(small_path).read_bytes())

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _handle(state, r, w), "127.0.0.1", 0, backlog=1024
        )
        conn.send(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


@contextlib.contextmanager
def feed_server(count: int, pool_paths: list[str], small_path: str) -> Iterator[str]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=serve, args=(theirs, count, pool_paths, small_path), daemon=True
    )
    process.start()
    try:
        if not ours.poll(60):
            raise RuntimeError("the feed server did not start")
        yield f"http://127.0.0.1:{ours.recv()}"
    finally:
        process.kill()
        process.join()


async def _get(client: HttpClient, url: str) -> bytes:
    return (await client.fetch(url)).content


@dataclass(slots=True)
class CycleResult:
    seconds: float
    cpu_client: float
    cpu_server: float
    statuses: dict[int, int]
    items: int
    errors: int
    cpu_parse: float | None = None
    """Of ``cpu_client``, the seconds spent parsing in the worker processes."""


def _server_stats(base: str) -> dict[str, Any]:
    async def fetch() -> bytes:
        async with _client() as client:
            return await _get(client, f"{base}/_stats")

    stats: dict[str, Any] = json.loads(asyncio.run(fetch()))
    return stats


def _set_generation(base: str, generation: int) -> None:
    async def fetch() -> None:
        async with _client() as client:
            await _get(client, f"{base}/_gen/{generation}")

    asyncio.run(fetch())


def _client() -> HttpClient:
    return HttpClient(
        user_agent="PulseAugur-bench/1",
        timeout_s=60,
        max_concurrency=CONCURRENCY,
        max_per_host=CONCURRENCY,
        allow_private_addresses=True,
    )


class OurPoller:
    """Conditional polling with ``HttpClient``; the 200s parsed in ``pool``."""

    def __init__(self, base: str, count: int, pool: concurrent.futures.Executor) -> None:
        self.urls = [f"{base}/feeds/{n}" for n in range(count)]
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.pool = pool

    async def _cycle(self, parse: bool) -> tuple[dict[int, int], int, int, float]:
        loop = asyncio.get_running_loop()
        statuses: dict[int, int] = defaultdict(int)
        totals = {"items": 0, "errors": 0, "cpu": 0.0}

        async def poll(url: str) -> None:
            etag, modified = self.validators.get(url, (None, None))
            try:
                result = await client.fetch(url, etag=etag, last_modified=modified)
            except Exception:
                totals["errors"] += 1
                return
            statuses[result.status] += 1
            self.validators[url] = (result.etag, result.last_modified)
            if parse and not result.not_modified:
                count, cpu = await loop.run_in_executor(
                    self.pool, parse_only, result.content, result.url, result.content_type
                )
                totals["cpu"] += cpu
                if count < 0:
                    totals["errors"] += 1
                else:
                    totals["items"] += count

        async with _client() as client:
            await asyncio.gather(*(poll(url) for url in self.urls))
        return dict(statuses), int(totals["items"]), int(totals["errors"]), totals["cpu"]

    def cycle(self, base: str, *, parse: bool = True) -> CycleResult:
        server_before = _server_stats(base)["cpu"]
        cpu_before = time.process_time()
        started = time.perf_counter()
        statuses, items, errors, worker_cpu = asyncio.run(self._cycle(parse))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_before + worker_cpu
        server_cpu = _server_stats(base)["cpu"] - server_before
        return CycleResult(seconds, cpu, server_cpu, statuses, items, errors, worker_cpu)


class ReaderPoller:
    """The same cycle run by lemon24's ``reader`` (storage in a temporary SQLite file)."""

    def __init__(self, base: str, count: int, directory: str) -> None:
        from reader import make_reader

        self.reader = make_reader(os.path.join(directory, "reader.sqlite"), search_enabled=False)
        for n in range(count):
            self.reader.add_feed(f"{base}/feeds/{n}")

    def cycle(self, base: str) -> CycleResult:
        server_before = _server_stats(base)["cpu"]
        entries_before = self.reader.get_entry_counts().total or 0
        cpu_before = time.process_time()
        started = time.perf_counter()
        statuses: dict[int, int] = defaultdict(int)
        errors = 0
        for result in self.reader.update_feeds_iter(scheduled=False, workers=CONCURRENCY):
            if isinstance(result.value, Exception):
                errors += 1
            elif result.value is None:
                statuses[304] += 1
            else:
                statuses[200] += 1
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
        server_cpu = _server_stats(base)["cpu"] - server_before
        items = (self.reader.get_entry_counts().total or 0) - entries_before
        return CycleResult(seconds, cpu, server_cpu, dict(statuses), items, errors)

    def close(self) -> None:
        self.reader.close()


def _report(label: str, runs: list[CycleResult]) -> float:
    wall = statistics.median(r.seconds for r in runs)
    cpu = statistics.median(r.cpu_client for r in runs)
    server = statistics.median(r.cpu_server for r in runs)
    last = runs[-1]
    parse_cpu = [r.cpu_parse for r in runs if r.cpu_parse is not None]
    split = f" (parsing {statistics.median(parse_cpu):.2f} s)" if parse_cpu else ""
    print(
        f"  {label:<32} wall {wall:6.2f} s  client CPU {cpu:6.2f} s{split}"
        f"  server CPU {server:5.2f} s  (runs: {', '.join(f'{r.seconds:.2f}' for r in runs)} s)"
    )
    print(
        f"  {'':<32} last run: {last.statuses.get(304, 0)} x 304, "
        f"{last.statuses.get(200, 0)} x 200, {last.items:,} items, {last.errors} errors"
    )
    return wall


def pick_pool(captures: Sequence[Doc]) -> tuple[list[str], str]:
    """The real feeds served as changed feeds, and the smallest one (first poll)."""
    paths = [d.name for d in captures]
    small = min(captures, key=lambda d: len(d.content)).name
    return paths, small


def part_bc(repeat: int, count: int, with_reader: bool, pool: concurrent.futures.Executor) -> None:
    captures, _ = load_captures()
    pool_paths, small = pick_pool(captures)
    changed = len(range(0, count, CHANGED_SHARE))
    print(
        f"(b) poll cycle over {count:,} local feeds: {count - changed:,} unchanged (304), "
        f"{changed:,} changed real feeds (200 + parse_feed); target <= 10 s"
    )
    with feed_server(count, pool_paths, small) as base:
        ours = OurPoller(base, count, pool)
        _set_generation(base, 0)
        first = ours.cycle(base, parse=False)
        print(f"  first poll (all 200, small feeds, no parsing): {first.seconds:.2f} s")
        runs = []
        for generation in range(1, repeat + 1):
            _set_generation(base, generation)
            runs.append(ours.cycle(base))
        our_wall = _report("PulseAugur HttpClient + parse", runs)
        if not with_reader:
            return
        try:
            import reader
        except ImportError:
            print("(c) skipped: reader is not installed (pip install 'reader>=3.26,<4')")
            return
        print(f"(c) the same cycle with reader {reader.__version__} (fetch + parse + store)")
        with tempfile.TemporaryDirectory() as directory:
            theirs = ReaderPoller(base, count, directory)
            _set_generation(base, 0)
            started = time.perf_counter()
            theirs.cycle(base)
            seconds = time.perf_counter() - started
            print(f"  first poll (all 200, small feeds, stored): {seconds:.2f} s")
            runs = []
            for generation in range(repeat + 1, 2 * repeat + 1):
                _set_generation(base, generation)
                runs.append(theirs.cycle(base))
            their_wall = _report("reader update_feeds(workers=16)", runs)
            theirs.close()
        print(f"  ratio reader / PulseAugur wall time: {their_wall / our_wall:.2f}x")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--feeds", type=int, default=2000, help="feeds in the poll cycle")
    parser.add_argument("--no-reader", action="store_true", help="skip (c)")
    parser.add_argument("--only", choices=("a", "bc"), help="run one part")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"ingest benchmark: shared data {SHARED} not found", file=sys.stderr)
        return 2
    print(
        f"ingest benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"load average before {_load()} (other work on the machine skews every figure)"
    )
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        list(pool.map(_warm, range(4)))
        if args.only in (None, "a"):
            part_a(args.repeat, pool)
        if args.only in (None, "bc"):
            part_bc(args.repeat, args.feeds, not args.no_reader, pool)
    print(f"total {time.perf_counter() - started:.0f} s; load average {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
