"""The Brief's feeds: Atom 1.0 and JSON Feed 1.1, read back by feedparser, with absolute
links (``public_url`` when set), content types, and conditional GET."""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime
from xml.etree import ElementTree as ET

import feedparser
import pytest
from brief_seed import PUBLISHED, seed_briefs
from fastapi.testclient import TestClient
from web_seed import NOW

from pulseaugur.config import Settings
from pulseaugur.sources.feeds import parse_feed
from pulseaugur.storage.base import Storage
from pulseaugur.web.app import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def public_client(storage: Storage) -> Iterator[TestClient]:
    app = create_app(
        storage, clock=lambda: NOW, settings=Settings(public_url="https://news.example.org/")
    )
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _timestamp(parsed: object) -> int:
    return calendar.timegm(parsed)  # type: ignore[arg-type]


def test_atom_feed_reads_back(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    response = client.get("/brief/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "PulseAugur — the Brief"
    assert feed.feed.id == "http://testserver/brief"
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == ["http://testserver/brief/feed.atom"]
    assert [e.id for e in feed.entries] == [
        "http://testserver/brief/2025-08-07",
        "http://testserver/brief/2025-08-06",
    ]
    newest = feed.entries[0]
    assert newest.title == "The Brief — Thursday 7 August 2025"
    assert newest.link == "http://testserver/brief/2025-08-07"
    assert _timestamp(newest.published_parsed) == int(PUBLISHED.timestamp())
    assert _timestamp(newest.updated_parsed) == int(PUBLISHED.timestamp())
    content = newest.content[0]
    assert content.type == "text/html"
    assert 'href="http://testserver/cluster/1-openai-releases-gpt-5"' in content.value
    assert content.value.index("OpenAI releases GPT-5") < content.value.index("Hong Kong")
    assert {t.term for t in newest.tags} == {"AI", "models", "policy"}
    assert _timestamp(feed.feed.updated_parsed) == int(PUBLISHED.timestamp())


def test_atom_feed_has_the_required_elements(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    root = ET.fromstring(client.get("/brief/feed.atom").content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ("id", "title", "updated", "link", "content"):
            assert entry.find(f"{ATOM}{name}") is not None, name


def test_hostile_text_stays_text_in_the_feed(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    feed = feedparser.parse(client.get("/brief/feed.atom").content)
    older = feed.entries[1].content[0].value
    assert "Headline &lt;script&gt;alert(1)&lt;/script&gt;" in older
    assert "<script>" not in older


def test_json_feed_is_valid_and_reads_back(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    response = client.get("/brief/feed.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/feed+json; charset=utf-8"
    document = json.loads(response.content)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "PulseAugur — the Brief"
    assert document["home_page_url"] == "http://testserver/brief"
    assert document["feed_url"] == "http://testserver/brief/feed.json"
    assert isinstance(document["items"], list)
    assert len(document["items"]) == 2
    for item in document["items"]:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert item["url"].startswith("http://testserver/brief/")
        assert item["date_published"].endswith("Z")
    newest = document["items"][0]
    assert newest["date_published"] == "2025-08-07T06:02:30Z"
    events = newest["_pulseaugur"]["events"]
    assert [e["id"] for e in events] == [1, 2]
    assert events[0]["url"] == "http://testserver/cluster/1-openai-releases-gpt-5"
    assert events[0]["score"] == 87.5
    assert events[0]["source_count"] == 3

    # feedparser 6.0 reads no JSON Feed (it calls it malformed XML): read it back with
    # the JSON Feed reader PulseAugur uses for its own sources, and check feedparser
    # does not mistake it for something else.
    assert feedparser.parse(response.content).version == ""
    parsed = parse_feed(response.content, url="http://testserver/brief/feed.json")
    assert parsed.title == "PulseAugur — the Brief"
    assert parsed.link == "http://testserver/brief"
    assert parsed.lang == "en"
    assert [i.url for i in parsed.items] == [
        "http://testserver/brief/2025-08-07",
        "http://testserver/brief/2025-08-06",
    ]
    assert parsed.items[0].title == "The Brief — Thursday 7 August 2025"
    assert parsed.items[0].published == PUBLISHED
    assert "http://testserver/cluster/1-openai-releases-gpt-5" in (parsed.items[0].content or "")


def test_public_url_makes_the_links(public_client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    atom = feedparser.parse(public_client.get("/brief/feed.atom").content)
    assert atom.feed.id == "https://news.example.org/brief"
    assert atom.entries[0].link == "https://news.example.org/brief/2025-08-07"
    assert "https://news.example.org/cluster/1-" in atom.entries[0].content[0].value
    document = public_client.get("/brief/feed.json").json()
    assert document["feed_url"] == "https://news.example.org/brief/feed.json"
    assert document["items"][0]["id"] == "https://news.example.org/brief/2025-08-07"


def test_feeds_without_editions_are_valid_and_empty(client: TestClient) -> None:
    atom = feedparser.parse(client.get("/brief/feed.atom").content)
    assert not atom.bozo
    assert atom.version == "atom10"
    assert atom.entries == []
    document = client.get("/brief/feed.json").json()
    assert document["items"] == []


@pytest.mark.parametrize("path", ["/brief/feed.atom", "/brief/feed.json"])
def test_conditional_get(client: TestClient, storage: Storage, path: str) -> None:
    seed_briefs(storage)
    first = client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert modified == format_datetime(PUBLISHED, usegmt=True)
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(PUBLISHED - timedelta(seconds=1), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": "garbage"}).status_code == 200
    # A new edition changes both validators.
    from brief_seed import GPT5, edition

    storage.save_brief(edition("2025-08-08", (GPT5,), PUBLISHED + timedelta(days=1)))
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
