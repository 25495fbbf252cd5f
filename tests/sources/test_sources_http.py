"""``HttpClient`` against a real HTTP server on 127.0.0.1 (and, for the SSRF guard's
name handling, an in-memory transport with a fake resolver: no traffic leaves the host)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from pulseaugur.config import Settings
from pulseaugur.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
)
from pulseaugur.sources.feeds import parse_feed
from pulseaugur.sources.http import HttpClient, is_public_address

T = TypeVar("T")
UA = "PulseAugur-test/1"
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 26 Jun 2017 19:41:48 GMT"


@dataclass
class Reply:
    """What a route answers. ``drip`` sends the body one byte per ``drip`` seconds;
    ``delay`` waits before answering at all."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drip: float | None = None
    delay: float = 0.0
    content_length: bool = True


Route = Callable[[BaseHTTPRequestHandler], Reply]


class LocalServer:
    """A threaded HTTP/1.0 server on an ephemeral 127.0.0.1 port with a route table."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.active: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server.lock:
                    server.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                try:
                    route = server.routes.get(self.path)
                    reply = route(self) if route else Reply(404, body=b"not here")
                    server.wait(self.path, reply.delay)
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.content_length:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if reply.drip is None:
                        self.wfile.write(reply.body)
                        return
                    for i in range(len(reply.body)):
                        self.wfile.write(reply.body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up, as it should

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, path: str, seconds: float) -> None:
        """Sleep, counting how many requests for ``path`` are held at once (before any
        answer is sent)."""
        with self.lock:
            self.active[path] = self.active.get(path, 0) + 1
            self.peak[path] = max(self.peak.get(path, 0), self.active[path])
        time.sleep(seconds)
        with self.lock:
            self.active[path] -= 1

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.seen]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def _server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def server(_server: LocalServer) -> LocalServer:
    _server.routes.clear()
    _server.seen.clear()
    _server.peak.clear()
    return _server


def client(**overrides: object) -> HttpClient:
    options: dict[str, object] = {
        "user_agent": UA,
        "timeout_s": 5.0,
        "max_bytes": 1_000_000,
        "max_concurrency": 4,
        "allow_private_addresses": True,
    }
    options.update(overrides)
    return HttpClient(**options)  # type: ignore[arg-type]


def run(make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await make()

    return asyncio.run(main())


def fetch(url: str, **overrides: object) -> object:
    """Fetch ``url`` with a fresh client; returns the result or the raised exception."""

    async def go() -> object:
        async with client(**overrides) as c:
            try:
                return await c.fetch(url)
            except FetchError as exc:
                return exc

    return run(go)


def static(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    return lambda _: Reply(status, dict(headers or {}), body)


def redirect(location: str, status: int = 302) -> Route:
    return lambda _: Reply(status, {"Location": location})


# --- conditional GET --------------------------------------------------------------------


def test_conditional_get_round_trip(server: LocalServer, shared_data: Path) -> None:
    body = (shared_data / "feeds/real-captures/rsparser/DaringFireball.rss").read_bytes()

    def feed(handler: BaseHTTPRequestHandler) -> Reply:
        if (
            handler.headers.get("If-None-Match") == ETAG
            or handler.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return Reply(304, {"ETag": ETAG})
        headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "Content-Type": "text/xml"}
        return Reply(200, headers, body)

    server.routes["/feed"] = feed

    async def go() -> None:
        async with client() as c:
            first = await c.fetch(server.url("/feed"))
            assert (first.status, first.not_modified) == (200, False)
            assert first.content == body
            assert first.url == server.url("/feed")
            assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
            assert first.content_type == "text/xml"
            assert first.fetched_at is not None
            assert first.fetched_at.tzinfo is not None
            parsed = parse_feed(first.content, url=first.url, content_type=first.content_type)
            assert parsed.title == "Daring Fireball"
            assert parsed.items

            again = await c.fetch(first.url, etag=first.etag, last_modified=first.last_modified)
            assert (again.status, again.not_modified, again.content) == (304, True, b"")
            assert (again.etag, again.last_modified) == (ETAG, LAST_MODIFIED)

            by_date = await c.fetch(first.url, last_modified=LAST_MODIFIED)
            assert by_date.not_modified

    run(go)
    sent = [headers for _, headers in server.seen]
    assert "if-none-match" not in sent[0]
    assert sent[1]["if-none-match"] == ETAG
    assert sent[1]["if-modified-since"] == LAST_MODIFIED
    assert sent[2]["if-modified-since"] == LAST_MODIFIED
    assert all(h["user-agent"] == UA for h in sent)
    assert "gzip" in sent[0]["accept-encoding"]


# --- size cap ---------------------------------------------------------------------------


def test_body_over_the_cap_by_content_length(server: LocalServer) -> None:
    server.routes["/big"] = static(b"x" * 200_000)
    error = fetch(server.url("/big"), max_bytes=64_000)
    assert isinstance(error, ResponseTooLarge)
    assert "200000 bytes" in str(error)
    assert server.url("/big") in str(error)


def test_body_over_the_cap_while_streaming(server: LocalServer) -> None:
    server.routes["/stream"] = lambda _: Reply(body=b"y" * 200_000, content_length=False)
    error = fetch(server.url("/stream"), max_bytes=64_000)
    assert isinstance(error, ResponseTooLarge)
    assert "64000-byte cap" in str(error)


def test_body_exactly_at_the_cap_is_accepted(server: LocalServer) -> None:
    server.routes["/edge"] = lambda _: Reply(body=b"z" * 64_000, content_length=False)
    result = fetch(server.url("/edge"), max_bytes=64_000)
    assert not isinstance(result, Exception)
    assert result.content == b"z" * 64_000  # type: ignore[attr-defined]


def _gzip_bomb(decoded_size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * 1_000_000
    parts = [packer.compress(block) for _ in range(decoded_size // len(block))]
    return b"".join([*parts, packer.flush()])


def test_gzip_bomb_is_cut_off_by_the_cap(server: LocalServer) -> None:
    bomb = _gzip_bomb(200_000_000)  # 200 MB of zeros in about 200 KB
    assert len(bomb) < 300_000
    server.routes["/bomb"] = static(bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = fetch(server.url("/bomb"), max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, ResponseTooLarge)
    assert time.perf_counter() - started < 5
    assert peak < 20_000_000  # never inflated far past the 1 MB cap


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "gzip-members"])
def test_compressed_bodies_are_decoded(server: LocalServer, encoding: str) -> None:
    text = b"<rss version='2.0'><channel><title>T</title></channel></rss>" * 500
    if encoding == "gzip":
        wire, header = zlib.compress(text, wbits=zlib.MAX_WBITS | 16), "gzip"
    elif encoding == "deflate":
        wire, header = zlib.compress(text), "deflate"
    elif encoding == "raw-deflate":
        wire, header = zlib.compress(text, wbits=-zlib.MAX_WBITS), "deflate"
    else:
        half = len(text) // 2
        wire = b"".join(
            zlib.compress(part, wbits=zlib.MAX_WBITS | 16) for part in (text[:half], text[half:])
        )
        header = "gzip"
    server.routes["/z"] = static(wire, headers={"Content-Encoding": header})
    result = fetch(server.url("/z"))
    assert not isinstance(result, Exception), result
    assert result.content == text  # type: ignore[attr-defined]


def test_corrupt_gzip_is_a_fetch_error(server: LocalServer) -> None:
    server.routes["/bad"] = static(b"this is not gzip at all", headers={"Content-Encoding": "gzip"})
    error = fetch(server.url("/bad"))
    assert type(error) is FetchError
    assert "not valid gzip" in str(error)


# --- deadlines --------------------------------------------------------------------------


def test_slow_drip_is_cut_off_by_the_overall_deadline(server: LocalServer) -> None:
    # One byte every 50 ms never trips a per-read timeout; only total time can stop it.
    server.routes["/drip"] = lambda _: Reply(body=b"d" * 10_000, drip=0.05)
    started = time.perf_counter()
    error = fetch(server.url("/drip"), timeout_s=1.0)
    elapsed = time.perf_counter() - started
    assert isinstance(error, FetchTimeout)
    assert "within 1 s" in str(error)
    assert server.url("/drip") in str(error)
    assert 0.9 <= elapsed < 2.0


def test_silent_server_times_out(server: LocalServer) -> None:
    server.routes["/silent"] = lambda _: Reply(body=b"late", delay=3.0)
    started = time.perf_counter()
    error = fetch(server.url("/silent"), timeout_s=0.5)
    assert isinstance(error, FetchTimeout)
    assert time.perf_counter() - started < 1.5


# --- redirects --------------------------------------------------------------------------


def test_redirects_are_followed(server: LocalServer) -> None:
    server.routes["/a"] = redirect("/b", 301)  # relative
    server.routes["/b"] = redirect(server.url("/c"), 302)  # absolute
    server.routes["/c"] = redirect("d", 303)  # path-relative
    server.routes["/d"] = redirect("/e", 307)
    server.routes["/e"] = redirect("/final", 308)
    server.routes["/final"] = static(b"arrived", headers={"ETag": '"f"'})
    result = fetch(server.url("/a"))
    assert not isinstance(result, Exception), result
    assert result.content == b"arrived"  # type: ignore[attr-defined]
    assert result.url == server.url("/final")  # type: ignore[attr-defined]
    assert result.etag == '"f"'  # type: ignore[attr-defined]
    assert server.paths() == ["/a", "/b", "/c", "/d", "/e", "/final"]


def test_six_redirects_are_too_many(server: LocalServer) -> None:
    for i in range(6):
        server.routes[f"/hop{i}"] = redirect(f"/hop{i + 1}")
    server.routes["/hop6"] = static(b"too far")
    error = fetch(server.url("/hop0"))
    assert type(error) is FetchError
    assert "gave up after 5 redirects" in str(error)


def test_redirect_loop_is_a_fetch_error(server: LocalServer) -> None:
    server.routes["/loop"] = redirect("/loop")
    error = fetch(server.url("/loop"))
    assert type(error) is FetchError
    assert str(error).startswith(server.url("/loop") + ": ")
    assert server.paths() == ["/loop"] * 6


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.routes["/to-file"] = redirect("file:///etc/passwd")
    error = fetch(server.url("/to-file"))
    assert isinstance(error, BlockedAddress)
    assert "scheme file" in str(error)


# --- error statuses and connection errors -----------------------------------------------


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_error_status(server: LocalServer, status: int) -> None:
    server.routes["/err"] = static(b"nope", status)
    error = fetch(server.url("/err"))
    assert isinstance(error, HTTPStatusError)
    assert error.status == status
    assert str(error) == f"{server.url('/err')}: server answered HTTP {status}"


def test_redirect_without_location_is_a_status_error(server: LocalServer) -> None:
    server.routes["/nowhere"] = static(b"", 302)
    error = fetch(server.url("/nowhere"))
    assert isinstance(error, HTTPStatusError)
    assert error.status == 302


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"  # nothing listens there any more
    error = fetch(url)
    assert type(error) is FetchError
    assert str(error).startswith(f"{url}: cannot connect")
    assert "\n" not in str(error)


def test_invalid_urls() -> None:
    assert type(fetch("http://")) is FetchError
    assert type(fetch("not a url at all")) is BlockedAddress


# --- SSRF guard -------------------------------------------------------------------------


def test_guard_refuses_loopback_and_allows_it_when_configured(server: LocalServer) -> None:
    server.routes["/feed"] = static(b"hello")
    error = fetch(server.url("/feed"), allow_private_addresses=False)
    assert isinstance(error, BlockedAddress)
    assert "127.0.0.1" in str(error)
    assert "non-public" in str(error)
    assert server.seen == []  # refused before any connection
    allowed = fetch(server.url("/feed"), allow_private_addresses=True)
    assert not isinstance(allowed, Exception)
    assert allowed.content == b"hello"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://100.100.100.200/",  # shared address space (Alibaba metadata)
        "http://0.0.0.0:8000/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00:ec2::254]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # and in hex shorthand
        "file:///etc/passwd",
        "ftp://example.org/feed",
        "gopher://127.0.0.1:70/",
    ],
)
def test_guard_refuses_non_public_targets(url: str) -> None:
    error = fetch(url, allow_private_addresses=False)
    assert isinstance(error, BlockedAddress), error
    assert str(error).startswith(url + ": ")
    assert "refused" in str(error)


def test_public_address_classification() -> None:
    assert is_public_address("93.184.216.34")
    assert is_public_address("2606:2800:220:1:248:1893:25c8:1946")
    for address in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
        "ff02::1",
        "not an address",
    ):
        assert not is_public_address(address), address


class Recorder:
    """An in-memory transport: records requests, answers from a table by host name."""

    def __init__(self, answers: dict[str, httpx.Response]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers[request.headers["host"]]


def fake_resolver(table: dict[str, list[str]]) -> Callable[[str, int], Awaitable[list[str]]]:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


DNS = {
    "news.example": ["93.184.216.34"],
    "cdn.example": ["2606:2800:220:1:248:1893:25c8:1946"],
    "intranet.example": ["10.0.0.5"],
    "split.example": ["93.184.216.35", "127.0.0.1"],
}


def guarded_fetch(url: str, recorder: Recorder) -> object:
    async def go() -> object:
        async with client(
            allow_private_addresses=False,
            transport=httpx.MockTransport(recorder),
            resolver=fake_resolver(DNS),
        ) as c:
            try:
                return await c.fetch(url)
            except FetchError as exc:
                return exc

    return run(go)


def test_guard_pins_the_checked_address() -> None:
    recorder = Recorder({"news.example": httpx.Response(200, content=b"ok")})
    result = guarded_fetch("https://news.example/feed.xml", recorder)
    assert not isinstance(result, Exception), result
    assert result.url == "https://news.example/feed.xml"  # type: ignore[attr-defined]
    (request,) = recorder.requests
    assert request.url.host == "93.184.216.34"  # connects to the address it checked
    assert request.headers["host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"  # TLS still checks the name


def test_guard_checks_every_redirect_hop() -> None:
    recorder = Recorder(
        {
            "news.example": httpx.Response(302, headers={"Location": "http://cdn.example/f"}),
            "cdn.example": httpx.Response(301, headers={"Location": "http://intranet.example/"}),
        }
    )
    error = guarded_fetch("http://news.example/feed", recorder)
    assert isinstance(error, BlockedAddress)
    assert "intranet.example resolves to non-public address 10.0.0.5" in str(error)
    assert [r.url.host for r in recorder.requests] == [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
    ]


@pytest.mark.parametrize(
    ("url", "kind", "text"),
    [
        ("http://split.example/", BlockedAddress, "127.0.0.1"),  # any inward address blocks
        ("http://nxdomain.example/", FetchError, "cannot resolve host nxdomain.example"),
    ],
)
def test_guard_resolution_failures(url: str, kind: type[FetchError], text: str) -> None:
    recorder = Recorder({})
    error = guarded_fetch(url, recorder)
    assert type(error) is kind
    assert text in str(error)
    assert recorder.requests == []


# --- concurrency and lifecycle ----------------------------------------------------------


def test_concurrency_is_capped(server: LocalServer) -> None:
    server.routes["/slow"] = lambda _: Reply(body=b"s", delay=0.25)

    async def go() -> None:
        async with client(max_concurrency=2) as c:
            results = await asyncio.gather(*(c.fetch(server.url("/slow")) for _ in range(6)))
        assert [r.content for r in results] == [b"s"] * 6

    run(go)
    assert server.peak["/slow"] == 2


def test_from_settings() -> None:
    settings = Settings(
        user_agent="UA/2",
        fetch_timeout_s=3.5,
        max_response_bytes=123_456,
        max_concurrent_fetches=3,
        allow_private_addresses=True,
    )

    async def go() -> HttpClient:
        async with HttpClient.from_settings(settings) as c:
            return c

    made = run(go)
    assert (made.timeout_s, made.max_bytes, made.allow_private_addresses) == (3.5, 123_456, True)
