"""The pure formatting helpers behind the pages and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from pulseaugur.web import present

NOW = datetime(2025, 8, 7, 13, 44, 13, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "label"),
    [("en", "English(EN)"), ("zh", "Chinese(ZH)"), ("JA", "Japanese(JA)"), ("xx", "XX")],
)
def test_language_label(code: str, label: str) -> None:
    assert present.language_label(code) == label


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://openai.com/index/x", "https://openai.com/index/x"),
        ("http://example.org/a?b=c", "http://example.org/a?b=c"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<b>", None),
        ("//evil.example/x", None),
        ("/relative", None),
        ("https://", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, safe: str | None) -> None:
    assert present.safe_url(url) == safe


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(hours=3, minutes=2), "3 h ago"),
        (timedelta(days=2), "2 d ago"),
        (timedelta(days=30), "2025-07-08"),
        (-timedelta(minutes=3), "just now"),
    ],
)
def test_ago(delta: timedelta, text: str) -> None:
    assert present.ago(NOW - delta, NOW) == text


@pytest.mark.parametrize(
    ("value", "text"), [(72.0, "72"), (72.5, "72.5"), (0.83, "0.83"), (0.8, "0.8"), (0.0, "0")]
)
def test_number(value: float, text: str) -> None:
    assert present.number(value) == text


def test_iso_and_clock_are_utc() -> None:
    moment = datetime(2025, 8, 7, 15, 44, 13, tzinfo=UTC).astimezone()
    assert present.iso(moment) == "2025-08-07T15:44:13Z"
    assert present.clock_text(moment) == "15:44:13"


@pytest.mark.parametrize(
    "path", ["/", "/cluster/1-openai-releases-gpt-5", "/methods/summaries", "/healthz"]
)
def test_head_requests(client: TestClient, path: str) -> None:
    response = client.head(path)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"


def test_reaction_marks_social_posts_with_their_engagement() -> None:
    from dataclasses import replace as with_fields

    from pulseaugur.types import CoverageEntry

    from support import make_item, make_source

    hn = make_source("hn", kind="hackernews", primary=False, tier=3)
    post = make_item(1, source_id="hn", raw_json={"engagement": {"points": 812, "comments": 1}})
    assert present.reaction(CoverageEntry(post, hn)) == "Reaction · 812 points · 1 comment"
    quiet = with_fields(post, raw_json={})
    assert present.reaction(CoverageEntry(quiet, hn)) == "Reaction"
    assert present.reaction(CoverageEntry(post, make_source())) is None
