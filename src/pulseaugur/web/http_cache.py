"""The render cache: a pure-ASGI middleware that serves pages, API answers and feeds from
memory until the data behind them changes, with ``ETag``/``Last-Modified`` and 304s.

What is cached: the 200 answers to GET (and HEAD, served from the GET answer) except
under ``EXCLUDED_PREFIXES`` (``/live/``, ``/lang/``, ``/metrics``, ``/healthz``, and the
WebSub and unsubscribe links), and except answers that set
a cookie or say ``Cache-Control: no-store``. The key is the path and query string, the UI
language (``i18n.request_language``: the ``lang`` cookie, else ``Accept-Language``), and
``storage.revision()``: an answer is served only while the revision it was rendered at
is current. The revision is read at most once per ``revision_ttl_s`` (0.25 s) per
process, and again right after this process handled a write (any other method), so a
change shows within that time. A hit runs no routing, no handler and no other database
read.

Each cached answer carries a strong ``ETag`` (a hash of the body, unless the handler
gave one) and ``Last-Modified`` (the handler's, else when this body was first rendered:
an unchanged body re-rendered at a new revision keeps it). ``If-None-Match`` (which
decides when present) or ``If-Modified-Since`` answer 304. HTML answers send ``Vary:
Cookie, Accept-Language`` (they depend on the language); answers without a
``Cache-Control`` get ``no-cache`` (caches must revalidate: the news moves).

The cache is bounded (``max_entries`` answers, ``max_bytes`` in all; least recently used
first out), a body over ``max_body`` is streamed through uncached, and concurrent misses
of one key render once. When ``revision()`` fails nothing is cached or served from the
cache: requests go to the handlers.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulseaugur.web.feeds import not_modified
from pulseaugur.web.i18n import request_language

EXCLUDED_PREFIXES: tuple[str, ...] = (
    "/live/",
    "/lang/",
    "/metrics",
    "/healthz",
    "/websub/",
    "/unsubscribe/",
)
"""Never cached: streams, redirects that set cookies, operations, and GETs that act
(WebSub verification) or concern one reader (unsubscribe links)."""
_CONDITIONAL = {b"if-none-match", b"if-modified-since", b"if-match", b"if-range"}
Key = tuple[str, bytes, str]
_NOT_MODIFIED_HEADERS = frozenset(
    {
        b"etag",
        b"last-modified",
        b"cache-control",
        b"vary",
        b"content-location",
        b"content-security-policy",
        b"x-content-type-options",
        b"referrer-policy",
        b"x-frame-options",
        b"cross-origin-opener-policy",
        b"permissions-policy",
    }
)
"""What a 304 repeats of the cached answer: its validators, caching and security
headers (RFC 9110 15.4.5)."""


@dataclass(slots=True)
class Entry:
    """One cached answer."""

    revision: int
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    last_modified: datetime
    not_modified_headers: list[tuple[bytes, bytes]]
    route: object | None
    start: Message
    """The ``http.response.start`` message of a 200, built once."""
    body_message: Message
    """The ``http.response.body`` message of a GET, built once."""


_EMPTY_BODY: Message = {"type": "http.response.body", "body": b""}
"""The body message of a HEAD or a 304 (the server only reads messages)."""


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


class HttpCache:
    """The middleware (see the module docstring). ``revision`` is the storage's
    ``revision`` method (anything that raises disables the cache for that read);
    ``expose`` is called with the middleware once it is built."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        revision: Callable[[], int],
        revision_ttl_s: float = 0.25,
        max_entries: int = 2048,
        max_bytes: int = 64 * 1024 * 1024,
        max_body: int = 2 * 1024 * 1024,
        expose: Callable[[HttpCache], None] | None = None,
        on_hit: Callable[[object | None, str, int, float], None] | None = None,
    ) -> None:
        self.app = app
        self.revision_source = revision
        self.revision_ttl_s = revision_ttl_s
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0
        self.revision_reads = 0
        self._revision: int | None = None
        self._checked_at = -1e9
        self._refresh: asyncio.Future[None] | None = None
        self._rendering: dict[Key, asyncio.Future[None]] = {}
        self.on_hit = on_hit
        if expose is not None:
            expose(self)

    # ---- the revision ----------------------------------------------------------------

    def invalidate(self) -> None:
        """Read the revision again before the next answer (after a write)."""
        self._checked_at = -1e9

    async def current_revision(self) -> int | None:
        """The storage revision, read at most once per ``revision_ttl_s``; None when the
        read failed."""
        if time.monotonic() - self._checked_at < self.revision_ttl_s:
            return self._revision
        if self._refresh is not None:
            await asyncio.shield(self._refresh)
            return self._revision
        self._refresh = asyncio.get_running_loop().create_future()
        try:
            try:
                self._revision = await anyio.to_thread.run_sync(self.revision_source)
            except Exception:
                self._revision = None
            self.revision_reads += 1
            self._checked_at = time.monotonic()
        finally:
            self._refresh.set_result(None)
            self._refresh = None
        return self._revision

    # ---- the middleware --------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method != "GET" and method != "HEAD":
            try:
                await self.app(scope, receive, send)
            finally:
                self.invalidate()
            return
        path: str = scope["path"]
        if path.startswith(EXCLUDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if time.monotonic() - self._checked_at < self.revision_ttl_s:
            revision = self._revision
        else:
            revision = await self.current_revision()
        if revision is None:
            await self.app(scope, receive, send)
            return
        # The headers a hit reads, raw: the language is memoized by their bytes.
        cookie: bytes | None = None
        accept_language = b""
        conditional = False
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = value if cookie is None else cookie + b"; " + value
            elif name == b"accept-language":
                accept_language = value
            elif name == b"if-none-match" or name == b"if-modified-since":
                conditional = True
        key: Key = (
            path,
            scope.get("query_string", b""),
            _language(cookie or b"", accept_language),
        )
        entry = self.entries.get(key)
        if entry is not None and entry.revision == revision:
            self.entries.move_to_end(key)
        else:
            entry = None
            pending = self._rendering.get(key)
            if pending is not None:
                await asyncio.shield(pending)
                entry = self._valid(key, revision)
        if entry is not None:
            self.hits += 1
            started = time.perf_counter()
            if conditional:
                status = await self._answer(entry, _request_headers(scope), method, send)
            else:
                await send(entry.start)
                await send(entry.body_message if method == "GET" else _EMPTY_BODY)
                status = 200
            if self.on_hit is not None:
                self.on_hit(entry.route, method, status, time.perf_counter() - started)
            return
        self.misses += 1
        await self._render(key, revision, scope, receive, send, _request_headers(scope))

    def _valid(self, key: Key, revision: int) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry.revision != revision:
            return None
        self.entries.move_to_end(key)
        return entry

    async def _answer(self, entry: Entry, headers: dict[str, str], method: str, send: Send) -> int:
        """Send ``entry`` (or 304) for this request; returns the status sent."""
        if not_modified(
            headers.get("if-none-match"),
            headers.get("if-modified-since"),
            entry.etag,
            entry.last_modified,
        ):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": entry.not_modified_headers,
                }
            )
            await send(_EMPTY_BODY)
            return 304
        await send(entry.start)
        await send(entry.body_message if method == "GET" else _EMPTY_BODY)
        return 200

    async def _render(
        self,
        key: Key,
        revision: int,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[str, str],
    ) -> None:
        """Run the app for a GET without validators; keep its answer if it may be
        cached, then answer the request (validators and HEAD included) from it."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._rendering[key] = done
        inner = dict(scope)
        inner["method"] = "GET"
        inner["headers"] = [
            (name, value) for name, value in scope["headers"] if name not in _CONDITIONAL
        ]
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False
        entry: Entry | None = None

        async def capture(message: Message) -> None:
            nonlocal start, size, passing, entry
            if passing:
                if message["type"] == "http.response.body" and scope["method"] == "HEAD":
                    message = {**message, "body": b""}
                await send(message)
                return
            if message["type"] == "http.response.start":
                if _cacheable(message):
                    start = message
                else:
                    passing = True
                    await send(message)
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                passing = True
                await send(start)
                body = b"" if scope["method"] == "HEAD" else b"".join(chunks)
                await send({"type": "http.response.body", "body": body, "more_body": True})
                chunks.clear()
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            if not message.get("more_body", False):
                entry = self._store(key, revision, start, b"".join(chunks), inner.get("route"))

        try:
            await self.app(inner, receive, capture)
        finally:
            del self._rendering[key]
            done.set_result(None)
        if entry is not None:
            await self._answer(entry, headers, scope["method"], send)

    def _store(
        self, key: Key, revision: int, start: Message, body: bytes, route: object | None
    ) -> Entry:
        raw = [(n.lower(), v) for n, v in start.get("headers", [])]
        names = {name for name, _ in raw}
        etag = (
            _header(raw, b"etag") or '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        )
        previous = self.entries.get(key)
        modified_text = _header(raw, b"last-modified")
        if modified_text is not None:
            try:
                last_modified = parsedate_to_datetime(modified_text)
            except (TypeError, ValueError, IndexError):
                last_modified = datetime.now(UTC).replace(microsecond=0)
        elif previous is not None and previous.etag == etag:
            last_modified = previous.last_modified
        else:
            last_modified = datetime.now(UTC).replace(microsecond=0)
        out = [(n, v) for n, v in raw if n != b"content-length"]
        out.append((b"content-length", str(len(body)).encode()))
        if b"etag" not in names:
            out.append((b"etag", etag.encode()))
        if b"last-modified" not in names:
            out.append((b"last-modified", _http_date(last_modified).encode()))
        if b"cache-control" not in names:
            out.append((b"cache-control", b"no-cache"))
        content_type = _header(raw, b"content-type") or ""
        if content_type.startswith("text/html") and b"vary" not in names:
            out.append((b"vary", b"Cookie, Accept-Language"))
        keep = _NOT_MODIFIED_HEADERS
        entry = Entry(
            revision=revision,
            status=200,
            headers=out,
            body=body,
            etag=etag,
            last_modified=last_modified,
            not_modified_headers=[(n, v) for n, v in out if n in keep],
            route=route,
            start={"type": "http.response.start", "status": 200, "headers": out},
            body_message={"type": "http.response.body", "body": body},
        )
        if len(body) <= self.max_body:
            self._put(key, entry)
        return entry

    def _put(self, key: Key, entry: Entry) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
            _, evicted = self.entries.popitem(last=False)
            self.size -= len(evicted.body)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def _cacheable(start: Message) -> bool:
    if start["status"] != 200:
        return False
    for name, value in start.get("headers", []):
        lowered = name.lower()
        if lowered == b"set-cookie":
            return False
        if lowered == b"cache-control" and b"no-store" in value.lower():
            return False
    return True


@functools.lru_cache(maxsize=1024)
def _language(cookie: bytes, accept_language: bytes) -> str:
    """The UI language for these raw ``Cookie`` and ``Accept-Language`` values, memoized
    by their bytes (bounded: the least recently used pairs go first)."""
    return request_language(
        {"cookie": cookie.decode("latin-1"), "accept-language": accept_language.decode("latin-1")}
    )


def _request_headers(scope: Scope) -> dict[str, str]:
    """The request headers the cache reads, by lower-case name."""
    wanted = {b"cookie", b"accept-language", b"if-none-match", b"if-modified-since"}
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name in wanted:
            text = value.decode("latin-1")
            key = name.decode()
            found[key] = f"{found[key]}; {text}" if key == "cookie" and key in found else text
    return found
