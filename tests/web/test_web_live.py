"""Live updates over Server-Sent Events, against a real uvicorn server: new events
arrive, ``Last-Event-ID`` resumes, one poller serves every stream, disconnects leave."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from api_support import make_app, serve, wait_for
from fastapi import FastAPI
from web_seed import NOW

from pulseaugur.storage.base import Storage
from pulseaugur.types import Cluster
from pulseaugur.web import present
from pulseaugur.web.live import Listener, LiveHub

from support import add_scored_event


@pytest.fixture
def app(storage: Storage) -> FastAPI:
    app = make_app(storage)
    hub: LiveHub = app.state.live
    hub.poll_interval_s = 0.1
    return app


@pytest.fixture
def base(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


class Stream:
    """Reads SSE messages from an open response in a thread."""

    def __init__(self, response: httpx.Response) -> None:
        self.messages: list[dict[str, str]] = []
        self.comments: list[str] = []
        self.retry: str | None = None
        self._thread = threading.Thread(target=self._read, args=(response,), daemon=True)
        self._thread.start()

    def _read(self, response: httpx.Response) -> None:
        fields: dict[str, str] = {}
        try:
            for line in response.iter_lines():
                if line == "":
                    if fields:
                        self.messages.append(fields)
                    fields = {}
                elif line.startswith(":"):
                    self.comments.append(line)
                else:
                    name, _, value = line.partition(": ")
                    if name == "retry":
                        self.retry = value
                    else:
                        fields[name] = value
        except httpx.HTTPError:
            pass

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(m["data"]) for m in self.messages if m.get("event") == "event"]


def test_a_new_event_arrives(base: str, storage: Storage, app: FastAPI) -> None:
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", f"{base}/live/events") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        assert "content-security-policy" in response.headers
        stream = Stream(response)
        assert wait_for(lambda: stream.retry == "5000")
        assert wait_for(lambda: app.state.live.listener_count == 1)
        updated = NOW + timedelta(minutes=1)
        add_scored_event(storage, 60, 70.0, updated, headline="Fresh news")
        assert wait_for(lambda: len(stream.events()) == 1)
        event = stream.events()[0]
        assert event == {
            "id": 60,
            "path": "/cluster/60-event-60",
            "headline": "Fresh news",
            "score": 70.0,
            "source_count": 1,
            "tags": ["models"],
            "first_seen": present.iso(updated - timedelta(minutes=30)),
            "last_updated": present.iso(updated),
            "storyline_id": None,
        }
        assert stream.messages[0]["id"] == present.iso(updated)
        # An update of the same event is sent again, once.
        later = updated + timedelta(minutes=2)
        cluster = storage.get_cluster(60)
        storage.save_cluster(replace(cluster, last_updated=later))
        assert wait_for(lambda: len(stream.events()) == 2)
        assert stream.events()[1]["last_updated"] == present.iso(later)
        assert not wait_for(lambda: len(stream.events()) > 2, timeout=0.5)


def test_last_event_id_resumes(base: str) -> None:
    resume = NOW - timedelta(hours=3)
    with (
        httpx.Client(timeout=10) as client,
        client.stream(
            "GET", f"{base}/live/events", headers={"Last-Event-ID": present.iso(resume)}
        ) as response,
    ):
        stream = Stream(response)
        assert wait_for(lambda: len(stream.events()) == 3)
        assert [e["id"] for e in stream.events()] == [2, 3, 5]  # oldest change first
        assert stream.messages[-1]["id"] == stream.events()[-1]["last_updated"]
        ids = [datetime.fromisoformat(m["id"]) for m in stream.messages]
        assert ids == sorted(ids)


def test_heartbeats(base: str, app: FastAPI) -> None:
    app.state.live.heartbeat_s = 0.2
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", f"{base}/live/events") as response,
    ):
        stream = Stream(response)
        assert wait_for(lambda: ": ping" in stream.comments)


def open_raw_stream(base: str) -> socket.socket:
    """A stream opened on a bare socket (so the test controls when it closes)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(b"GET /live/events HTTP/1.1\r\nHost: test\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    return sock


def test_one_poller_for_every_stream_and_disconnects_clean_up(base: str, app: FastAPI) -> None:
    hub: LiveHub = app.state.live
    hub.poll_interval_s = 0.25
    sockets = [open_raw_stream(base) for _ in range(3)]
    assert wait_for(lambda: hub.listener_count == 3)
    polls = hub.polls
    threading.Event().wait(1.0)
    assert 2 <= hub.polls - polls <= 6  # one poller, not one per stream
    sockets[0].close()
    assert wait_for(lambda: hub.listener_count == 2)
    for sock in sockets[1:]:
        sock.close()
    assert wait_for(lambda: hub.listener_count == 0)
    polls = hub.polls
    threading.Event().wait(0.6)
    assert hub.polls - polls <= 1  # the poller stops with the last stream


def test_a_slow_client_is_cut_off_not_buffered() -> None:
    listener = Listener(NOW, queue_limit=3)

    class View:
        def __init__(self, n: int) -> None:
            self.cluster = Cluster(
                id=n, slug=f"e{n}", first_seen=NOW, last_updated=NOW + timedelta(seconds=n)
            )
            self.story = None

    for n in range(3):
        listener.pending.append(f"message {n}")
    listener.offer(View(4))  # type: ignore[arg-type]
    assert listener.overflowed
    assert not listener.pending
    assert listener.watermark == NOW + timedelta(seconds=4)
