"""Politeness of the HTTP client: Retry-After and Cache-Control are read, and no more than
``max_per_host`` requests run against one host at once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pulseaugur.errors import HTTPStatusError
from pulseaugur.sources.http import HttpClient, max_age_seconds, retry_after_seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Tue, 24 Nov 2026 12:10:00 GMT", 600.0),
        ("Tue, 24 Nov 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after(value: str | None, seconds: float | None) -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("public, max-age=600", 600),
        ("max-age=60, s-maxage=300", 300),
        ('max-age="30"', 30),
        ("no-cache, max-age=600", None),
        ("private", None),
        ("max-age=abc", None),
        (None, None),
    ],
)
def test_max_age(value: str | None, seconds: int | None) -> None:
    assert max_age_seconds(value) == seconds


class _Tracker:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0


@pytest.fixture
def server() -> Iterator[tuple[str, _Tracker]]:
    tracker = _Tracker()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/busy":
                self.send_response(429)
                self.send_header("Retry-After", "90")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with tracker.lock:
                tracker.active += 1
                tracker.peak = max(tracker.peak, tracker.active)
            time.sleep(0.2)
            with tracker.lock:
                tracker.active -= 1
            body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
            self.send_response(200)
            self.send_header("Cache-Control", "max-age=300")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", tracker
    httpd.shutdown()


def test_per_host_cap_and_max_age(server: tuple[str, _Tracker]) -> None:
    base, tracker = server

    async def run() -> list[int | None]:
        async with HttpClient(
            user_agent="t", max_per_host=2, allow_private_addresses=True
        ) as client:
            results = await asyncio.gather(*(client.fetch(f"{base}/f{i}") for i in range(6)))
        return [r.max_age_s for r in results]

    assert asyncio.run(run()) == [300] * 6
    assert tracker.peak == 2


def test_429_carries_retry_after(server: tuple[str, _Tracker]) -> None:
    base, _ = server

    async def run() -> None:
        async with HttpClient(user_agent="t", allow_private_addresses=True) as client:
            await client.fetch(f"{base}/busy")

    with pytest.raises(HTTPStatusError) as caught:
        asyncio.run(run())
    assert caught.value.status == 429
    assert caught.value.retry_after_s == 90.0
    assert "retry after 90 s" in str(caught.value)
