"""Helpers shared by the test packages: the shared data directory and test databases."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from pulseaugur.storage.base import Storage
from pulseaugur.storage.engine import create_engine
from pulseaugur.types import Cluster, Item, ScoreParts, Source, Story, SummarySentence

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
PG_URL_ENV = "PULSEAUGUR_TEST_DATABASE_URL"


def require_shared(path: Path) -> Path:
    """``path`` (under ``../shared/data``) when it exists; otherwise the test is skipped,
    or failed when the run requires the shared data (``PULSEAUGUR_REQUIRE_SHARED_DATA=1``,
    as in CI), so a missing directory can never pass silently there."""
    if path.exists():
        return path
    reason = f"the shared data {path} is absent"
    if os.environ.get("PULSEAUGUR_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(reason + " and PULSEAUGUR_REQUIRE_SHARED_DATA=1", pytrace=False)
    pytest.skip(reason)


def shared_data_dir() -> Path:
    """``../shared/data`` itself (see ``require_shared``)."""
    return require_shared(SHARED_DATA)


def postgres_url() -> str:
    """The test server's URL; skips when unset. A set but unreachable server fails."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set: no PostgreSQL server to test against")
    return url


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on the server at ``url``; yields a URL whose connections use it."""
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"cannot connect to PostgreSQL at {url}: {exc.orig}", pytrace=False)
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield urlunsplit(parts._replace(query=query))
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


# ---- record factories -----------------------------------------------------------------

T0 = datetime(2025, 8, 7, 17, 0, tzinfo=UTC)


def make_source(source_id: str = "openai-news", **changes: Any) -> Source:
    """A realistic source; keyword arguments replace fields."""
    base = Source(
        id=source_id,
        kind="feed",
        url=f"https://example.org/{source_id}/feed.xml",
        name=source_id.replace("-", " ").title(),
        outlet="OpenAI",
        section="News",
        tier=1,
        languages=("en",),
        domains=("openai.com",),
        primary=True,
    )
    return replace(base, **changes)


def add_scored_event(
    storage: Storage,
    cluster_id: int,
    score: float,
    updated: datetime,
    *,
    headline: str | None = None,
    summary: Sequence[str] = (),
    story_sources: int = 1,
) -> Item:
    """Store a one-item event ``cluster_id`` (item ``make_item(cluster_id)`` published at
    ``updated``, the event active from 30 minutes before until ``updated``) with a story
    scoring ``score`` in total: ``headline`` (default ``Headline <id>``), the ``summary``
    sentences (default ``Lead of <id>.``) and ``story_sources`` as its source count.
    Returns the item."""
    item = make_item(cluster_id, published_at=updated)
    assert storage.add_item(item).status == "stored"
    storage.save_cluster(
        Cluster(
            id=cluster_id,
            slug=f"event-{cluster_id}",
            first_seen=updated - timedelta(minutes=30),
            last_updated=updated,
            item_count=1,
            source_count=1,
        )
    )
    storage.add_membership(cluster_id, item.id, 0.9)
    sentences = summary or (f"Lead of {cluster_id}.",)
    storage.save_story(
        Story(
            cluster_id=cluster_id,
            headline=headline if headline is not None else f"Headline {cluster_id}",
            summary=tuple(SummarySentence(text, (item.id,)) for text in sentences),
            impact="Matters.",
            rank_reason="Because.",
            tags=("models",),
            event_type="launch",
            score=ScoreParts(50, 50, 50, 50, score),
            primary_item_id=item.id,
            summarizer="extractive",
            source_count=story_sources,
            coverage_item_ids=(item.id,),
        )
    )
    return item


def make_item(n: int, source_id: str = "openai-news", **changes: Any) -> Item:
    """The ``n``-th of a family of distinct items; keyword arguments replace fields."""
    url = f"https://example.org/{source_id}/post-{n}"
    base = Item(
        id=f"{source_id}-{n:04d}",
        source_id=source_id,
        guid=url,
        url_original=url,
        canonical_url=url,
        title=f"Item {n}: GPT-5 is here",
        title_en=f"Item {n}: GPT-5 is here",
        body=f"Body of item {n}. OpenAI released GPT-5 on Thursday.",
        excerpt=f"Body of item {n}.",
        authors=("Ada Lovelace",),
        lang="en",
        published_at=T0 + timedelta(minutes=n),
        fetched_at=T0 + timedelta(minutes=n, seconds=30),
        content_hash=hashlib.sha256(f"{source_id}-{n}".encode()).hexdigest(),
        raw_json={"n": n},
    )
    return replace(base, **changes)


# ---- a local HTTP server ---------------------------------------------------------------

Page = tuple[int, str, bytes]
"""(status, content type, body) of one path."""


@contextmanager
def serve_pages(pages: dict[str, Page], *, delays: dict[str, float] | None = None) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering ``pages`` by path (404 elsewhere), with
    an ETag and Content-Length, after waiting ``delays[path]`` seconds where given;
    yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep((delays or {}).get(self.path, 0.0))
            status, content_type, body = pages.get(self.path, (404, "text/plain", b""))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", f'"{len(body)}"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---- a local JSON API server (OpenAI-compatible, LibreTranslate) ----------------------


@dataclass
class Reply:
    """What a test server answers: ``body`` as is when bytes/str, else as JSON."""

    status: int = 200
    body: Any = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request the server received: its path, headers (lower-cased names) and JSON."""

    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Server:
    """A running ``serve_api`` server: its base URL and every request it received."""

    url: str
    seen: list[Seen] = field(default_factory=list)


Responder = Callable[[str, Any], Reply]


@contextmanager
def serve_api(respond: Responder) -> Iterator[Server]:
    """A real HTTP server on 127.0.0.1 answering every POST with ``respond(path, json)``."""
    stop = threading.Event()
    server_info = Server(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            server_info.seen.append(
                Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, payload)
            )
            reply = respond(self.path, payload)
            if reply.delay_s and stop.wait(reply.delay_s):
                return
            if isinstance(reply.body, bytes):
                data = reply.body
            elif isinstance(reply.body, str):
                data = reply.body.encode()
            else:
                data = json.dumps(reply.body, ensure_ascii=False).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout tests)
                pass

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_info.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server_info
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()


def chat_completion(content: str, usage: dict[str, int] | None = None) -> dict[str, Any]:
    """A chat-completions answer whose message is ``content`` (with ``usage`` when
    given), as OpenAI-compatible servers send it."""
    reply: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1754586000,
        "model": "test",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }
    if usage is not None:
        reply["usage"] = usage
    return reply
