"""The browser tests' helpers: the live server's handle and a watched browser tab."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web_seed import NOW

from pulseaugur.storage.base import Storage

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_ENV = "PULSEAUGUR_REQUIRE_BROWSER"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LIVE_STREAM = "/live/events"
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    """A running server: its base URL and the storage it serves (tests may write to it)."""

    url: str
    storage: Storage
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def clock(self) -> datetime:
        """The server's notion of now: ``web_seed.NOW`` when the server started, then
        running in real time."""
        return NOW + (datetime.now(UTC) - self.started)


@dataclass
class Tab:
    """One browser page and what went wrong in it while the test ran (``problems``)."""

    page: Any
    name: str
    problems: list[str] = field(default_factory=list)
    expected_statuses: dict[str, int] = field(default_factory=dict)

    def visit(self, path: str, shot: str, *, status: int = 200) -> Any:
        """Load ``path``, check its HTTP status, screenshot it as ``shot``; the response."""
        self.expected_statuses[path] = status
        response = self.page.goto(path, wait_until="load")
        assert response is not None, path
        assert response.status == status, f"{path}: HTTP {response.status}"
        self.screenshot(shot)
        return response

    def screenshot(self, shot: str) -> Path:
        """Save the whole page as ``test-artifacts/screenshots/<test>-<shot>.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{shot}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def _expected(self, url: str, status: int | None = None) -> bool:
        """Whether ``url`` is a page visited expecting an error status (``status``)."""
        path = re.sub(r"^https?://[^/]+", "", url)
        wanted = self.expected_statuses.get(path, 200)
        return wanted >= 400 and status in (None, wanted)

    def watch(self) -> None:
        """Collect console errors (CSP violations are reported there), uncaught script
        errors, dialogs (an injected ``alert``), failed requests and HTTP errors other than
        the expected status."""
        page = self.page

        def on_console(message: Any) -> None:
            if message.type != "error":
                return
            source = (message.location or {}).get("url") or page.url
            if message.text.startswith("Failed to load resource") and self._expected(source):
                return  # the page the test asked for with an error status
            self.problems.append(f"console error from {source}: {message.text}")

        def on_page_error(error: Any) -> None:
            self.problems.append(f"uncaught script error on {page.url}: {error}")

        def on_request_failed(req: Any) -> None:
            failure = req.failure or ""
            # The live stream is cut when its page goes away; that is not a failure.
            if LIVE_STREAM in req.url and "ERR_ABORTED" in failure:
                return
            self.problems.append(f"request failed: {req.method} {req.url}: {failure}")

        def on_response(response: Any) -> None:
            path = re.sub(r"^https?://[^/]+", "", response.url)
            if response.status >= 400 and not self._expected(response.url, response.status):
                self.problems.append(f"HTTP {response.status} for {response.request.method} {path}")

        def on_dialog(dialog: Any) -> None:
            self.problems.append(f"a script opened a {dialog.type} on {page.url}: {dialog.message}")
            dialog.dismiss()

        page.on("console", on_console)
        page.on("dialog", on_dialog)
        page.on("pageerror", on_page_error)
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
