"""The whole pipeline over real recorded items, served by the replay feed server.

A slice of ../shared/data/replay/ai-news-items.jsonl (the days around the GPT-5 launch)
goes through the real scheduler, HTTP client, parsers, normalizer, deduplicator,
clusterer and summarizer into SQLite, and is then read back through the storage contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pulseaugur.config import Settings, load_settings
from pulseaugur.pipeline.replay import plan_replay
from pulseaugur.pipeline.replay_cli import replay_corpus
from pulseaugur.sources.registry import SourceMatcher, load_registry
from pulseaugur.storage import EventFilter, SqlStorage, open_storage

from support import shared_data_dir

WINDOW = ("2025-08-04", "2025-08-10")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The replay records published in ``WINDOW``, as a corpus of their own."""
    source = shared_data_dir() / "replay" / "ai-news-items.jsonl"
    path = tmp_path_factory.mktemp("corpus") / "slice.jsonl"
    with source.open(encoding="utf-8") as rows, path.open("w", encoding="utf-8") as out:
        for line in rows:
            published = json.loads(line)["published_at"] or ""
            if WINDOW[0] <= published[:10] <= WINDOW[1]:
                out.write(line)
    return path


def _settings(url: str) -> Settings:
    return load_settings(
        environ={},
        overrides={"database_url": url, "allow_private_addresses": True, "log_level": "ERROR"},
    )


@pytest.fixture(scope="module")
def replayed(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStorage]:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'replay.sqlite3'}"
    report = replay_corpus(_settings(url), corpus, quiet=True)
    assert "0 errors" in report
    storage = open_storage(url)
    yield storage
    storage.close()


def test_every_record_arrives_once(corpus: Path, replayed: SqlStorage) -> None:
    records = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    urls = {r["url"] for r in records}
    counts = replayed.counts()
    assert counts.items + counts.duplicates >= len(urls) - 5
    assert counts.items <= len(records)
    assert counts.stories == counts.clusters


def test_gpt5_launch_is_one_event_with_openai_and_outlets(replayed: SqlStorage) -> None:
    page = replayed.list_events(limit=1000, where=EventFilter(min_sources=2))
    launch = [
        event
        for event in page.events
        if any(e.item.title == "Introducing GPT-5" for e in event.coverage)
    ]
    assert len(launch) == 1, "OpenAI's own post must be in exactly one multi-source event"
    event = launch[0]
    outlets = {entry.source.outlet for entry in event.coverage}
    assert "OpenAI" in outlets
    assert outlets & {"TechCrunch", "VentureBeat", "The Verge", "MIT Technology Review"}
    assert event.story is not None
    assert event.coverage[0].source.outlet == "OpenAI", "the original comes first"
    primary = next(e for e in event.coverage if e.item.id == event.story.primary_item_id)
    assert primary.source.primary


def test_collection_items_are_credited_to_the_linked_source(replayed: SqlStorage) -> None:
    (item,) = [
        entry.item
        for event in replayed.list_events(limit=1000).events
        for entry in event.coverage
        if entry.item.title == "Introducing GPT-5"
    ]
    assert item.source_id.startswith("openai")


def test_every_story_has_the_page_fields(replayed: SqlStorage) -> None:
    events = replayed.list_events(limit=1000).events
    assert events
    for event in events:
        story = event.story
        assert story is not None
        assert story.headline
        assert len(story.headline) <= 110
        assert 1 <= len(story.summary) <= 4
        assert story.impact
        assert story.rank_reason
        assert story.tags
        assert 0 <= story.score.total <= 100
        assert story.summarizer == "extractive"
        assert story.primary_item_id in {e.item.id for e in event.coverage}
        assert story.source_count == len({e.source.id for e in event.coverage})
        tiers = [e.source.tier for e in event.coverage if not e.source.primary]
        assert tiers == sorted(tiers), "coverage is ordered by authority"


def test_replaying_again_adds_nothing(corpus: Path, replayed: SqlStorage) -> None:
    before = replayed.counts()
    url = replayed.engine.url.render_as_string(hide_password=False)
    replay_corpus(_settings(url), corpus, quiet=True)
    assert replayed.counts() == before


def test_until_stops_the_clock(corpus: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'until.sqlite3'}"
    replay_corpus(_settings(url), corpus, until=datetime(2025, 8, 6, tzinfo=UTC), quiet=True)
    storage = open_storage(url)
    members = storage.recent_cluster_members(datetime(2000, 1, 1, tzinfo=UTC))
    items = [item for _, item in members]
    assert items
    assert max(i.published_at for i in items) <= datetime(2025, 8, 6, tzinfo=UTC)
    storage.close()


def test_plan_matches_registry_by_domain(corpus: Path) -> None:
    plan = plan_replay(corpus, load_registry(), "http://127.0.0.1:1")
    by_id = {s.id: s for s in plan.sources}
    assert by_id["techcrunch-ai"].outlet == "TechCrunch"
    assert by_id["techcrunch-ai"].url == "http://127.0.0.1:1/feeds/techcrunch-ai"
    assert {feed.fmt for feed in plan.feeds.values()} == {"rss", "atom", "json"}
    matcher = SourceMatcher(load_registry())
    for source_id, feed in plan.feeds.items():
        if source_id.startswith("replay-"):
            assert all(e.url is None or matcher.match(e.url) is None for e in feed.entries)


def test_every_event_page_shows_the_seed_fields(replayed: SqlStorage) -> None:
    from fastapi.testclient import TestClient

    from pulseaugur.web import create_app

    client = TestClient(create_app(replayed))
    events = replayed.list_events(limit=1000).events
    for event in events:
        page = client.get(event.path)
        assert page.status_code == 200, event.path
        html = page.text
        story = event.story
        assert story is not None
        for field in ("PulseAugur", ">EN<", "LIVE", "IMPACT", "RANK_REASON", "Read on "):
            assert field in html, (field, event.path)
        assert "How we write summaries →" in html
        assert f"from {story.source_count} source" in html
        assert "AI-generated summary" not in html
        assert f"COVERAGE</span> [{len(event.coverage)}]" in html
        for entry in event.coverage:
            assert f"TIER_{entry.source.tier}" in html
            assert entry.source.outlet in html.replace("&amp;", "&")
    api = client.get("/api/v1/events", params={"limit": 100}).json()
    assert api["events"]
    assert {"id", "url", "headline", "summary", "impact", "rank_reason", "coverage"} <= set(
        api["events"][0]
    )


def test_replay_publishes_an_edition_for_each_replayed_day(replayed: SqlStorage) -> None:
    editions = replayed.list_briefs(limit=100)
    days = [e.id for e in editions]
    assert days == sorted(days, reverse=True)
    # The slice's items are dated 2025-08-04 to 2025-08-10; editions close at 06:00 UTC
    # and each is published when the simulated clock first passes its close. The 24 hours
    # to 2025-08-10 06:00 hold one item, whose event is under the gate: no edition.
    assert days == ["2025-08-09", "2025-08-08", "2025-08-07", "2025-08-06", "2025-08-05"]
    for edition in editions:
        assert edition.published_at >= edition.window_end
        assert edition.published_at - edition.window_end < timedelta(days=1)
        assert 1 <= len(edition.entries) <= edition.max_events
        assert [e.rank for e in edition.entries] == list(range(1, len(edition.entries) + 1))
        scores = [e.score for e in edition.entries]
        assert scores == sorted(scores, reverse=True)
        assert all(e.score >= edition.min_score for e in edition.entries)
        assert all(e.headline and e.lead for e in edition.entries)
    launch = replayed.get_brief("2025-08-08")  # the 24 hours to 2025-08-08 06:00 UTC
    event_ids = {e.cluster_id for e in launch.entries}
    gpt5 = [
        event
        for event in replayed.list_events(limit=1000, where=EventFilter(min_sources=2)).events
        if any(c.item.title == "Introducing GPT-5" for c in event.coverage)
    ]
    assert gpt5
    assert gpt5[0].cluster.id in event_ids, "the GPT-5 launch is in that day's Brief"


def test_every_story_is_grounded_unique_and_within_limits(replayed: SqlStorage) -> None:
    """The story-quality bar of ``scripts/bench stories``, on the slice: no unsupported
    fact in any headline, summary sentence, IMPACT or RANK_REASON; no two live stories
    with the same headline; headlines of 1-110 characters, summaries of 2-4 sentences."""
    from pulseaugur.summarize.quality import (
        duplicate_headlines,
        limit_problems,
        story_ungrounded,
    )

    events = replayed.list_events(limit=1000).events
    assert len(events) >= 100
    problems: list[str] = []
    for event in events:
        assert event.story is not None
        facts = story_ungrounded(event.story, event.cluster, event.coverage)
        if facts:
            problems.append(f"{event.path}: ungrounded {facts}")
        problems += [f"{event.path}: {p}" for p in limit_problems(event.story)]
    duplicates = duplicate_headlines(e.story for e in events if e.story is not None)
    problems += [f"same headline on {ids}: {h}" for h, ids in duplicates.items()]
    assert not problems, "\n".join(problems[:20])
