"""The Mastodon adapter against recorded API interactions.

The vcrpy cassettes in ``../shared/data/api/mastodon`` (Mastodon.py's test suite, run
against mastodon.social and a local Mastodon 4.6 server) are replayed by a real HTTP
server on 127.0.0.1 — each recorded response at its recorded path and query, in the
recorded order — and fetched with the real ``HttpClient`` before being parsed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulseaugur.errors import ParseError
from pulseaugur.sources import mastodon
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.sources.http import HttpClient
from pulseaugur.types import FetchResult, RawItem

from json_mutations import mutated, odd_values
from support import serve_pages

# Used only to enumerate parameters; tests read files through the ``shared_data``
# fixture, which skips (or fails under PULSEAUGUR_REQUIRE_SHARED_DATA=1) when absent.
_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MASTODON = "api/mastodon"
LOCAL = "local_instance_cassettes"
SOCIAL = "mastodon_social_entity_cassettes"

# Endpoints that answer statuses (a list, or one status); everything else recorded
# (accounts, instance, polls, lists, contexts, search, trending tags/links, edit
# history, nodeinfo) must be refused with a ParseError.
STATUS_ENDPOINTS = re.compile(
    r"^/api/v1/(?:statuses(?:/\d+(?:/(?:un)?bookmark)?)?|timelines/[^?]+|bookmarks"
    r"|trends/statuses)(?:\?.*)?$"
)


def _cassette_names() -> list[str]:
    folder = _DATA / MASTODON
    names = sorted(str(p.relative_to(folder)) for p in folder.glob("*/*.yaml"))
    return names or ["(shared data missing)"]


# --- cassette replay ------------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its response."""

    method: str
    uri: str
    status: int
    content_type: str
    body: bytes

    @property
    def path(self) -> str:
        """The request target as the server saw it: path and query."""
        parts = urlsplit(self.uri)
        return parts.path + (f"?{parts.query}" if parts.query else "")


def load_cassette(path: Path) -> list[Interaction]:
    """The interactions of a vcrpy YAML cassette, in recorded order."""
    document = yaml.safe_load(path.read_text("utf-8"))
    interactions = []
    for entry in document["interactions"]:
        request, response = entry["request"], entry["response"]
        body = response["body"]["string"]
        headers = {k.lower(): v for k, v in response["headers"].items()}
        interactions.append(
            Interaction(
                method=request["method"],
                uri=request["uri"],
                status=response["status"]["code"],
                content_type=(headers.get("content-type") or ["application/json"])[0],
                body=body if isinstance(body, bytes) else body.encode("utf-8"),
            )
        )
    return interactions


@contextmanager
def replay(interactions: list[Interaction]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering the recorded GETs: each path gets its
    recorded responses in order (the last one repeats), anything else a 404. Yields
    the base URL."""
    queues: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        if interaction.method == "GET":
            queues[interaction.path].append(interaction)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                queue = queues.get(self.path)
                hit = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else None
            status, ctype, body = (
                (hit.status, hit.content_type, hit.body) if hit else (404, "text/plain", b"")
            )
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(urls: list[str]) -> list[FetchResult]:
    """GET each URL in order with the real client."""

    async def main() -> list[FetchResult]:
        async with HttpClient(user_agent="test", allow_private_addresses=True) as client:
            return [await client.fetch(url) for url in urls]

    return asyncio.run(main())


def fetch_and_parse(cassette: Path, path: str, occurrence: int = 0) -> ParsedFeed:
    """Replay ``cassette``, fetch ``path`` ``occurrence + 1`` times and parse the last."""
    with replay(load_cassette(cassette)) as base:
        result = fetch([base + path] * (occurrence + 1))[-1]
    return mastodon.parse(result.content, url=result.url, content_type=result.content_type)


def check_item(item: RawItem) -> None:
    """Invariants of every item."""
    assert item.guid
    assert item.url
    assert item.url.startswith(("http://", "https://"))
    assert item.published is not None
    assert item.published.tzinfo is UTC
    assert item.updated is None or item.updated.tzinfo is UTC
    assert item.authors
    assert all(a.startswith("@") and a.count("@") == 2 for a in item.authors)
    assert item.title is None or ("<" not in item.title and len(item.title) <= 140)
    assert item.raw["platform"] == "mastodon"
    assert set(item.raw["engagement"]) == {"replies", "reblogs", "favourites", "quotes"}
    linked = item.raw["linked_url"]
    assert linked is None or linked.startswith(("http://", "https://"))
    json.dumps(dict(item.raw))


def public_count(body: Any) -> int:
    statuses = body if isinstance(body, list) else [body]
    return sum(1 for s in statuses if s.get("visibility") in ("public", "unlisted"))


# --- every recorded response ----------------------------------------------------------


@pytest.mark.parametrize("name", _cassette_names())
def test_every_recorded_response_parses_or_is_refused(shared_data: Path, name: str) -> None:
    interactions = load_cassette(shared_data / MASTODON / name)
    gets = [i for i in interactions if i.method == "GET"]
    with replay(interactions) as base:
        fetched = fetch([base + i.path for i in gets])
    results = iter(fetched)
    for interaction in interactions:
        if interaction.method == "GET":
            result = next(results)
            content, url, ctype = result.content, result.url, result.content_type
            assert content == interaction.body
        else:  # POST/DELETE answers: parsed as recorded
            content, url, ctype = interaction.body, interaction.uri, interaction.content_type
        body = json.loads(content)
        if STATUS_ENDPOINTS.match(interaction.path):
            feed = mastodon.parse(content, url=url, content_type=ctype)
            assert len(feed.items) == public_count(body), interaction.path
            for item in feed.items:
                check_item(item)
        elif body == []:
            assert mastodon.parse(content, url=url, content_type=ctype).items == ()
        else:
            with pytest.raises(ParseError) as caught:
                mastodon.parse(content, url=url, content_type=ctype)
            message = str(caught.value)
            assert message.startswith(f"{url}: ")
            assert "\n" not in message


# --- specific recorded posts ----------------------------------------------------------


def test_public_timeline(shared_data: Path) -> None:
    feed = fetch_and_parse(
        shared_data / MASTODON / LOCAL / "test_public_tl.yaml", "/api/v1/timelines/public"
    )
    assert len(feed.items) == 8
    first = feed.items[0]
    assert (
        first.guid
        == "http://localhost:3000/ap/users/117020566092212359/statuses/117020593378945190"
    )
    assert first.url == "http://localhost:3000/@mastodonpy_test_2/117020593378945190"
    assert first.title == "Toot, finally!"
    assert first.content == "<p>Toot, finally!</p>"
    assert first.summary is None
    assert first.authors == ("@mastodonpy_test_2@localhost:3000",)
    assert first.published == datetime(2026, 8, 1, 13, 55, 50, 338000, tzinfo=UTC)
    assert first.updated is None
    assert first.lang == "ja"  # as the author's client declared it, English text or not
    assert first.raw["engagement"] == {"replies": 0, "reblogs": 0, "favourites": 0, "quotes": 0}
    assert first.raw["linked_url"] is None
    assert first.raw["author_handle"] == "@mastodonpy_test_2@localhost:3000"
    assert feed.items[1].title == "you can't say that on television"  # entity decoded


def test_home_timeline_drops_direct_messages_and_ignores_mentions(shared_data: Path) -> None:
    path = shared_data / MASTODON / LOCAL / "test_home_tl.yaml"
    body = json.loads(next(i.body for i in load_cassette(path) if i.method == "GET"))
    assert {s["visibility"] for s in body} >= {"direct", "public"}
    feed = fetch_and_parse(path, "/api/v1/timelines/home")
    by_id = {item.raw["id"]: item for item in feed.items}
    assert "117020592129111851" not in by_id  # a direct message in the recording
    assert len(feed.items) == public_count(body)
    assert all(item.raw["visibility"] in ("public", "unlisted") for item in feed.items)
    mention = next(i for i in feed.items if i.title and i.title.startswith("@"))
    assert mention.raw["linked_url"] is None  # a mention is not a link to an article


def test_hashtag_timeline(shared_data: Path) -> None:
    feed = fetch_and_parse(
        shared_data / MASTODON / LOCAL / "test_hashtag_tl.yaml", "/api/v1/timelines/tag/hoot"
    )
    (item,) = feed.items
    assert item.title == "#hoot (hashtag toot)"
    assert item.raw["tags"] == ["hoot"]
    assert item.raw["linked_url"] is None  # the hashtag link is not an article


def test_status_with_a_preview_card(shared_data: Path) -> None:
    path = shared_data / MASTODON / LOCAL / "test_status_card.yaml"
    (item,) = fetch_and_parse(path, "/api/v1/statuses/117020609135389699").items
    assert item.raw["linked_url"] == "http://example.org/"
    assert item.raw["card"] == {
        "url": "http://example.org/",
        "title": "Example Domain",
        "description": None,
        "provider_name": None,
        "type": "link",
    }
    assert item.raw["author_display_name"] == "John Lennon"
    assert item.title == "http://example.org/"


def test_remote_status_from_mastodon_social(shared_data: Path) -> None:
    path = shared_data / MASTODON / SOCIAL / "test_entity_status.yaml"
    (item,) = fetch_and_parse(path, "/api/v1/statuses/110446223051565765").items
    assert item.guid == "https://icosahedron.website/users/halcy/statuses/110446222386355655"
    assert item.url == "https://icosahedron.website/@halcy/110446222386355655"
    assert item.authors == ("@halcy@icosahedron.website",)
    assert item.title == (
        "@halcy you're a doo-doo head edit: editing this to have the maximum amount of "
        "fields filled :trans_heart: #ThisIsAHashtag"
    )
    assert item.published == datetime(2023, 5, 28, 12, 6, 50, tzinfo=UTC)
    assert item.updated == datetime(2023, 5, 28, 12, 9, 44, tzinfo=UTC)
    assert item.lang == "de"
    assert item.raw["engagement"] == {"replies": 0, "reblogs": 0, "favourites": 1, "quotes": 0}
    assert item.raw["tags"] == ["thisisahashtag"]
    assert item.raw["spoiler_text"] == "test post for mastodon.py stuff"
    assert item.raw["linked_url"] is None  # only a mention and a hashtag
    assert item.raw["media_count"] == 1


def test_local_account_handle_is_qualified(shared_data: Path) -> None:
    path = shared_data / MASTODON / SOCIAL / "test_entity_status.yaml"
    (item,) = fetch_and_parse(path, "/api/v1/statuses/110446183735368325").items
    assert item.authors == ("@halcy@mastodon.social",)  # acct "halcy" on mastodon.social
    assert item.title == "test?"


def test_preview_card_gives_the_linked_url(shared_data: Path) -> None:
    path = shared_data / MASTODON / SOCIAL / "test_entity_previewcardauthor.yaml"
    (item,) = fetch_and_parse(path, "/api/v1/statuses/113481707975926080").items
    assert item.raw["linked_url"] == "https://halcy.itch.io/cat-game"
    assert item.raw["card"]["title"] == "cat game by halcy"
    assert item.raw["card"]["provider_name"] == "itch.io"
    assert item.raw["engagement"]["replies"] == 1
    assert item.published == datetime(2024, 11, 14, 14, 10, 36, tzinfo=UTC)


def test_followers_only_status_is_dropped(shared_data: Path) -> None:
    path = shared_data / MASTODON / SOCIAL / "test_entity_previewcard.yaml"
    recorded = json.loads(load_cassette(path)[-1].body)
    assert recorded["visibility"] == "private"
    assert recorded["card"]["provider_name"] == "SoundCloud"
    assert fetch_and_parse(path, "/api/v1/statuses/110447098625216345").items == ()


def test_quote_post(shared_data: Path) -> None:
    path = shared_data / MASTODON / SOCIAL / "test_entity_quote.yaml"
    (item,) = fetch_and_parse(path, "/api/v1/statuses/115044073088181107").items
    assert item.authors == ("@h4lcy.bsky.social@bsky.brid.gy",)
    # The "RE: <quoted post>" fallback Mastodon appends is not part of the title.
    assert (
        item.title == "actual reply that quotes a post that quotes a post bsky.app/profile/h4lc..."
    )
    assert item.raw["linked_url"] == "https://bsky.app/profile/h4lcy.bsky.social/post/3lwlumdwf522i"
    assert item.raw["quoted_url"] == (
        "https://bsky.brid.gy/r/https://bsky.app/profile/did:plc:5syfqzormjkutgo5hi2u2gpr"
        "/post/3lwlumdwf522i"
    )
    assert item.raw["in_reply_to_id"] == "115044053131672379"


def test_deleted_status_answer_carries_source_text(shared_data: Path) -> None:
    path = shared_data / MASTODON / LOCAL / "test_home_tl.yaml"
    deleted = next(i for i in load_cassette(path) if i.method == "DELETE")
    assert "content" not in json.loads(deleted.body)
    (item,) = mastodon.parse(deleted.body, url=deleted.uri).items
    assert item.title == item.content == "Toot!"


def test_reblog_is_mapped_from_the_reblogged_status(shared_data: Path) -> None:
    # No reblog was recorded: this wraps two recorded statuses the way Mastodon does
    # (an outer status by the booster, with empty content and the original in "reblog").
    home = load_cassette(shared_data / MASTODON / LOCAL / "test_home_tl.yaml")
    booster = json.loads(next(i.body for i in home if i.method == "GET"))[1]
    card = load_cassette(shared_data / MASTODON / SOCIAL / "test_entity_previewcardauthor.yaml")
    original = json.loads(card[-1].body)
    wrapper = {
        **booster,
        "id": "1",
        "uri": booster["uri"] + "/activity",
        "content": "",
        "reblog": original,
    }
    page = (200, "application/json", json.dumps([wrapper]).encode())
    with serve_pages({"/api/v1/timelines/public": page}) as base:
        (result,) = fetch([base + "/api/v1/timelines/public"])
    (item,) = mastodon.parse(result.content, url=result.url).items
    assert item.guid == original["uri"]
    assert item.url == original["url"]
    assert item.authors == ("@halcy@icosahedron.website",)
    assert item.title == "okay lets see what happens when I post https://halcy.itch.io/cat-game"
    assert item.raw["linked_url"] == "https://halcy.itch.io/cat-game"
    assert item.raw["reblogged_by"] == "@admin@localhost:3000"
    assert item.raw["reblog_uri"] == booster["uri"] + "/activity"


# --- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"error": "Record not found"}', "answered with an error: Record not found"),
        (
            b'{"error": "invalid_token", "error_description": "The access token is invalid"}',
            "invalid_token (The access token is invalid)",
        ),
        (b"<!DOCTYPE html><html><body>Mastodon is down</body></html>", "invalid JSON (text/html)"),
        (b"", "empty document"),
        (b"42", "a JSON int"),
        (b'{"ancestors": [], "descendants": []}', "status context"),
        (b'[{"id": "1", "username": "a", "acct": "a"}]', "a JSON list of accounts"),
        (b"[NaN]", "invalid JSON"),
    ],
)
def test_documents_that_are_not_statuses(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        mastodon.parse(
            body, url="https://x.example/api/v1/timelines/public", content_type="text/html"
        )
    assert reason in str(caught.value)
    assert str(caught.value).startswith("https://x.example/api/v1/timelines/public: ")


# --- URL builders ---------------------------------------------------------------------


def test_url_builders() -> None:
    assert mastodon.account_statuses_url("mastodon.social", "13179") == (
        "https://mastodon.social/api/v1/accounts/13179/statuses?limit=40&exclude_replies=true"
    )
    assert (
        mastodon.account_statuses_url(
            "https://mastodon.social/",
            "13179",
            limit=20,
            exclude_replies=False,
            exclude_reblogs=True,
        )
        == "https://mastodon.social/api/v1/accounts/13179/statuses?limit=20&exclude_reblogs=true"
    )
    assert mastodon.hashtag_timeline_url("sigmoid.social", "#LLM") == (
        "https://sigmoid.social/api/v1/timelines/tag/LLM?limit=40"
    )
    assert mastodon.hashtag_timeline_url("http://127.0.0.1:8080", "ai", local=True, limit=5) == (
        "http://127.0.0.1:8080/api/v1/timelines/tag/ai?limit=5&local=true"
    )
    assert mastodon.public_timeline_url("mastodon.social", local=True) == (
        "https://mastodon.social/api/v1/timelines/public?limit=40&local=true"
    )
    assert mastodon.trending_statuses_url("mastodon.social") == (
        "https://mastodon.social/api/v1/trends/statuses?limit=20"
    )
    assert mastodon.account_lookup_url("mastodon.social", "@Gargron") == (
        "https://mastodon.social/api/v1/accounts/lookup?acct=Gargron"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: mastodon.account_statuses_url("mastodon.social", "../admin"),
        lambda: mastodon.account_statuses_url("mastodon.social", "1", limit=41),
        lambda: mastodon.hashtag_timeline_url("mastodon.social", "#"),
        lambda: mastodon.hashtag_timeline_url("mastodon.social", "a b"),
        lambda: mastodon.public_timeline_url("ftp://mastodon.social"),
        lambda: mastodon.public_timeline_url("https://mastodon.social/about"),
        lambda: mastodon.public_timeline_url("@user@mastodon.social"),
        lambda: mastodon.account_lookup_url("mastodon.social", ""),
    ],
)
def test_url_builders_refuse_bad_arguments(call: Any) -> None:
    with pytest.raises(ValueError, match=r"^(not a|limit must)"):
        call()


def test_hashtag_url_fetches_the_recorded_timeline(shared_data: Path) -> None:
    interactions = load_cassette(shared_data / MASTODON / LOCAL / "test_hashtag_tl.yaml")
    recorded = next(i for i in interactions if "/timelines/tag/" in i.uri)
    page = (200, recorded.content_type, recorded.body)
    with serve_pages({"/api/v1/timelines/tag/hoot?limit=40": page}) as base:
        (result,) = fetch([mastodon.hashtag_timeline_url(base, "#hoot")])
    feed = mastodon.parse(result.content, url=result.url, content_type=result.content_type)
    assert [item.raw["tags"] for item in feed.items] == [["hoot"]]


# --- hostile variations of recorded statuses ------------------------------------------

ODD_VALUES = odd_values(
    ["http://[", "javascript:alert(1)", "<p><a href='http://['>x</a></p>"], floats=True
)


@functools.cache
def recorded_statuses(root: Path) -> list[Any]:
    """A quote post and a post with a card, as recorded."""
    quote = load_cassette(root / MASTODON / SOCIAL / "test_entity_quote.yaml")[0]
    card = load_cassette(root / MASTODON / LOCAL / "test_status_card.yaml")[1]
    return [json.loads(quote.body), json.loads(card.body)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_variations_raise_only_parse_error(shared_data: Path, data: Any) -> None:
    document = recorded_statuses(shared_data)
    document = mutated(data, document, ODD_VALUES)
    try:
        feed = mastodon.parse(json.dumps(document).encode(), url="https://x.example/api/v1/x")
    except ParseError:
        return
    for item in feed.items:
        json.dumps(dict(item.raw))
        assert item.url is None or item.url.startswith(("http://", "https://"))


def test_rss_fallback_urls() -> None:
    from pulseaugur.sources import mastodon as m

    api = m.hashtag_timeline_url("sigmoid.social", "#LLM")
    assert m.rss_fallback_url(api) == "https://sigmoid.social/tags/LLM.rss"
    assert m.rss_fallback_url(m.account_statuses_url("mastodon.social", "1")) is None
