"""The Bluesky adapter against real AT Protocol data from ``../shared/data/api/bluesky``.

Responses are served by a real HTTP server on 127.0.0.1 at the XRPC paths the URL
builders make, and fetched with the real ``HttpClient`` before being parsed.

The recorded author feed (``sdk-dump/``) is the Python SDK's model dump, not wire JSON:
``wire()`` turns it back into what the AppView sends (lowerCamelCase field names,
``$type`` for ``py_type``), the inverse of the SDK's naming; the values are untouched.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulseaugur.errors import ParseError
from pulseaugur.sources import bluesky
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.sources.http import HttpClient

from json_mutations import mutated, odd_values
from support import serve_pages

BLUESKY = "api/bluesky"
SYNTAX = f"{BLUESKY}/marshalx-atproto/tests/interop-test-files/syntax"
MODELS = f"{BLUESKY}/marshalx-atproto/tests/test_atproto_client/models/test_data"
AUTHOR_FEED = f"{BLUESKY}/sdk-dump/balint_author_feed.atproto_sdk_dump.json"
GALLOWAY = "did:plc:e5bl34y4m4zap3g6zg2wxpze"

# Used only to enumerate parameters; tests read through the ``shared_data`` fixture.
_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

# What each recorded JSON file is, and how many posts parse() finds in it (None: refused).
EXPECTED_POSTS: dict[str, int | None] = {
    "post_record.json": 1,  # com.atproto.repo.getRecord of a post
    "extended_post_record.json": 1,  # the same with an unknown extra field
    "thread_view_post_with_embed_media.json": 1,  # app.bsky.feed.getPostThread
    "custom_record.json": None,  # a record of another type
    "like_record.json": None,
    "extended_like_record.json": None,
    "feed_record.json": None,  # a feed generator record
    "did_doc.json": None,  # com.atproto.repo.describeRepo
    "get_follows.json": None,
    "resolve_handle.json": None,
    "balint_author_feed.atproto_sdk_dump.json": None,  # SDK dump, not wire JSON
}


def _json_files() -> list[str]:
    folder = _DATA / BLUESKY
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))
    return names or ["(shared data missing)"]


def wire(node: Any) -> Any:
    """An SDK model dump as wire JSON: ``py_type`` → ``$type``, snake → lowerCamel."""
    if isinstance(node, dict):
        return {_camel(key): wire(value) for key, value in node.items()}
    if isinstance(node, list):
        return [wire(v) for v in node]
    return node


def _camel(key: str) -> str:
    if key == "py_type":
        return "$type"
    return re.sub(r"_([a-z0-9])", lambda m: m[1].upper(), key)


def author_feed(shared_data: Path) -> dict[str, Any]:
    """The recorded author feed of profgalloway.com (10 entries) as wire JSON."""
    return wire(json.loads((shared_data / AUTHOR_FEED).read_text("utf-8")))


def serve_and_parse(pages: dict[str, bytes], url_for: Any) -> ParsedFeed:
    """Serve ``pages`` (request target → JSON body) on 127.0.0.1, fetch
    ``url_for(base)`` with the real client and parse the answer."""
    served = {
        target: (200, "application/json; charset=utf-8", body) for target, body in pages.items()
    }
    with serve_pages(served) as base:

        async def main() -> Any:
            async with HttpClient(user_agent="test", allow_private_addresses=True) as client:
                return await client.fetch(url_for(base))

        result = asyncio.run(main())
    return bluesky.parse(result.content, url=result.url, content_type=result.content_type)


def target(url: str) -> str:
    """The request target (path and query) of ``url``."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- identifier syntax: the protocol's interop lists ----------------------------------


def syntax_lines(shared_data: Path, name: str) -> list[str]:
    """The cases of one list: every line but comments and empty ones, unstripped
    (leading and trailing spaces are part of some invalid cases)."""
    text = (shared_data / SYNTAX / name).read_text("utf-8")
    return [line for line in text.split("\n") if line and not line.startswith("#")]


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("handle", bluesky.is_valid_handle),
        ("did", bluesky.is_valid_did),
        ("atidentifier", bluesky.is_valid_at_identifier),
        ("aturi", bluesky.is_valid_at_uri),
        ("nsid", bluesky.is_valid_nsid),
        ("recordkey", bluesky.is_valid_record_key),
    ],
)
def test_identifier_syntax_lists(shared_data: Path, kind: str, check: Any) -> None:
    valid = syntax_lines(shared_data, f"{kind}_syntax_valid.txt")
    invalid = syntax_lines(shared_data, f"{kind}_syntax_invalid.txt")
    assert len(valid) >= 5
    assert len(invalid) >= 5
    assert [v for v in valid if not check(v)] == []
    assert [v for v in invalid if check(v)] == []


def test_datetime_lists(shared_data: Path) -> None:
    for value in syntax_lines(shared_data, "datetime_syntax_valid.txt"):
        parsed = bluesky.parse_datetime(value)
        assert parsed is not None, value
        assert parsed.tzinfo is UTC
    for value in syntax_lines(shared_data, "datetime_parse_invalid.txt"):
        assert bluesky.parse_datetime(value) is None, value
    assert bluesky.parse_datetime("1985-04-12T23:20:50.123-07:00") == datetime(
        1985, 4, 13, 6, 20, 50, 123000, tzinfo=UTC
    )
    assert bluesky.parse_datetime("1985-04-12T23:20:50.123456789012Z") == datetime(
        1985, 4, 12, 23, 20, 50, 123456, tzinfo=UTC
    )


# --- every recorded file --------------------------------------------------------------


@pytest.mark.parametrize("name", _json_files())
def test_every_recorded_file_parses_or_is_refused(shared_data: Path, name: str) -> None:
    path = shared_data / BLUESKY / name
    expected = EXPECTED_POSTS[path.name]
    url = f"https://public.api.bsky.app/xrpc/{path.stem}"
    if expected is None:
        with pytest.raises(ParseError) as caught:
            bluesky.parse(path.read_bytes(), url=url)
        assert str(caught.value).startswith(url + ": ")
        assert "\n" not in str(caught.value)
    else:
        feed = bluesky.parse(path.read_bytes(), url=url)
        assert len(feed.items) == expected
        for item in feed.items:
            assert item.guid is not None
            assert bluesky.is_valid_at_uri(item.guid)
            assert item.url is not None
            assert item.url.startswith("https://bsky.app/profile/")
            assert item.published is not None
            assert item.published.tzinfo is UTC
            json.dumps(dict(item.raw))


def test_sdk_dump_is_named_as_such(shared_data: Path) -> None:
    with pytest.raises(ParseError, match="Python SDK model dump"):
        bluesky.parse((shared_data / AUTHOR_FEED).read_bytes(), url="dump.json")


# --- author feed ----------------------------------------------------------------------


def test_author_feed(shared_data: Path) -> None:
    def url_for(base: str) -> str:
        return bluesky.author_feed_url("profgalloway.com", base, limit=10)

    body = json.dumps(author_feed(shared_data)).encode()
    feed = serve_and_parse({target(url_for("http://x")): body}, url_for)
    assert len(feed.items) == 10
    first = feed.items[0]
    assert first.guid == f"at://{GALLOWAY}/app.bsky.feed.post/3liwo6keybk2d"
    assert first.url == "https://bsky.app/profile/profgalloway.com/post/3liwo6keybk2d"
    assert first.title == first.content == "👏🏻👏🏻👏🏻👏🏻"
    assert first.authors == ("profgalloway.com",)
    assert first.published == datetime(2025, 2, 24, 15, 31, 34, 2000, tzinfo=UTC)
    assert first.lang == "en"
    assert first.raw["platform"] == "bluesky"
    assert first.raw["did"] == GALLOWAY
    assert first.raw["author_handle"] == "profgalloway.com"
    assert first.raw["author_display_name"] == "Scott Galloway"
    assert first.raw["engagement"] == {"replies": 52, "reposts": 602, "likes": 4368, "quotes": 45}
    assert first.raw["linked_url"] == (
        "https://open.substack.com/pub/borowitzreport/p/musk-forms-dept-of-underaged-clowns"
        "?r=10g20c&utm_medium=ios"
    )

    by_rkey = {item.guid.rsplit("/", 1)[1]: item for item in feed.items if item.guid}
    spotify = by_rkey["3liwkupovl22t"]  # a link card and a mention + link facet
    assert spotify.raw["linked_url"] == (
        "https://open.spotify.com/episode/5DlxuqkWGUorLl3LRQYdga?si=D0uid7TZQla1IXgfbhq4lg"
    )
    assert spotify.title is not None
    assert len(spotify.title) <= bluesky.TITLE_CHARS
    assert spotify.title.endswith("…")
    assert spotify.content is not None
    assert spotify.content.startswith("Still off, but Ed Elson got to speak with")
    assert by_rkey["3lirkksn5e225"].raw["linked_url"] is None  # plain text post
    assert by_rkey["3liwln6rpfs2t"].raw["linked_url"] is None  # a video, no link
    image_only = by_rkey["3lirlxs4ctk2i"]
    assert image_only.title is None
    assert image_only.content is None
    assert image_only.raw["engagement"]["likes"] == 60521

    repost = by_rkey["3lipl2ryzms26"]  # reposted by the feed's owner
    assert repost.raw["reposted_by"] == "profgalloway.com"
    assert repost.raw["linked_url"] == "https://www.profgalloway.com/doge-what-can-be-done/"
    assert repost.published == datetime(2025, 2, 21, 19, 47, 8, 388000, tzinfo=UTC)
    assert all(i.raw["reposted_by"] is None for i in feed.items if i is not repost)


def test_facet_link_when_there_is_no_card(shared_data: Path) -> None:
    # A recorded post whose link card is removed: the link facet still names the article.
    entry = copy.deepcopy(author_feed(shared_data)["feed"][8])
    del entry["post"]["embed"], entry["post"]["record"]["embed"]
    (item,) = bluesky.parse(json.dumps({"feed": [entry]}).encode(), url="x").items
    assert item.raw["linked_url"] == "https://www.profgalloway.com/doge-what-can-be-done/"


def test_search_results(shared_data: Path) -> None:
    # No search answer was recorded: this one holds recorded post views in the
    # searchPosts shape ({"posts": [...], "hitsTotal"}).
    posts = [entry["post"] for entry in author_feed(shared_data)["feed"][:3]]
    body = json.dumps({"posts": posts, "hitsTotal": 3}).encode()

    def url_for(base: str) -> str:
        return bluesky.search_url("Prof G", base, limit=3, lang="en")

    feed = serve_and_parse({target(url_for("http://x")): body}, url_for)
    assert [item.guid for item in feed.items] == [p["uri"] for p in posts]
    assert feed.items[2].raw["engagement"] == {
        "replies": 5,
        "reposts": 5,
        "likes": 104,
        "quotes": 1,
    }


# --- threads and records --------------------------------------------------------------


def test_thread_view(shared_data: Path) -> None:
    uri = "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"

    def url_for(base: str) -> str:
        return bluesky.post_thread_url(uri, base)

    body = (shared_data / MODELS / "thread_view_post_with_embed_media.json").read_bytes()
    (item,) = serve_and_parse({target(url_for("http://x")): body}, url_for).items
    assert item.guid == uri
    assert item.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert item.title is None  # an image with a quoted post, no text
    assert item.authors == ("test.marshal.dev",)
    assert item.published == datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC)
    assert item.lang == "en"
    assert item.raw["linked_url"] is None  # a quoted post is not an article
    assert item.raw["quoted_uri"] == (
        "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z"
    )
    assert item.raw["engagement"] == {"replies": 0, "reposts": 0, "likes": 0, "quotes": None}


def test_post_record(shared_data: Path) -> None:
    did, rkey = "did:plc:kvwvcn5iqfooopmyzvb4qzba", "3k2yihcrp6f2c"
    get_record = (
        f"/xrpc/com.atproto.repo.getRecord?repo={did}&collection=app.bsky.feed.post&rkey={rkey}"
    )
    body = (shared_data / MODELS / "post_record.json").read_bytes()
    (item,) = serve_and_parse({get_record: body}, lambda base: base + get_record).items
    assert item.guid == f"at://{did}/app.bsky.feed.post/{rkey}"
    assert item.url == f"https://bsky.app/profile/{did}/post/{rkey}"  # no handle in a record
    assert item.authors == ()
    assert item.title == "new text114"
    assert item.published == datetime(2024, 2, 22, 19, 58, 13, 903293, tzinfo=UTC)
    assert item.lang is None
    assert item.raw["did"] == did
    assert item.raw["cid"] == "bafyreifzi5xyrf3c5jw7cci4zrltyl25ik2dboznop4qo4cotcfbyjtita"


def test_list_records_keeps_only_posts(shared_data: Path) -> None:
    # A listRecords-shaped answer built from recorded records of three types.
    records = [
        json.loads((shared_data / MODELS / name).read_text("utf-8"))
        for name in ("post_record.json", "like_record.json", "extended_post_record.json")
    ]
    feed = bluesky.parse(json.dumps({"records": records}).encode(), url="x")
    assert [item.title for item in feed.items] == ["new text114", "regress test"]
    # The SDK's test record has no time zone; it is taken as UTC.
    assert feed.items[1].published == datetime(2023, 7, 21, 1, 33, 51, 481951, tzinfo=UTC)


# --- refusals and odd posts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b'{"error": "InvalidRequest", "message": "Profile not found"}',
            "InvalidRequest: Profile not found",
        ),
        (b'{"error": "AuthMissing", "message": "Authentication Required"}', "AuthMissing"),
        (
            b'{"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x"}}',
            "notFoundPost",
        ),
        (b"<html><title>403 Forbidden</title></html>", "invalid JSON (text/html)"),
        (b"[]", "a JSON list"),
        (b"", "empty document"),
    ],
)
def test_documents_that_are_not_posts(body: bytes, reason: str) -> None:
    url = "https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts?q=ai"
    with pytest.raises(ParseError) as caught:
        bluesky.parse(body, url=url, content_type="text/html")
    assert reason in str(caught.value)
    assert str(caught.value).startswith(url + ": ")


def test_invalid_handles_and_uris(shared_data: Path) -> None:
    feed = author_feed(shared_data)["feed"]
    broken_handle = copy.deepcopy(feed[0])
    broken_handle["post"]["author"]["handle"] = "handle.invalid"
    bad_uri = copy.deepcopy(feed[1])
    bad_uri["post"]["uri"] = "at://did:plc:e5bl34y4m4zap3g6zg2wxpze/app.bsky.feed.post/%zz"
    like = copy.deepcopy(feed[2])
    like["post"]["uri"] = "at://did:plc:e5bl34y4m4zap3g6zg2wxpze/app.bsky.feed.like/3liwkupovl22t"
    body = json.dumps({"feed": [broken_handle, bad_uri, like, {"post": None}]}).encode()
    (item,) = bluesky.parse(body, url="x").items
    assert item.authors == ()
    assert item.url == f"https://bsky.app/profile/{GALLOWAY}/post/3liwo6keybk2d"


# --- URL builders ---------------------------------------------------------------------


def test_url_builders() -> None:
    assert bluesky.author_feed_url("@Bsky.App") == (
        "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed"
        "?actor=bsky.app&limit=50&filter=posts_no_replies"
    )
    assert bluesky.author_feed_url(
        GALLOWAY, "https://api.bsky.app/", filter="posts_with_replies"
    ) == (
        "https://api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed"
        "?actor=did%3Aplc%3Ae5bl34y4m4zap3g6zg2wxpze&limit=50&filter=posts_with_replies"
    )
    assert bluesky.search_url("open weights", sort="top", limit=10) == (
        "https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts?q=open+weights&sort=top&limit=10"
    )
    feed_uri = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.generator/whats-hot"
    assert bluesky.custom_feed_url(feed_uri, limit=30) == (
        "https://public.api.bsky.app/xrpc/app.bsky.feed.getFeed?feed="
        "at%3A%2F%2Fdid%3Aplc%3Az72i7hdynmk6r22z27h6tvur%2Fapp.bsky.feed.generator%2Fwhats-hot"
        "&limit=30"
    )
    assert bluesky.post_web_url("profgalloway.com", "3liwo6keybk2d") == (
        "https://bsky.app/profile/profgalloway.com/post/3liwo6keybk2d"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: bluesky.author_feed_url("not a handle"),
        lambda: bluesky.author_feed_url("bsky.app", limit=101),
        lambda: bluesky.author_feed_url("bsky.app", filter="everything"),
        lambda: bluesky.author_feed_url("bsky.app", "ftp://appview.example"),
        lambda: bluesky.search_url("  "),
        lambda: bluesky.search_url("ai", sort="best"),
        lambda: bluesky.search_url("ai", lang="English"),
        lambda: bluesky.custom_feed_url("at://did:plc:abc/app.bsky.feed.post/x"),
        lambda: bluesky.post_thread_url("https://bsky.app/profile/x/post/y"),
        lambda: bluesky.post_web_url("bsky.app", ".."),
    ],
)
def test_url_builders_refuse_bad_arguments(call: Any) -> None:
    with pytest.raises(ValueError, match=r"^(not |limit must|filter must|sort must|search query)"):
        call()


# --- hostile variations -----------------------------------------------------------------

ODD_VALUES = odd_values(["http://[", "at://did:plc:x/app.bsky.feed.post/%", "1985-13-12T00:00Z"])


@functools.cache
def recorded_documents(root: Path) -> list[Any]:
    """Three entries of the recorded author feed (a repost, link cards, facets) and the
    recorded thread view, as wire JSON."""
    thread = json.loads((root / MODELS / "thread_view_post_with_embed_media.json").read_text())
    return [{"feed": author_feed(root)["feed"][7:10]}, thread]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_variations_raise_only_parse_error(shared_data: Path, data: Any) -> None:
    document = data.draw(st.sampled_from(recorded_documents(shared_data)))
    document = mutated(data, document, ODD_VALUES)
    try:
        feed = bluesky.parse(json.dumps(document).encode(), url="https://x.example/xrpc/x")
    except ParseError:
        return
    for item in feed.items:
        json.dumps(dict(item.raw))
        assert item.guid is not None
        assert bluesky.is_valid_at_uri(item.guid)
