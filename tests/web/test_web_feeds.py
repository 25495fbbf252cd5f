"""The event feeds: Atom 1.0 and JSON Feed 1.1 of all events and of each topic, read back
by feedparser (Atom) and by PulseAugur's own JSON Feed reader."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from xml.etree import ElementTree as ET

import feedparser
import pytest
from api_support import PUBLIC, make_app
from fastapi.testclient import TestClient
from web_seed import HOSTILE, NOW

from pulseaugur.sources.feeds import parse_feed
from pulseaugur.storage.base import Storage

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_TYPE = "application/feed+json; charset=utf-8"


@pytest.fixture
def client(storage: Storage) -> Iterator[TestClient]:
    with TestClient(make_app(storage, public_url=PUBLIC + "/")) as c:
        yield c


def atom(client: TestClient, path: str = "/feed.atom") -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == ATOM_TYPE
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_atom_feed_of_all_events(client: TestClient) -> None:
    feed = atom(client)
    assert feed.feed.title == "PulseAugur — AI news events"
    assert feed.feed.id == f"{PUBLIC}/"
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [f"{PUBLIC}/feed.atom"]
    assert [e.id for e in feed.entries] == [f"{PUBLIC}/cluster/{n}" for n in (5, 3, 2, 1)]
    gpt5 = feed.entries[3]
    assert gpt5.title == "OpenAI releases GPT-5"
    assert gpt5.link == f"{PUBLIC}/cluster/1-openai-releases-gpt-5"
    assert {t.term for t in gpt5.tags} == {"AI", "models"}
    content = gpt5.content[0]
    assert content.type == "text/html"
    assert "OpenAI on Thursday released GPT-5" in content.value
    assert 'href="https://openai.com/index/introducing-gpt-5/"' in content.value
    assert gpt5.updated_parsed < feed.entries[0].updated_parsed


def test_atom_feed_has_the_required_elements(client: TestClient) -> None:
    root = ET.fromstring(client.get("/feed.atom").content)
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published", "link", "content"):
            assert entry.find(f"{ATOM}{name}") is not None, name


def test_hostile_text_is_escaped(client: TestClient) -> None:
    raw = client.get("/feed.atom").text
    assert "<script>" not in raw
    assert "javascript:" not in raw
    feed = atom(client)
    evil = next(e for e in feed.entries if e.id.endswith("/cluster/3"))
    assert evil.title == f"Headline {HOSTILE}"  # text, as text
    assert "&lt;script&gt;" in evil.content[0].value
    assert "<script>" not in evil.content[0].value
    document = client.get("/feed.json").json()
    item = next(i for i in document["items"] if i["id"].endswith("/cluster/3"))
    assert "<script>" not in item["content_html"]
    assert "&lt;script&gt;" in item["content_html"]
    assert "javascript:" not in json.dumps(document)


def test_json_feed_of_all_events(client: TestClient) -> None:
    response = client.get("/feed.json")
    assert response.headers["content-type"] == JSON_TYPE
    document = json.loads(response.content)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == f"{PUBLIC}/feed.json"
    assert document["home_page_url"] == f"{PUBLIC}/"
    assert [i["id"] for i in document["items"]] == [f"{PUBLIC}/cluster/{n}" for n in (5, 3, 2, 1)]
    first = document["items"][0]
    assert first["date_modified"].endswith("Z")
    assert first["_pulseaugur"]["id"] == 5
    assert first["_pulseaugur"]["api_url"] == f"{PUBLIC}/api/v1/events/5"
    parsed = parse_feed(response.content, url=f"{PUBLIC}/feed.json")
    assert [i.url for i in parsed.items][-1] == f"{PUBLIC}/cluster/1-openai-releases-gpt-5"
    assert parsed.items[-1].title == "OpenAI releases GPT-5"


def test_ids_stay_when_an_event_is_updated_or_absorbs_another(
    client: TestClient, storage: Storage
) -> None:
    before = atom(client)
    old = {e.id: e for e in before.entries}
    cluster = storage.get_cluster(1)
    storage.save_cluster(replace(cluster, last_updated=NOW + timedelta(minutes=5)))
    story = storage.get_event(1).story
    assert story is not None
    storage.save_story(replace(story, headline="OpenAI releases GPT-5 to everyone", version=2))
    updated = atom(client)
    assert updated.entries[0].id == f"{PUBLIC}/cluster/1"
    assert updated.entries[0].title == "OpenAI releases GPT-5 to everyone"
    assert updated.entries[0].updated_parsed > old[f"{PUBLIC}/cluster/1"].updated_parsed
    assert {e.id for e in updated.entries} == set(old)
    storage.merge_clusters(2, 1, NOW + timedelta(minutes=6))
    merged = atom(client)
    assert [e.id for e in merged.entries] == [f"{PUBLIC}/cluster/{n}" for n in (1, 5, 3)]


def test_topic_feeds(client: TestClient) -> None:
    feed = atom(client, "/topics/models/feed.atom")
    assert feed.feed.title == "PulseAugur — models"
    assert feed.feed.link == f"{PUBLIC}/topics/models"
    assert [e.id for e in feed.entries] == [f"{PUBLIC}/cluster/5", f"{PUBLIC}/cluster/1"]
    document = client.get("/topics/policy/feed.json").json()
    assert document["title"] == "PulseAugur — policy & regulation"
    assert document["feed_url"] == f"{PUBLIC}/topics/policy/feed.json"
    assert [i["id"] for i in document["items"]] == [f"{PUBLIC}/cluster/2"]
    assert atom(client, "/topics/robotics/feed.atom").entries == []


@pytest.mark.parametrize(
    "path", ["/topics/astrology/feed.atom", "/topics/policy%20%26%20regulation/feed.json"]
)
def test_unknown_topic_is_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_links_follow_the_request_without_public_url(storage: Storage) -> None:
    with TestClient(make_app(storage)) as c:
        feed = atom(c)
    assert feed.entries[0].id == "http://testserver/cluster/5"


@pytest.mark.parametrize("path", ["/feed.atom", "/feed.json", "/topics/models/feed.json"])
def test_conditional_get_and_head(client: TestClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["etag"]
    assert not etag.startswith("W/")
    assert first.headers["last-modified"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == etag
    assert head.headers["content-length"] == str(len(first.content))
