"""``reddit.parse`` on real Reddit listings recorded by PRAW (``../shared/data/api/reddit``).

The recorded cassettes are replayed by a real HTTP server on 127.0.0.1: each recorded
response body is served at its recorded path and query, fetched with the real
``HttpClient`` and parsed with the recorded request URL (which asked for ``raw_json=1``).
"""

from __future__ import annotations

import asyncio
import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pulseaugur.errors import ParseError
from pulseaugur.sources import reddit
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.sources.http import HttpClient
from pulseaugur.types import FetchResult, RawItem

from support import require_shared, serve_pages, shared_data_dir

_REL = "api/reddit"
# Used only to enumerate test parameters; tests read files through ``require_shared``.
_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / _REL
_FILES = (
    sorted(str(p.relative_to(_DIR)) for p in _DIR.rglob("*") if p.is_file())
    if _DIR.is_dir()
    else ["(none)"]
)
_CASSETTES = sorted(n for n in _FILES if n.startswith("cassettes/")) or ["(none)"]


def _data() -> Path:
    return require_shared(shared_data_dir() / _REL)


def _replay(cassette: str) -> list[tuple[dict[str, Any], FetchResult]]:
    """Serve every interaction of ``cassette`` at its recorded path and GET it with the
    real client; returns ``(interaction, fetch result)`` pairs."""
    recorded = json.loads((_data() / cassette).read_bytes())["interactions"]
    pages = {}
    for interaction in recorded:
        parts = urlsplit(interaction["request"]["uri"])
        response = interaction["response"]
        content_type = response["headers"].get("Content-Type", ["application/json"])[0]
        body = response["body"]["string"].encode()
        pages[parts.path + ("?" + parts.query if parts.query else "")] = (
            response["status"]["code"],
            content_type,
            body,
        )

    async def run(base: str) -> list[FetchResult]:
        async with HttpClient(user_agent="test", allow_private_addresses=True) as client:
            return [await client.fetch(base + path) for path in pages]

    with serve_pages(pages) as base:
        results = asyncio.run(run(base))
    return list(zip(recorded, results, strict=True))


def _parse_recorded(interaction: dict[str, Any], result: FetchResult) -> ParsedFeed:
    """Parse as the pipeline would, naming the document by its recorded URL."""
    return reddit.parse(
        result.content, url=interaction["request"]["uri"], content_type=result.content_type
    )


def _listing(cassette: str) -> ParsedFeed:
    pairs = [(i, r) for i, r in _replay(cassette) if i["request"]["method"] == "GET"]
    assert len(pairs) == 1
    return _parse_recorded(*pairs[0])


def _check_shape(feed: ParsedFeed) -> None:
    for item in feed.items:
        assert isinstance(item, RawItem)
        assert item.guid is not None
        assert item.guid.startswith("t3_")
        assert item.url is not None
        assert item.url.startswith(("http://", "https://"))
        assert item.published is not None
        assert item.published.tzinfo is UTC
        assert item.updated is None or item.updated.tzinfo is UTC
        assert item.lang is None
        assert all(a.startswith("u/") for a in item.authors)
        raw = item.raw
        assert raw["platform"] == "reddit"
        assert raw["reddit_id"] == item.guid
        assert str(raw["discussion_url"]).startswith("https://www.reddit.com/r/")
        assert item.url == raw["discussion_url"]
        assert (raw["linked_url"] is None) == raw["is_self"]
        json.dumps(dict(raw))


@pytest.mark.parametrize("cassette", _CASSETTES)
def test_every_cassette_replays_through_the_parser(cassette: str) -> None:
    for interaction, result in _replay(cassette):
        body = json.loads(interaction["response"]["body"]["string"])
        if interaction["request"]["method"] == "POST":  # the OAuth token exchange
            with pytest.raises(ParseError, match="OAuth token response"):
                _parse_recorded(interaction, result)
            continue
        feed = _parse_recorded(interaction, result)
        _check_shape(feed)
        posts = [c["data"]["name"] for c in body["data"]["children"] if c["kind"] == "t3"]
        assert [i.guid for i in feed.items] == posts


def test_front_page_link_post_self_post_and_nsfw_flag() -> None:
    feed = _listing("cassettes/TestFront.test_hot.json")
    assert (feed.title, feed.link) == ("Reddit", "https://www.reddit.com/")
    items = {i.guid: i for i in feed.items}
    assert len(items) == 100

    link = items["t3_48dxvx"]
    assert link.url == link.raw["discussion_url"]
    assert link.raw["linked_url"] == "http://i.imgur.com/NFOb0VK.jpg"
    assert link.title == "My game cam finally caught something cool."
    assert link.authors == ("u/elfmachine100",)
    assert link.published == datetime(2016, 3, 1, 2, 8, 45, tzinfo=UTC)
    assert link.updated is None
    assert link.summary is None
    assert link.raw["linked_url"] == "http://i.imgur.com/NFOb0VK.jpg"
    assert link.raw["discussion_url"] == (
        "https://www.reddit.com/r/pics/comments/48dxvx/my_game_cam_finally_caught_something_cool/"
    )
    assert link.raw["subreddit"] == "pics"
    assert link.raw["engagement"] == {"score": 6710, "comments": 1022, "upvote_ratio": None}
    assert link.raw["over_18"] is False
    assert link.raw["stickied"] is False

    joke = items["t3_48dgl4"]  # a self post: its url is the discussion
    assert (
        joke.url
        == joke.raw["discussion_url"]
        == ("https://www.reddit.com/r/Jokes/comments/48dgl4/what_do_you_call_a_communist_sniper/")
    )
    assert joke.raw["linked_url"] is None
    assert joke.summary == '<!-- SC_OFF --><div class="md"><p>A Marxman.</p>\n</div><!-- SC_ON -->'

    assert items["t3_489urr"].raw["over_18"] is True  # NSFW posts are kept, flagged
    # raw_json=1 was asked for: "&" in titles and URLs arrives unescaped and stays so.
    assert items["t3_48a45k"].title is not None
    assert items["t3_48a45k"].title.startswith("Johnson & Johnson ordered")
    assert items["t3_48dx2d"].raw["linked_url"] == (
        "https://scstylecaster.files.wordpress.com/2015/11/gettyimages-453346012.jpg?w=969&h=1024"
    )


def test_subreddit_listings_flag_stickies_and_drop_deleted_authors() -> None:
    hot = _listing("cassettes/TestSubredditListings.test_hot.json")
    assert (hot.title, hot.link) == ("r/askreddit", "https://www.reddit.com/r/askreddit/")
    assert len(hot.items) == 102
    stickied = [i.guid for i in hot.items if i.raw["stickied"]]
    assert stickied == ["t3_46c00m", "t3_488k4a"]
    assert hot.items[0].title == "THE ASKREDDIT MOBILE DESIGN EXTRAVAGANZA CONTEST!"

    top = _listing("cassettes/TestSubredditListings.test_top.json")
    deleted = [i for i in top.items if not i.authors]
    assert len(deleted) == 4  # "[deleted]" accounts are no author
    first = top.items[0]
    assert first.guid == "t3_2np694"
    assert first.title == "What tasty food would be distusting if eaten over rice?"
    assert first.published == datetime(2014, 11, 28, 21, 7, 58, tzinfo=UTC)
    assert first.authors == ("u/DO_U_EVN_SPAGHETTI",)


def test_search_listing_drops_the_permalink_query_and_keeps_edit_time() -> None:
    feed = _listing("cassettes/TestSubreddit.test_search.json")
    assert feed.title == "r/all"
    first = feed.items[0]
    assert first.guid == "t3_3gpbiu"
    assert first.url == (
        "https://www.reddit.com/r/redditdev/comments/3gpbiu/"
        "prawoauth2util_problem_using_get_banned_raise/"
    )
    assert first.published == datetime(2015, 8, 12, 9, 8, 34, tzinfo=UTC)
    assert first.updated == datetime(2015, 8, 13, 6, 35, 18, tzinfo=UTC)
    assert first.raw["engagement"]["comments"] == 21


def test_listing_without_raw_json_is_unescaped() -> None:
    """Reddit HTML-escapes text unless raw_json=1 was asked for; parse undoes it."""
    listing = json.loads((_data() / "listings/TestFront.test_hot.1.json").read_bytes())
    escaped = json.loads(json.dumps(listing))
    for child in escaped["data"]["children"]:
        data = child["data"]
        for key in ("title", "url", "permalink", "selftext_html"):
            if isinstance(data.get(key), str):
                data[key] = html.escape(data[key], quote=False)
    raw = reddit.parse(
        json.dumps(listing).encode(), url="https://www.reddit.com/hot.json?raw_json=1"
    )
    legacy = reddit.parse(json.dumps(escaped).encode(), url="https://www.reddit.com/hot.json")
    assert legacy.items == raw.items


def test_comment_page_yields_its_post() -> None:
    listing = json.loads((_data() / "listings/TestFront.test_hot.1.json").read_bytes())
    post = listing["data"]["children"][0]
    comment = {"kind": "t1", "data": {"id": "c1", "body": "first", "author": "x"}}
    page = [
        {"kind": "Listing", "data": {"children": [post]}},
        {"kind": "Listing", "data": {"children": [comment, {"kind": "more", "data": {}}]}},
    ]
    feed = reddit.parse(
        json.dumps(page).encode(), url="https://www.reddit.com/r/pics/comments/48dxvx/.json"
    )
    assert [i.guid for i in feed.items] == ["t3_48dxvx"]


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"message": "Forbidden", "error": 403, "reason": "private"}, "Reddit error: 403"),
        ({"message": "Too Many Requests", "error": 429}, "Too Many Requests"),
        ({"kind": "Listing", "data": {"children": None}}, "without a children list"),
        ({"kind": "t3", "data": {}}, "single Reddit t3"),
        ({"data": {"children": []}}, "not a Reddit listing"),
        ([], "not a Reddit listing"),
        ("Listing", "not a Reddit listing"),
    ],
)
def test_non_listings_raise_a_clear_parse_error(doc: Any, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        reddit.parse(json.dumps(doc).encode(), url="https://www.reddit.com/r/x/new.json")


@pytest.mark.parametrize("body", [b"", b"<html>Whoa there, pardner!</html>", b"{", b"NaN"])
def test_garbage_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        reddit.parse(body, url="u")


@pytest.mark.parametrize("name", _FILES)
def test_every_recorded_file_parses_or_raises_parse_error(name: str) -> None:
    body = (_data() / name).read_bytes()
    outcome: ParsedFeed | ParseError
    try:
        outcome = reddit.parse(body, url="https://oauth.reddit.com/hot?raw_json=1")
    except ParseError as exc:
        outcome = exc
    if isinstance(outcome, ParseError):
        assert "\n" not in str(outcome)
        assert not name.startswith("listings/"), outcome  # cassettes and the licence
    else:
        _check_shape(outcome)
        assert outcome.items


def test_url_builders() -> None:
    assert reddit.listing_url("MachineLearning") == (
        "https://www.reddit.com/r/MachineLearning/hot.json?limit=25&raw_json=1"
    )
    assert reddit.listing_url("r/LocalLLaMA+OpenAI", "new", limit=100) == (
        "https://www.reddit.com/r/LocalLLaMA+OpenAI/new.json?limit=100&raw_json=1"
    )
    assert reddit.listing_url("singularity", "top", time_filter="day") == (
        "https://www.reddit.com/r/singularity/top.json?limit=25&raw_json=1&t=day"
    )
    assert reddit.search_url("gpt-5", subreddit="OpenAI") == (
        "https://www.reddit.com/r/OpenAI/search.json"
        "?q=gpt-5&sort=new&limit=25&raw_json=1&restrict_sr=1"
    )
    assert reddit.search_url("claude") == (
        "https://www.reddit.com/search.json?q=claude&sort=new&limit=25&raw_json=1"
    )
    with pytest.raises(ValueError, match="not a subreddit name"):
        reddit.listing_url("../etc")
    with pytest.raises(ValueError, match="not a subreddit name"):
        reddit.listing_url("x")
    with pytest.raises(ValueError, match="sort must be one of"):
        reddit.listing_url("ok_name", "best")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit must be"):
        reddit.listing_url("ok_name", limit=101)
    with pytest.raises(ValueError, match="applies to top and controversial"):
        reddit.listing_url("ok_name", "hot", time_filter="day")
    with pytest.raises(ValueError, match="query must not be empty"):
        reddit.search_url(" ")
