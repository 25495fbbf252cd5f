"""``hackernews.parse`` on the official API's recorded example responses
(``../shared/data/api/hackernews``), fetched from a real HTTP server on 127.0.0.1 with
the real ``HttpClient``.

No Algolia response is recorded in the shared data, so the Algolia tests serve search
responses built from the recorded official items (same ids, authors, times, counts) in
Algolia's documented hit shape, and check that both APIs yield the same items.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pulseaugur.errors import ParseError
from pulseaugur.sources import hackernews
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.sources.http import HttpClient
from pulseaugur.types import FetchResult, RawItem

from support import require_shared, serve_pages, shared_data_dir

_REL = "api/hackernews/official_api_readme_examples"
# Used only to enumerate test parameters; tests read files through ``require_shared``.
_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / _REL
_FILES = sorted(p.name for p in _DIR.iterdir() if p.is_file()) if _DIR.is_dir() else ["(none)"]
JSON = "application/json; charset=utf-8"
_NOT_STORIES = {"item_2921983.json", "item_160705.json"}  # a comment and a poll option


def _data() -> Path:
    return require_shared(shared_data_dir() / _REL)


def _fetch_all(pages: dict[str, tuple[int, str, bytes]]) -> dict[str, FetchResult]:
    """Serve ``pages`` on 127.0.0.1 and GET every path with the real client."""

    async def run(base: str) -> dict[str, FetchResult]:
        async with HttpClient(user_agent="test", allow_private_addresses=True) as client:
            return {path: await client.fetch(base + path) for path in pages}

    with serve_pages(pages) as base:
        return asyncio.run(run(base))


def _parse(result: FetchResult) -> ParsedFeed:
    return hackernews.parse(result.content, url=result.url, content_type=result.content_type)


def _check_shape(feed: ParsedFeed) -> None:
    for item in feed.items:
        assert isinstance(item, RawItem)
        assert item.guid is not None
        assert item.guid.startswith("https://news.ycombinator.com/item?id=")
        assert item.url is not None
        assert item.url.startswith(("http://", "https://"))
        assert item.published is None or item.published.tzinfo is UTC
        assert item.updated is None
        assert item.lang is None
        assert item.raw["platform"] == "hackernews"
        assert item.raw["discussion_url"] == item.guid
        json.dumps(dict(item.raw))


def _recorded_items() -> dict[str, FetchResult]:
    data = _data()
    pages = {
        f"/v0/item/{p.stem.removeprefix('item_')}.json": (200, JSON, p.read_bytes())
        for p in data.glob("item_*.json")
    }
    return _fetch_all(pages)


def test_official_story_items_map_every_field() -> None:
    fetched = _recorded_items()
    by_id = {
        item.raw["hn_id"]: item
        for result in fetched.values()
        if json.loads(result.content)["type"] in ("story", "job", "poll")
        for item in _parse(result).items
    }
    assert sorted(by_id) == [8863, 121003, 126809, 192327]

    dropbox = by_id[8863]
    assert dropbox.guid == "https://news.ycombinator.com/item?id=8863"
    assert dropbox.url == "https://news.ycombinator.com/item?id=8863"
    assert dropbox.raw["linked_url"] == "http://www.getdropbox.com/u/2/screencast.html"
    assert dropbox.title == "My YC app: Dropbox - Throw away your USB drive"
    assert dropbox.authors == ("dhouston",)
    assert dropbox.published == datetime(2007, 4, 4, 19, 16, 40, tzinfo=UTC)
    assert dropbox.summary is None
    assert dropbox.raw["engagement"] == {"points": 111, "comments": 71}
    assert dropbox.raw["linked_url"] == "http://www.getdropbox.com/u/2/screencast.html"
    assert dropbox.raw["item_type"] == "story"
    assert dropbox.raw["api"] == "firebase"

    ask = by_id[121003]  # Ask HN: a text post, its url is the discussion
    assert ask.url == ask.guid == "https://news.ycombinator.com/item?id=121003"
    assert ask.raw["linked_url"] is None
    assert ask.title == "Ask HN: The Arc Effect"
    assert ask.summary is not None
    assert ask.summary.startswith("<i>or</i> HN: the Next Iteration<p>")
    assert ask.authors == ("tel",)
    assert ask.published == datetime(2008, 2, 22, 2, 33, 40, tzinfo=UTC)
    assert ask.raw["engagement"] == {"points": 25, "comments": 16}

    poll = by_id[126809]  # a poll with a title is kept; its empty text is no summary
    assert poll.raw["item_type"] == "poll"
    assert poll.summary is None
    assert poll.raw["engagement"] == {"points": 46, "comments": 54}

    job = by_id[192327]  # a job with url "" links to its HN page; jobs have no comments
    assert job.raw["item_type"] == "job"
    assert job.url == "https://news.ycombinator.com/item?id=192327"
    assert job.raw["linked_url"] is None
    assert job.raw["engagement"] == {"points": 6, "comments": None}
    assert job.authors == ("justin",)


def test_comment_and_poll_option_documents_are_refused() -> None:
    fetched = _recorded_items()
    with pytest.raises(ParseError, match=r"comment \(item 2921983\), not a story"):
        _parse(fetched["/v0/item/2921983.json"])
    with pytest.raises(ParseError, match=r"pollopt \(item 160705\)"):
        _parse(fetched["/v0/item/160705.json"])


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("user_jl.json", "user profile"),
        ("maxitem.json", "bare number"),
        ("updates.json", "updates document"),
    ],
)
def test_non_item_documents_raise_a_clear_parse_error(name: str, reason: str) -> None:
    body = (_data() / name).read_bytes()
    fetched = _fetch_all({f"/v0/{name}": (200, JSON, body)})
    with pytest.raises(ParseError, match=reason) as caught:
        _parse(fetched[f"/v0/{name}"])
    assert caught.value.where.endswith(f"/v0/{name}")


def test_a_list_of_items_skips_comments_and_poll_options() -> None:
    docs = [json.loads(p.read_bytes()) for p in sorted(_data().glob("item_*.json"))]
    fetched = _fetch_all({"/items.json": (200, JSON, json.dumps(docs).encode())})
    feed = _parse(fetched["/items.json"])
    _check_shape(feed)
    assert [i.raw["hn_id"] for i in feed.items] == [121003, 126809, 192327, 8863]


def test_deleted_and_dead_items_are_skipped() -> None:
    story = json.loads((_data() / "item_8863.json").read_bytes())
    assert hackernews.parse(json.dumps({**story, "dead": True}).encode(), url="u").items == ()
    gone = {"id": 8863, "type": "story", "deleted": True, "time": 1175714200}
    items = hackernews.parse(json.dumps([gone, story]).encode(), url="u").items
    assert [i.raw["hn_id"] for i in items] == [8863]


def test_a_list_of_ids_is_not_items() -> None:
    ids = json.loads((_data() / "updates.json").read_bytes())["items"]
    with pytest.raises(ParseError, match="list of Hacker News item ids"):
        hackernews.parse(json.dumps(ids).encode(), url="https://x/topstories.json")


# --- Algolia ------------------------------------------------------------------------------


def _algolia_hit(doc: dict[str, Any]) -> dict[str, Any]:
    """A recorded official item in Algolia's hit shape."""
    when = datetime.fromtimestamp(doc["time"], UTC)
    kind = doc["type"]
    return {
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "title": doc.get("title"),
        "url": doc.get("url") or None,
        "author": doc["by"],
        "points": doc.get("score"),
        "story_text": doc.get("text") if kind != "comment" else None,
        "comment_text": doc.get("text") if kind == "comment" else None,
        "num_comments": doc.get("descendants", 0 if kind != "comment" else None),
        "story_id": doc.get("parent"),
        "parent_id": doc.get("parent"),
        "created_at_i": doc["time"],
        "_tags": [kind, f"author_{doc['by']}", f"story_{doc['id']}"],
        "objectID": str(doc["id"]),
    }


def test_algolia_search_response_matches_the_official_items() -> None:
    data = _data()
    docs = [json.loads(p.read_bytes()) for p in sorted(data.glob("item_*.json"))]
    response = {
        "hits": [_algolia_hit(d) for d in docs],
        "nbHits": len(docs),
        "page": 0,
        "nbPages": 1,
        "hitsPerPage": 30,
        "query": "",
        "params": "tags=front_page&hitsPerPage=30",
    }
    url = hackernews.algolia_front_page_url()
    path = url.removeprefix("https://hn.algolia.com")
    fetched = _fetch_all({path: (200, JSON, json.dumps(response).encode())})
    feed = _parse(fetched[path])
    _check_shape(feed)
    official = hackernews.parse(json.dumps(docs).encode(), url="u").items
    assert [i.raw["hn_id"] for i in feed.items] == [i.raw["hn_id"] for i in official]
    for algolia, firebase in zip(feed.items, official, strict=True):
        assert algolia.raw["api"] == "algolia"
        for field in ("guid", "url", "title", "summary", "authors", "published"):
            assert getattr(algolia, field) == getattr(firebase, field), field
        assert algolia.raw["linked_url"] == firebase.raw["linked_url"]
        assert algolia.raw["engagement"]["points"] == firebase.raw["engagement"]["points"]
    assert feed.items[0].raw["tags"] == ["story", "author_tel", "story_121003"]


def test_algolia_hit_without_unix_time_uses_created_at() -> None:
    hit = _algolia_hit(json.loads((_data() / "item_8863.json").read_bytes()))
    del hit["created_at_i"]
    item = hackernews.parse(json.dumps({"hits": [hit]}).encode(), url="u").items[0]
    assert item.published == datetime(2007, 4, 4, 19, 16, 40, tzinfo=UTC)


def test_algolia_error_is_a_parse_error() -> None:
    body = json.dumps({"message": "Invalid value for tags", "status": 400}).encode()
    with pytest.raises(ParseError, match="Algolia error: Invalid value for tags"):
        hackernews.parse(body, url="https://hn.algolia.com/api/v1/search?tags=x")


# --- every recorded file --------------------------------------------------------------


@pytest.mark.parametrize("name", _FILES)
def test_every_recorded_file_parses_or_raises_parse_error(name: str) -> None:
    body = (_data() / name).read_bytes()
    url = f"https://hacker-news.firebaseio.com/v0/{name}"
    outcome: ParsedFeed | ParseError
    try:
        outcome = hackernews.parse(body, url=url)
    except ParseError as exc:
        outcome = exc
    if isinstance(outcome, ParseError):
        assert str(outcome).startswith(url + ": ")
        assert "\n" not in str(outcome)
        assert not name.startswith("item_") or name in _NOT_STORIES
    else:
        _check_shape(outcome)
        assert outcome.items


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"{", b"null", b"NaN", b"[1, 2, NaN]", b"\xff\xfe\x00", b"[[[[" * 5000]
)
def test_garbage_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        hackernews.parse(body, url="u")


# --- URL builders ---------------------------------------------------------------------


def test_url_builders() -> None:
    assert hackernews.algolia_front_page_url() == (
        "https://hn.algolia.com/api/v1/search?tags=front_page&hitsPerPage=30"
    )
    assert hackernews.algolia_search_url("large language model", min_points=50) == (
        "https://hn.algolia.com/api/v1/search_by_date?query=large+language+model"
        "&tags=story&numericFilters=points%3E%3D50&hitsPerPage=50"
    )
    assert hackernews.algolia_search_url("GPT", by_date=False, hits_per_page=10) == (
        "https://hn.algolia.com/api/v1/search?query=GPT&tags=story&hitsPerPage=10"
    )
    assert hackernews.item_api_url(8863) == ("https://hacker-news.firebaseio.com/v0/item/8863.json")
    assert hackernews.discussion_url(8863) == "https://news.ycombinator.com/item?id=8863"
    with pytest.raises(ValueError, match="query must not be empty"):
        hackernews.algolia_search_url("  ")
    with pytest.raises(ValueError, match="hits_per_page"):
        hackernews.algolia_search_url("x", hits_per_page=0)
    with pytest.raises(ValueError, match="min_points"):
        hackernews.algolia_search_url("x", min_points=-1)
    with pytest.raises(ValueError, match="hits_per_page"):
        hackernews.algolia_front_page_url(hits_per_page=1001)
    with pytest.raises(ValueError, match="positive"):
        hackernews.item_api_url(0)
