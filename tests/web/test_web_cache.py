"""The render cache: hits skip the handlers and the database, validators and 304s,
languages, what is never cached, bounds, and freshness after a change."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import cast

import pytest
from api_support import ADMIN_TOKEN, CountingStorage, make_app
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_seed import NOW

from pulseaugur.storage.base import Storage
from pulseaugur.web.http_cache import HttpCache

EVENT = "/cluster/1-openai-releases-gpt-5"


@pytest.fixture
def counted(storage: Storage) -> CountingStorage:
    return CountingStorage(storage)


@pytest.fixture
def app(counted: CountingStorage) -> FastAPI:
    return make_app(cast(Storage, counted), revision_ttl_s=60)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def cache_of(client: TestClient) -> HttpCache:
    cache: HttpCache = client.app.state.http_cache  # type: ignore[attr-defined]
    return cache


@pytest.mark.parametrize("path", [EVENT, "/", "/api/v1/events?limit=2", "/feed.atom"])
def test_a_hit_reads_nothing_but_is_the_same_answer(
    client: TestClient, counted: CountingStorage, path: str
) -> None:
    first = client.get(path)
    assert first.status_code == 200
    reads = counted.reads()
    assert reads > 0
    for _ in range(5):
        again = client.get(path)
        assert again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["last-modified"] == first.headers["last-modified"]
    assert counted.reads() == reads
    assert counted.calls["revision"] == 1  # read once: the ttl is long here
    assert cache_of(client).hits == 5


def test_validators_answer_304_with_the_security_headers(client: TestClient) -> None:
    first = client.get(EVENT)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": first.headers["last-modified"]},
    ):
        response = client.get(EVENT, headers=headers)
        assert response.status_code == 304, headers
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["vary"] == "Cookie, Accept-Language"
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get(EVENT, headers={"If-None-Match": '"nope"'}).status_code == 200
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get(EVENT, headers={"If-Modified-Since": old}).status_code == 200


def test_the_first_request_can_be_conditional_too(client: TestClient) -> None:
    etag = client.get("/api/v1/events").headers["etag"]
    cache_of(client).entries.clear()
    response = client.get("/api/v1/events", headers={"If-None-Match": etag})
    assert response.status_code == 304


def test_hits_carry_the_security_headers_and_vary_for_pages(client: TestClient) -> None:
    client.get(EVENT)
    hit = client.get(EVENT)
    assert "script-src 'self'" in hit.headers["content-security-policy"]
    assert hit.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert hit.headers["vary"] == "Cookie, Accept-Language"
    assert hit.headers["cache-control"] == "no-cache"
    api = client.get("/api/v1/events")
    assert "vary" not in api.headers
    assert api.headers["content-type"] == "application/json"


def test_languages_are_cached_apart(client: TestClient) -> None:
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    chinese = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    by_cookie = client.get("/", headers={"Cookie": "lang=zh"})
    assert english.headers["content-language"] == "en"
    assert chinese.headers["content-language"] == "zh-Hans"
    assert by_cookie.content == chinese.content
    assert english.headers["etag"] != chinese.headers["etag"]
    assert cache_of(client).hits == 1


def test_head_is_served_from_the_cache(client: TestClient) -> None:
    body = client.get(EVENT).content
    head = client.head(EVENT)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(body))
    assert cache_of(client).hits == 1


def test_a_change_is_shown_once_the_revision_moves(
    storage: Storage, counted: CountingStorage
) -> None:
    with TestClient(make_app(cast(Storage, counted), revision_ttl_s=0.2)) as client:
        first = client.get("/api/v1/events/1").json()
        story = storage.get_event(1).story
        assert story is not None
        storage.save_story(replace(story, headline="Changed", version=2))
        time.sleep(0.25)
        assert client.get("/api/v1/events/1").json()["headline"] == "Changed"
        assert first["headline"] != "Changed"


def test_the_revision_is_read_at_most_every_ttl(counted: CountingStorage) -> None:
    with TestClient(make_app(cast(Storage, counted), revision_ttl_s=0.25)) as client:
        started = time.monotonic()
        for _ in range(40):
            client.get("/api/v1/events?limit=1")
        elapsed = time.monotonic() - started
    assert counted.calls["revision"] <= 2 + elapsed / 0.25


def test_an_unchanged_body_keeps_its_last_modified(storage: Storage, client: TestClient) -> None:
    first = client.get("/api/v1/events/1")
    storage.save_source_state(replace(storage.get_source_state("scmp-tech"), etag='"x"'))
    cache_of(client).invalidate()
    again = client.get("/api/v1/events/1")
    assert cache_of(client).misses == 2
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["last-modified"] == first.headers["last-modified"]


def test_own_writes_show_at_once(storage: Storage) -> None:
    with TestClient(make_app(storage, admin_token=ADMIN_TOKEN, revision_ttl_s=60)) as client:
        assert client.get("/api/v1/sources").status_code == 200
        response = client.patch(
            "/api/v1/sources/scmp-tech",
            json={"tier": 1},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert response.status_code == 200
        listed = {s["id"]: s for s in client.get("/api/v1/sources").json()["sources"]}
        assert listed["scmp-tech"]["tier"] == 1


@pytest.mark.parametrize(
    "path", ["/healthz", "/metrics", "/lang/zh?next=/", "/api/v1/events/999", "/cluster/1"]
)
def test_not_cached(client: TestClient, path: str) -> None:
    client.get(path)
    client.get(path)
    assert cache_of(client).hits == 0
    assert not cache_of(client).entries


def test_set_cookie_and_no_store_answers_are_not_cached(client: TestClient) -> None:
    response = client.get("/lang/zh", params={"next": "/"})
    assert "set-cookie" in response.headers
    assert not cache_of(client).entries


def test_the_cache_is_bounded(storage: Storage) -> None:
    with TestClient(make_app(storage, revision_ttl_s=60)) as client:
        cache = cache_of(client)
        cache.max_entries = 3
        for n in range(1, 11):
            assert client.get(f"/api/v1/events?limit={n}").status_code == 200
        assert len(cache.entries) == 3
        cache.max_bytes = cache.size // 2
        client.get("/api/v1/events?limit=11")
        assert cache.size <= cache.max_bytes
        assert sum(len(e.body) for e in cache.entries.values()) == cache.size
        cache.max_body = 10
        response = client.get("/api/v1/events?limit=12")
        assert response.status_code == 200
        assert response.json()["events"]
        assert ("/api/v1/events", b"limit=12", "en") not in cache.entries


def test_without_a_revision_the_cache_stands_aside(storage: Storage) -> None:
    class NoRevision(CountingStorage):
        def revision(self) -> int:
            raise RuntimeError("no revision")

    counted = NoRevision(storage)
    with TestClient(make_app(cast(Storage, counted))) as client:
        assert client.get(EVENT).status_code == 200
        reads = counted.reads()
        assert client.get(EVENT).status_code == 200
        assert counted.reads() > reads
        assert not cache_of(client).entries


def test_later_changes_never_serve_a_stale_page(storage: Storage) -> None:
    with TestClient(make_app(storage)) as client:  # the revision is read every time
        before = client.get("/").text
        storage.save_cluster(
            replace(storage.get_cluster(2), last_updated=NOW + timedelta(minutes=1))
        )
        after = client.get("/").text
        assert after != before
