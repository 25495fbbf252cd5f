"""Helpers for the API, feed, live, cache and metrics tests: a real uvicorn server in a
thread, an app whose cache trusts nothing, and a storage wrapper that counts reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from web_seed import NOW

from pulseaugur.config import Settings
from pulseaugur.storage.base import Storage
from pulseaugur.web.app import create_app

ADMIN_TOKEN = "s3cret-admin-token-for-tests"
PUBLIC = "https://news.example.org"


def make_app(
    storage: Storage, *, admin_token: str = "", public_url: str = "", **kw: Any
) -> FastAPI:
    """``create_app`` at the seed's clock; the cache reads the revision on every
    request unless ``revision_ttl_s`` is given."""
    kw.setdefault("revision_ttl_s", 0)
    settings = Settings(admin_token=admin_token, public_url=public_url)
    return create_app(storage, clock=kw.pop("clock", lambda: NOW), settings=settings, **kw)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn (httptools, uvloop) on a free port of 127.0.0.1 in a
    thread; yields its base URL and stops it on exit."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class CountingStorage:
    """A storage that counts the calls made to it, by method name."""

    def __init__(self, inner: Storage) -> None:
        self._inner = inner
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return value(*args, **kwargs)

        return counted

    def reads(self) -> int:
        """Calls other than ``revision``."""
        return sum(n for name, n in self.calls.items() if name != "revision")
