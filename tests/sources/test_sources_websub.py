"""WebSub: the decisions, the signature check, and the whole flow against a real local hub
that verifies intent and pushes a signed update to the real web app."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import uvicorn

from pulseaugur.cluster.online import OnlineClusterer
from pulseaugur.pipeline.pipeline import Pipeline
from pulseaugur.pipeline.scheduler import Scheduler
from pulseaugur.sources import websub
from pulseaugur.sources.feeds import parse_feed
from pulseaugur.sources.http import HttpClient
from pulseaugur.storage import SqlStorage, open_storage
from pulseaugur.summarize import ExtractiveSummarizer
from pulseaugur.types import Subscription
from pulseaugur.web import create_app

from support import closed_port, make_source, require_shared, serve_pages, shared_data_dir

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HUB = "https://hub.example/"
TOPIC = "https://example.org/feed.xml"


def _pending(**changes: object) -> Subscription:
    base = Subscription("s", HUB, TOPIC, "secret", "pending", NOW)
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def test_feeds_name_their_hub() -> None:
    path = require_shared(
        shared_data_dir() / "feeds" / "real-captures" / "rbren" / "input" / "feedburner.atom"
    )
    feed = parse_feed(path.read_bytes(), url="https://feeds.example/x")
    assert feed.hub is not None
    assert feed.hub.startswith("http")
    assert feed.self_url is not None


def test_plan() -> None:
    assert websub.plan(None, "s", None, TOPIC, NOW) is None
    fresh = websub.plan(None, "s", HUB, TOPIC, NOW)
    assert fresh is not None
    assert (fresh.state, fresh.hub, fresh.topic) == ("pending", HUB, TOPIC)
    assert len(fresh.secret) >= 32
    assert websub.plan(_pending(), "s", HUB, TOPIC, NOW + timedelta(minutes=5)) is None
    assert websub.plan(_pending(), "s", HUB, TOPIC, NOW + timedelta(hours=2)) is not None
    active = _pending(state="active", lease_expires_at=NOW + timedelta(days=5))
    assert websub.plan(active, "s", HUB, TOPIC, NOW) is None
    assert websub.plan(active, "s", HUB, TOPIC, NOW + timedelta(days=4, hours=12)) is not None
    assert websub.plan(active, "s", "https://other.hub/", TOPIC, NOW) is not None


def test_verify() -> None:
    query = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c1"}
    answer = websub.verify(_pending(), {**query, "hub.lease_seconds": "3600"}, NOW)
    assert answer is not None
    activated, challenge = answer
    assert challenge == "c1"
    assert activated.state == "active"
    assert activated.lease_expires_at == NOW + timedelta(hours=1)
    assert websub.verify(None, query, NOW) is None
    assert websub.verify(_pending(), {**query, "hub.topic": "https://evil/"}, NOW) is None
    assert websub.verify(_pending(), {**query, "hub.mode": "unsubscribe"}, NOW) is None
    denied = websub.verify(_pending(), {"hub.mode": "denied", "hub.topic": TOPIC}, NOW)
    assert denied is not None
    assert denied[0].state == "denied"


def test_signature() -> None:
    body = b"<feed/>"
    good = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert websub.signature_ok("k", body, good)
    assert websub.signature_ok("k", body, "sha1=" + hmac.new(b"k", body, "sha1").hexdigest())
    assert not websub.signature_ok("other", body, good)
    assert not websub.signature_ok("k", body + b" ", good)
    assert not websub.signature_ok("k", body, "md5=00")
    assert not websub.signature_ok("k", body, None)


class _Hub:
    """A minimal real WebSub hub: accepts a subscription, verifies intent with the
    subscriber, then delivers one signed update."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.verified = threading.Event()
        self.delivered: list[int] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                hub.requests.append(form)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                threading.Thread(target=hub.verify_then_deliver, args=(form,)).start()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def verify_then_deliver(self, form: dict[str, str]) -> None:
        query = urllib.parse.urlencode(
            {
                "hub.mode": "subscribe",
                "hub.topic": form["hub.topic"],
                "hub.challenge": "challenge-42",
                "hub.lease_seconds": "86400",
            }
        )
        with urllib.request.urlopen(f"{form['hub.callback']}?{query}", timeout=10) as reply:
            if reply.read() == b"challenge-42":
                self.verified.set()
        body = b"<rss version='2.0'><channel><title>pushed</title></channel></rss>"
        for secret in ("wrong-secret", form["hub.secret"]):
            signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            request = urllib.request.Request(
                form["hub.callback"],
                data=body,
                headers={"X-Hub-Signature": f"sha256={signature}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    self.delivered.append(reply.status)
            except urllib.error.HTTPError as refused:
                self.delivered.append(refused.code)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SqlStorage]:
    store = open_storage(f"sqlite:///{tmp_path / 'websub.sqlite3'}")
    yield store
    store.close()


def test_subscription_verification_and_push(storage: SqlStorage) -> None:
    hub = _Hub()
    feed = (
        "<?xml version='1.0'?><rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom'>"
        f"<channel><title>Lab</title><atom:link rel='hub' href='{hub.url}'/>"
        "<item><title>First post</title><link>https://lab.example/1</link>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()
    port = closed_port()
    public_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(create_app(storage), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        with serve_pages({"/feed.xml": (200, "application/rss+xml", feed)}) as base:
            storage.sync_sources([make_source("lab", url=f"{base}/feed.xml")])

            async def poll() -> None:
                async with HttpClient(user_agent="t", allow_private_addresses=True) as client:
                    pipeline = Pipeline(
                        storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: NOW
                    )
                    scheduler = Scheduler(
                        storage, client, pipeline, clock=lambda: NOW, public_url=public_url
                    )
                    await scheduler.poll_due()

            asyncio.run(poll())
            assert hub.verified.wait(10), "the hub's verification must be answered"
            deadline = time.monotonic() + 10
            while len(hub.delivered) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        server.should_exit = True
        thread.join(10)

    (request,) = hub.requests
    assert request["hub.mode"] == "subscribe"
    assert request["hub.topic"] == f"{base}/feed.xml"
    assert request["hub.callback"] == f"{public_url}/websub/lab"
    subscription = storage.get_subscription("lab")
    assert subscription is not None
    assert subscription.state == "active"
    assert subscription.secret == request["hub.secret"]
    assert hub.delivered == [403, 202], "a forged delivery is refused, a signed one taken"
    state = storage.get_source_state("lab")
    assert state.next_poll_at is not None
    assert state.next_poll_at <= datetime.now(UTC), "the pushed source is due at once"
