"""Escaping of feed text, security headers, and the error handler for crashes."""

from __future__ import annotations

from typing import cast

import pytest
from fastapi.testclient import TestClient
from web_seed import HOSTILE, NOW

from pulseaugur.storage.base import EventPage, EventView, Storage
from pulseaugur.web.app import create_app

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_hostile_feed_text_is_escaped_on_the_event_page(client: TestClient) -> None:
    html = client.get("/cluster/3-hostile-event").text
    assert HOSTILE not in html
    assert "<img" not in html
    assert "<script>" not in html
    for text in (
        f"Headline {ESCAPED}",
        f"Summary {ESCAPED}",
        f"Impact {ESCAPED}",
        f"Reason {ESCAPED}",
        f"Mallory {ESCAPED}",
        f"Evil {ESCAPED}",
        "onerror=&#34;alert(2)&#34;",
    ):
        assert text in html
    # a javascript: link from a feed is never put in an href
    assert "javascript:" not in html


def test_hostile_feed_text_is_escaped_on_the_home_page(client: TestClient) -> None:
    html = client.get("/").text
    assert HOSTILE not in html
    assert f"Headline {ESCAPED}" in html


def test_hostile_text_round_trips_in_json(client: TestClient) -> None:
    event = client.get("/api/v1/events/3").json()
    assert event["coverage"][0]["title"] == HOSTILE  # JSON carries data, not markup


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cluster/1-openai-releases-gpt-5",
        "/cluster/1",
        "/cluster/999",
        "/methods/summaries",
        "/api/v1/events",
        "/api/v1/events/999",
        "/api/v1/events?limit=0",
        "/healthz",
        "/static/style.css",
    ],
)
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_or_style_and_no_third_party_requests(client: TestClient) -> None:
    for path in ("/", "/cluster/1-openai-releases-gpt-5", "/methods/summaries", "/cluster/999"):
        html = client.get(path).text
        assert "<script>" not in html
        assert "<style" not in html
        assert " style=" not in html
        assert " on" + "click=" not in html
        assert 'src="http' not in html
        assert 'rel="stylesheet" href="/static/style.css"' in html


class Boom:
    """A storage whose reads fail, for the 500 handler."""

    def list_events(self, **kwargs: object) -> EventPage:
        raise RuntimeError("database exploded: secret detail")

    def get_event(self, cluster_id: int) -> EventView:
        raise RuntimeError("database exploded: secret detail")


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/", "text/html"), ("/cluster/1-x", "text/html"), ("/api/v1/events", "application/json")],
)
def test_crash_is_a_500_that_reveals_nothing(path: str, kind: str) -> None:
    app = create_app(cast(Storage, Boom()), clock=lambda: NOW)
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get(path)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(kind)
    assert "secret detail" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    if kind == "application/json":
        assert response.json()["error"]["status"] == 500
