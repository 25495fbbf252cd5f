"""Fixtures for the browser tests: Debian's chromium driven by Playwright for Python (the
system browser, never a downloaded one) against a real uvicorn server on 127.0.0.1.

* ``live_server``: the app from ``create_app`` over a fresh SQLite file seeded with
  ``web_seed.seed`` (and the Brief's editions), served by uvicorn in a thread on a free
  port. Its clock starts at ``web_seed.NOW`` and runs in real time, so the seeded events are
  hours old and the live stream's watermark moves forward.
* ``browser``: one headless chromium per test module. Without ``/usr/bin/chromium`` the
  tests skip, or fail when ``PULSEAUGUR_REQUIRE_BROWSER=1`` (as in CI).
* ``tab``: a page in a fresh context (no cookies) whose console errors (CSP violations
  included), uncaught script errors, failed requests and HTTP errors are collected; the
  test fails at teardown when any were seen. ``tab.visit`` loads a page, checks its
  status and saves a screenshot under ``test-artifacts/screenshots/`` (gitignored).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from brief_seed import seed_briefs
from browser_support import CHROMIUM, CHROMIUM_ARGS, REQUIRE_ENV, TIMEOUT_MS, LiveServer, Tab
from web_seed import seed

from pulseaugur.storage import open_storage
from pulseaugur.web import create_app


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    storage = open_storage(f"sqlite:///{tmp_path / 'browser.sqlite3'}")
    seed(storage)
    seed_briefs(storage)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    live = LiveServer(url=f"http://127.0.0.1:{port}", storage=storage)
    app = create_app(storage, clock=live.clock)
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2, ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start", pytrace=False)
        time.sleep(0.02)
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        storage.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium for one test module. Playwright's sync API keeps an event loop
    running on this thread while it is open, so it is closed before other tests run."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        _unavailable(f"{CHROMIUM} is not installed (scripts/install installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (the dev extra has it)")
    executable = str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tab(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A page in a fresh context (no cookies, English, 1280×900) on ``live_server``; the
    test fails at teardown when anything went wrong in the browser."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    opened = Tab(context.new_page(), re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))
    opened.watch()
    try:
        yield opened
    finally:
        context.close()
    if opened.problems:
        pytest.fail("problems in the browser:\n" + "\n".join(opened.problems), pytrace=False)
