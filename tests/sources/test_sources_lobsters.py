"""The Lobsters adapter.

No Lobsters response was recorded in ``../shared/data``. The fixture below is BUILT BY
HAND in the public shape of lobste.rs's JSON listings (``/hottest.json``,
``/newest.json``, ``/t/<tag>.json``): a list of stories with ``short_id``,
``short_id_url``, ``created_at`` (Chicago local time with its offset), ``title``,
``url`` (``""`` for a text post), ``score``, ``flags``, ``comment_count``,
``description`` (HTML) and ``description_plain``, ``comments_url``, ``submitter_user``
(a username; older servers sent an object with ``username``), ``user_is_author`` and
``tags``. Its stories, users and links are invented. It is served by a real HTTP server
on 127.0.0.1 and fetched with the real ``HttpClient``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulseaugur.errors import ParseError
from pulseaugur.sources import lobsters
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.sources.http import HttpClient

from json_mutations import mutated, odd_values
from support import serve_pages

HAND_BUILT_STORIES: list[dict[str, Any]] = [
    {
        "short_id": "k3xq9b",
        "short_id_url": "https://lobste.rs/s/k3xq9b",
        "created_at": "2025-08-07T09:14:03.000-05:00",
        "title": "Running a 7B model on a Raspberry Pi 5",
        "url": "https://example.org/blog/7b-on-a-pi",
        "score": 27,
        "flags": 0,
        "comment_count": 9,
        "description": "",
        "description_plain": "",
        "comments_url": "https://lobste.rs/s/k3xq9b/running_7b_model_on_raspberry_pi_5",
        "submitter_user": "alice",
        "user_is_author": True,
        "tags": ["ai", "hardware"],
    },
    {
        "short_id": "wq2m7d",
        "short_id_url": "https://lobste.rs/s/wq2m7d",
        "created_at": "2025-08-07T08:02:41.000-05:00",
        "title": "Ask: how do you evaluate code LLMs on your own codebase?",
        "url": "",
        "score": 12,
        "flags": 1,
        "comment_count": 31,
        "description": '<p>We tried <a href="https://example.com/bench">a benchmark</a>, '
        "but it does not match our code.</p>",
        "description_plain": "We tried [a benchmark](https://example.com/bench), "
        "but it does not match our code.",
        "comments_url": "https://lobste.rs/s/wq2m7d/ask_how_do_you_evaluate_code_llms_on_your",
        "submitter_user": "bob",
        "user_is_author": False,
        "tags": ["ai", "ask"],
    },
    {  # the older shape: submitter_user as an object, upvotes/downvotes, no flags
        "short_id": "a1b2c3",
        "short_id_url": "https://lobste.rs/s/a1b2c3",
        "created_at": "2018-03-03T10:31:10.000-06:00",
        "title": "Nim v0.18.0 released",
        "url": "https://example.net/nim-0.18",
        "score": 16,
        "upvotes": 16,
        "downvotes": 0,
        "comment_count": 2,
        "description": "",
        "comments_url": "https://lobste.rs/s/a1b2c3/nim_v0_18_0_released",
        "submitter_user": {"username": "carol", "karma": 87, "is_admin": False},
        "tags": ["programming"],
    },
]


def serve_and_parse(pages: dict[str, bytes], url_for: Any) -> ParsedFeed:
    """Serve ``pages`` on 127.0.0.1, fetch ``url_for(base)`` and parse the answer."""
    served = {path: (200, "application/json; charset=utf-8", body) for path, body in pages.items()}
    with serve_pages(served) as base:

        async def main() -> Any:
            async with HttpClient(user_agent="test", allow_private_addresses=True) as client:
                return await client.fetch(url_for(base))

        result = asyncio.run(main())
    return lobsters.parse(result.content, url=result.url, content_type=result.content_type)


def test_hottest() -> None:
    body = json.dumps(HAND_BUILT_STORIES).encode()
    feed = serve_and_parse({"/hottest.json": body}, lobsters.hottest_url)
    link, text_post, old = feed.items

    assert link.guid == "https://lobste.rs/s/k3xq9b"
    assert link.url == "https://lobste.rs/s/k3xq9b/running_7b_model_on_raspberry_pi_5"
    assert link.raw["linked_url"] == "https://example.org/blog/7b-on-a-pi"
    assert link.title == "Running a 7B model on a Raspberry Pi 5"
    assert link.summary is None
    assert link.content is None
    assert link.authors == ("alice",)
    assert link.published == datetime(2025, 8, 7, 14, 14, 3, tzinfo=UTC)
    assert link.lang is None
    assert link.raw == {
        "platform": "lobsters",
        "short_id": "k3xq9b",
        "engagement": {"score": 27, "comments": 9, "flags": 0},
        "linked_url": "https://example.org/blog/7b-on-a-pi",
        "tags": ["ai", "hardware"],
        "comments_url": "https://lobste.rs/s/k3xq9b/running_7b_model_on_raspberry_pi_5",
        "user_is_author": True,
    }

    # A text post links to nothing: its URL is the discussion.
    assert text_post.url == "https://lobste.rs/s/wq2m7d/ask_how_do_you_evaluate_code_llms_on_your"
    assert text_post.raw["linked_url"] is None
    assert text_post.summary == HAND_BUILT_STORIES[1]["description"]
    assert text_post.raw["engagement"] == {"score": 12, "comments": 31, "flags": 1}

    assert old.authors == ("carol",)
    assert old.published == datetime(2018, 3, 3, 16, 31, 10, tzinfo=UTC)
    assert old.raw["engagement"] == {"score": 16, "comments": 2, "flags": None}
    for item in feed.items:
        json.dumps(dict(item.raw))


def test_newest_and_tag_listings() -> None:
    body = json.dumps(HAND_BUILT_STORIES[:1]).encode()
    feed = serve_and_parse({"/newest.json": body}, lobsters.newest_url)
    assert [item.guid for item in feed.items] == ["https://lobste.rs/s/k3xq9b"]
    feed = serve_and_parse(
        {"/t/ai,ml.json": body}, lambda base: lobsters.tag_url(["ai", "ml"], base)
    )
    assert [item.raw["tags"] for item in feed.items] == [["ai", "hardware"]]


def test_single_story_and_fallback_permalink() -> None:
    story = {
        k: v for k, v in HAND_BUILT_STORIES[0].items() if k not in ("short_id_url", "comments_url")
    }
    (item,) = lobsters.parse(
        json.dumps(story).encode(), url="https://lobste.rs/s/k3xq9b.json"
    ).items
    assert item.guid == "https://lobste.rs/s/k3xq9b"
    assert item.url == "https://lobste.rs/s/k3xq9b"
    assert item.raw["linked_url"] == "https://example.org/blog/7b-on-a-pi"


def test_empty_listing() -> None:
    assert lobsters.parse(b"[]", url="https://lobste.rs/t/ai.json").items == ()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"error": "not found"}', "answered with an error: not found"),
        (b"<!DOCTYPE html><p>Lobsters is down</p>", "invalid JSON (text/html)"),
        (b'[{"id": 1, "name": "ai"}]', "without short_id/title"),
        (b'"hottest"', "a JSON str"),
        (b"  ", "empty document"),
    ],
)
def test_documents_that_are_not_stories(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        lobsters.parse(body, url="https://lobste.rs/hottest.json", content_type="text/html")
    assert reason in str(caught.value)
    assert str(caught.value).startswith("https://lobste.rs/hottest.json: ")


def test_url_builders() -> None:
    assert lobsters.hottest_url() == "https://lobste.rs/hottest.json"
    assert lobsters.newest_url() == "https://lobste.rs/newest.json"
    assert lobsters.tag_url("ai") == "https://lobste.rs/t/ai.json"
    assert lobsters.tag_url(["ai", "ml"], "https://lobste.rs/") == "https://lobste.rs/t/ai,ml.json"
    for bad in ("", "a/b", "a b", [], ["ai", "x?y"]):
        with pytest.raises(ValueError, match="not Lobsters tags"):
            lobsters.tag_url(bad)
    with pytest.raises(ValueError, match="not a Lobsters base URL"):
        lobsters.hottest_url("lobste.rs")


# --- hostile variations -----------------------------------------------------------------

ODD_VALUES = odd_values(["http://[", "at://did:plc:x/app.bsky.feed.post/%", "1985-13-12T00:00Z"])


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_hostile_variations_raise_only_parse_error(data: Any) -> None:
    document: Any = HAND_BUILT_STORIES
    document = mutated(data, document, ODD_VALUES)
    try:
        feed = lobsters.parse(json.dumps(document).encode(), url="https://lobste.rs/hottest.json")
    except ParseError:
        return
    for item in feed.items:
        json.dumps(dict(item.raw))
        assert item.url is None or item.url.startswith(("http://", "https://"))
