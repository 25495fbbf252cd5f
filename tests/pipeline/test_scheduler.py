"""The scheduler against a real local HTTP server: good, malformed and unreachable sources.

A bad source must produce one clear error naming it, be retried with backoff, and leave
every other source working.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pulseaugur.cluster.online import OnlineClusterer
from pulseaugur.pipeline.pipeline import Pipeline
from pulseaugur.pipeline.scheduler import PollReport, Scheduler
from pulseaugur.sources.http import HttpClient
from pulseaugur.storage import SqlStorage, open_storage
from pulseaugur.summarize import ExtractiveSummarizer

from support import closed_port, make_source, serve_pages, shared_data_dir

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    good = (shared_data_dir() / "feeds/ai-lab-feeds/0xsmw/feed_anthropic_news.xml").read_bytes()
    pages = {
        "/good.xml": (200, "application/rss+xml", good),
        "/broken.xml": (200, "application/rss+xml", b"<html><body>Moved</body></html>"),
        "/gone.xml": (404, "text/plain", b"not here"),
    }
    with serve_pages(pages) as base:
        yield base


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SqlStorage]:
    store = open_storage(f"sqlite:///{tmp_path / 'scheduler.sqlite3'}")
    yield store
    store.close()


def _client() -> HttpClient:
    return HttpClient(user_agent="PulseAugur-test", timeout_s=5, allow_private_addresses=True)


def _scheduler(storage: SqlStorage, clock: list[datetime]) -> Scheduler:
    pipeline = Pipeline(storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: clock[0])
    return Scheduler(storage, _client(), pipeline, clock=lambda: clock[0])


def _poll(scheduler: Scheduler) -> list[PollReport]:
    """One poll of the due sources, in an event loop (and HTTP client) of its own."""

    async def poll() -> list[PollReport]:
        async with _client() as client:
            scheduler.client = client
            return await scheduler.poll_due()

    return asyncio.run(poll())


def test_bad_sources_fail_alone_with_clear_errors(storage: SqlStorage, feed_server: str) -> None:
    sources = [
        make_source("good", url=f"{feed_server}/good.xml", domains=("anthropic.com",)),
        make_source("broken", url=f"{feed_server}/broken.xml", domains=()),
        make_source("gone", url=f"{feed_server}/gone.xml", domains=()),
        make_source("unreachable", url=f"http://127.0.0.1:{closed_port()}/feed", domains=()),
    ]
    storage.sync_sources(sources)
    clock = [NOW]
    scheduler = _scheduler(storage, clock)
    reports = {r.source_id: r for r in _poll(scheduler)}

    assert reports["good"].error is None
    assert reports["good"].items_new > 0
    assert storage.counts().items == reports["good"].items_new
    assert storage.counts().stories > 0
    for bad in ("broken", "gone", "unreachable"):
        error = reports[bad].error
        assert error is not None
        assert "\n" not in error
        url = next(s.url for s in sources if s.id == bad)
        assert url in error, f"the error must name the source's URL: {error}"
        state = storage.get_source_state(bad)
        assert state.consecutive_failures == 1
        assert state.last_error == error
        assert state.next_poll_at == NOW + timedelta(seconds=900)
    assert reports["gone"].status == 404

    # Fifteen minutes later only the good source (unchanged, so a 304) and the failed
    # ones are due; the failures back off twice as long.
    clock[0] = NOW + timedelta(minutes=15)
    again = {r.source_id: r for r in _poll(scheduler)}
    assert again["good"].items_new == 0
    assert storage.get_source_state("broken").consecutive_failures == 2
    assert storage.get_source_state("broken").next_poll_at == clock[0] + timedelta(seconds=1800)


def test_unchanged_feed_answers_304_and_adds_nothing(storage: SqlStorage, feed_server: str) -> None:
    storage.sync_sources([make_source("good", url=f"{feed_server}/good.xml")])
    clock = [NOW]
    scheduler = _scheduler(storage, clock)
    first = _poll(scheduler)
    counts = storage.counts()
    clock[0] = NOW + timedelta(hours=1)
    second = _poll(scheduler)
    assert first[0].status == 200
    assert second[0].status in (200, 304)
    assert storage.counts() == counts


def test_nothing_is_due_before_the_interval(storage: SqlStorage, feed_server: str) -> None:
    storage.sync_sources([make_source("good", url=f"{feed_server}/good.xml")])
    clock = [NOW]
    scheduler = _scheduler(storage, clock)
    assert len(_poll(scheduler)) == 1
    clock[0] = NOW + timedelta(minutes=5)
    assert _poll(scheduler) == []


def test_resume_clusters_items_left_outside_any_event(storage: SqlStorage) -> None:
    from support import make_item

    storage.sync_sources([make_source()])
    storage.add_item(make_item(1))
    storage.add_item(make_item(2, title="Another story entirely", body="Unrelated text."))
    pipeline = Pipeline(storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: NOW)
    assert pipeline.resume(timedelta(days=14)) == 2
    assert storage.items_without_cluster() == []
    assert storage.counts().stories == storage.counts().clusters
    fresh = Pipeline(storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: NOW)
    assert fresh.resume(timedelta(days=14)) == 0


def test_new_events_never_reuse_stored_ids(storage: SqlStorage) -> None:
    from support import make_item

    storage.sync_sources([make_source()])
    storage.add_item(make_item(1))
    long_ago = Pipeline(storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: NOW)
    long_ago.resume(timedelta(days=14))
    (old_id,) = {e.cluster.id for e in storage.list_events().events}
    later = NOW + timedelta(days=365)
    storage.add_item(make_item(2, title="A different event", body="Nothing alike."))
    fresh = Pipeline(storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: later)
    fresh.resume(timedelta(days=14))
    ids = sorted(e.cluster.id for e in storage.list_events(limit=10).events)
    assert ids == [old_id, old_id + 1]


def test_syndicated_copies_are_stored_as_near_duplicates(storage: SqlStorage) -> None:
    from pulseaugur.types import FetchResult

    body = " ".join(f"word{n}" for n in range(80))

    def rss(link: str, extra: str) -> bytes:
        return (
            "<rss version='2.0'><channel><title>t</title><item>"
            f"<title>Wire story</title><link>{link}</link><guid>{link}</guid>"
            f"<description>{body} {extra}</description>"
            "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
        ).encode()

    storage.sync_sources([make_source("wire"), make_source("paper", primary=False)])
    pipeline = Pipeline(storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: NOW)
    first = pipeline.process(
        storage.get_source("wire"),
        FetchResult("https://wire/f", 200, rss("https://wire/a", ""), None, None, None),
    )
    second = pipeline.process(
        storage.get_source("paper"),
        FetchResult("https://paper/f", 200, rss("https://paper/b", "Subscribe."), None, None, None),
    )
    assert (first.near_duplicates, second.near_duplicates) == (0, 1)
    items = [entry.item for event in storage.list_events().events for entry in event.coverage]
    copy = next(i for i in items if i.source_id == "paper")
    original = next(i for i in items if i.source_id == "wire")
    assert copy.near_duplicate_of == original.id


def test_posts_join_the_event_of_the_article_they_link(storage: SqlStorage) -> None:
    from support import make_item

    storage.sync_sources([make_source(), make_source("mastodon-ai", primary=False, tier=3)])
    article = make_item(1, canonical_url="https://openai.com/index/introducing-gpt-5")
    unrelated_words = make_item(
        2,
        source_id="mastodon-ai",
        title="wow, this changes everything for my weekend plans",
        body="wow, this changes everything for my weekend plans",
        linked_url=article.canonical_url,
    )
    storage.add_item(article)
    storage.add_item(unrelated_words)
    pipeline = Pipeline(storage, OnlineClusterer(), ExtractiveSummarizer(), clock=lambda: NOW)
    pipeline.resume(timedelta(days=14))
    (event,) = storage.list_events().events
    assert {e.item.id for e in event.coverage} == {article.id, unrelated_words.id}
    assert event.story is not None
    assert event.story.source_count == 2


def test_a_hacker_news_post_joins_the_article_it_links(storage: SqlStorage) -> None:
    """Two kinds of source through the scheduler: a feed publishes an article, Hacker
    News (Algolia's API) links to it with another title; both land in one event."""
    import json

    article_url = "https://www.anthropic.com/news/claude-opus-4-5"
    feed = (
        "<rss version='2.0'><channel><title>Anthropic</title><item>"
        "<title>Introducing Claude Opus 4.5</title>"
        f"<link>{article_url}</link><guid>{article_url}</guid>"
        "<description>Our newest model is state of the art for coding and agents.</description>"
        "<pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()
    hits = {
        "hits": [
            {
                "objectID": "46037637",
                "title": "Show discussion: a new frontier model from a lab",
                "url": article_url + "?utm_source=hn",
                "author": "pg",
                "points": 812,
                "num_comments": 361,
                "created_at": "2026-11-24T10:00:00.000Z",
                "created_at_i": 1795514400,
                "_tags": ["story", "front_page"],
            }
        ]
    }
    pages = {
        "/anthropic.xml": (200, "application/rss+xml", feed),
        "/hn.json": (200, "application/json", json.dumps(hits).encode()),
    }
    with serve_pages(pages) as base:
        storage.sync_sources(
            [
                make_source("anthropic", url=f"{base}/anthropic.xml", domains=("anthropic.com",)),
                make_source("hn", kind="hackernews", url=f"{base}/hn.json", tier=3, primary=False),
            ]
        )
        reports = _poll(_scheduler(storage, [NOW]))
    assert [r.error for r in reports] == [None, None]
    (event,) = storage.list_events().events
    kinds = {entry.source.kind for entry in event.coverage}
    assert kinds == {"feed", "hackernews"}
    post = next(e.item for e in event.coverage if e.source.kind == "hackernews")
    assert post.linked_url == "https://anthropic.com/news/claude-opus-4-5"
    assert post.raw_json["engagement"] == {"points": 812, "comments": 361}

    from fastapi.testclient import TestClient

    from pulseaugur.web import create_app

    page = TestClient(create_app(storage)).get(event.path).text
    assert "Reaction · 812 points · 361 comments" in page


def test_titles_are_translated_before_storing(storage: SqlStorage) -> None:
    from dataclasses import replace as with_fields

    from pulseaugur.types import FetchResult, Item

    feed = (
        "<rss version='2.0'><channel><title>heise</title><language>de</language><item>"
        "<title>Künstliche Intelligenz: OpenAI veröffentlicht GPT-5</title>"
        "<link>https://www.heise.de/news/gpt-5.html</link>"
        "<description>OpenAI hat am Donnerstag sein neues Sprachmodell GPT-5 vorgestellt, "
        "das schneller und genauer sein soll als seine Vorgänger.</description>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()
    seen: list[str] = []

    def translate(items: Sequence[Item]) -> list[Item]:
        seen.extend(item.title for item in items)
        return [with_fields(i, title_en="AI: OpenAI releases GPT-5") for i in items]

    storage.sync_sources([make_source("heise", languages=("de",), domains=("heise.de",))])
    pipeline = Pipeline(
        storage,
        OnlineClusterer(),
        ExtractiveSummarizer(),
        clock=lambda: NOW,
        translate_titles=translate,
    )
    source = storage.get_source("heise")
    result = FetchResult("https://heise/f", 200, feed, None, None, None)
    pipeline.process(source, result)
    pipeline.process(source, result)
    assert seen == ["Künstliche Intelligenz: OpenAI veröffentlicht GPT-5"], "translated once"
    (event,) = storage.list_events().events
    item = event.coverage[0].item
    assert (item.lang, item.title_en) == ("de", "AI: OpenAI releases GPT-5")
    assert event.cluster.slug.startswith("ai-openai-releases-gpt-5")


def test_mastodon_hashtag_falls_back_to_rss_when_the_api_refuses(storage: SqlStorage) -> None:
    """An instance that refuses anonymous API reads (401) still publishes the tag's RSS."""
    rss = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>#ai</title>"
        b"<link>https://social.example/tags/ai</link><item>"
        b"<guid isPermaLink='true'>https://social.example/@ada/113</guid>"
        b"<link>https://social.example/@ada/113</link>"
        b"<pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate>"
        b"<description>&lt;p&gt;OpenAI released GPT-5 today, and it is fast.&lt;/p&gt;"
        b"</description></item></channel></rss>"
    )
    pages = {
        "/api/v1/timelines/tag/ai?limit=40": (401, "application/json", b'{"error":"auth"}'),
        "/tags/ai.rss": (200, "application/rss+xml", rss),
    }
    with serve_pages(pages) as base:
        url = f"{base}/api/v1/timelines/tag/ai?limit=40"
        storage.sync_sources([make_source("social-ai", kind="mastodon", url=url, tier=3)])
        (report,) = _poll(_scheduler(storage, [NOW]))
    assert report.error is None
    assert report.items_new == 1
    (event,) = storage.list_events().events
    assert event.coverage[0].item.url_original == "https://social.example/@ada/113"


def test_a_slow_server_does_not_hold_back_the_others(storage: SqlStorage) -> None:
    body = (shared_data_dir() / "feeds/ai-lab-feeds/0xsmw/feed_anthropic_news.xml").read_bytes()
    page = (200, "application/rss+xml", body)
    pages = {"/slow.xml": page, "/fast.xml": page}
    with serve_pages(pages, delays={"/slow.xml": 1.5}) as base:
        storage.sync_sources(
            [
                make_source("a-slow", url=f"{base}/slow.xml", domains=()),
                make_source("b-fast", url=f"{base}/fast.xml", domains=()),
            ]
        )
        scheduler = _scheduler(storage, [NOW])

        async def poll() -> list[PollReport]:
            async with _client() as client:
                scheduler.client = client
                return await scheduler.poll_due(in_order=False)

        reports = asyncio.run(poll())
    assert [r.source_id for r in reports] == ["b-fast", "a-slow"]
    assert all(r.error is None for r in reports)
