"""The queries behind the site, the API and the feeds, on SQLite and PostgreSQL alike:
event filters and orders with cursors, full-text search, topic activity, source health,
the data revision, the backlog and the fetch totals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from pulseaugur.storage import EventFilter, FetchLogEntry, SqlStorage, open_storage
from pulseaugur.storage.base import EventOrder
from pulseaugur.types import Cluster, ScoreParts, SourceState, Story, SummarySentence

from support import T0, make_item, make_source

SOURCES = (
    make_source("openai-news"),
    make_source("hn", kind="hackernews", outlet="Hacker News", section=None, tier=3),
    make_source("masto", kind="mastodon", outlet="Mastodon", section=None, tier=3),
    make_source("36kr", outlet="36Kr", section=None, tier=2, languages=("zh",)),
)


@pytest.fixture
def web(storage: SqlStorage) -> SqlStorage:
    storage.sync_sources(SOURCES)
    return storage


def add_event(
    storage: SqlStorage,
    cluster_id: int,
    *,
    sources: Sequence[str] = ("openai-news",),
    headline: str | None = None,
    summary: str = "A lead sentence.",
    impact: str = "Matters to developers.",
    tags: Sequence[str] = ("models",),
    entities: Sequence[str] = (),
    titles: Sequence[str] = (),
    score: float = 50.0,
    first_seen: datetime | None = None,
    last_updated: datetime | None = None,
    storyline_id: int | None = None,
) -> list[str]:
    """An event with one item per source (``titles`` replace the items' titles) and a
    story; returns the items' ids."""
    item_ids = []
    for n, source_id in enumerate(sources):
        changes: dict[str, object] = {}
        if n < len(titles):
            changes = {"title": titles[n], "title_en": titles[n]}
        item = make_item(cluster_id * 10 + n, source_id=source_id, **changes)
        assert storage.add_item(item).status == "stored"
        item_ids.append(item.id)
    storage.save_cluster(
        Cluster(
            id=cluster_id,
            slug=f"event-{cluster_id}",
            first_seen=first_seen or T0 + timedelta(minutes=cluster_id),
            last_updated=last_updated or T0 + timedelta(hours=1, minutes=cluster_id),
            storyline_id=storyline_id,
            item_count=len(item_ids),
            source_count=len(set(sources)),
        )
    )
    for item_id in item_ids:
        storage.add_membership(cluster_id, item_id, 0.9)
    storage.save_story(
        Story(
            cluster_id=cluster_id,
            headline=headline or f"Headline {cluster_id}",
            summary=(SummarySentence(summary, (item_ids[0],)),),
            impact=impact,
            rank_reason="Because.",
            tags=tuple(tags),
            event_type="launch",
            score=ScoreParts(50, 50, 50, 50, score),
            primary_item_id=item_ids[0],
            summarizer="extractive",
            source_count=len(set(sources)),
            coverage_item_ids=tuple(item_ids),
            entities=tuple(entities),
        )
    )
    return item_ids


def ids(storage: SqlStorage, **kwargs: object) -> list[int]:
    page = storage.list_events(limit=100, **kwargs)  # type: ignore[arg-type]
    assert page.next_cursor is None
    return [event.cluster.id for event in page.events]


def found(storage: SqlStorage, query: str) -> list[int]:
    return [event.cluster.id for event in storage.search_events(query, limit=100).events]


# ---- entities ---------------------------------------------------------------------------


def test_story_entities_round_trip(web: SqlStorage) -> None:
    add_event(web, 1, entities=("OpenAI", "Sam Altman"))
    story = web.get_event(1).story
    assert story is not None
    assert story.entities == ("OpenAI", "Sam Altman")
    (listed,) = web.list_events().events
    assert listed.story == story
    assert listed.story.source_count == 1


# ---- filters ----------------------------------------------------------------------------


def test_each_filter(web: SqlStorage) -> None:
    add_event(web, 1, tags=("models", "open source"), entities=("OpenAI",), score=80)
    add_event(web, 2, sources=("hn", "openai-news"), tags=("policy & regulation",), score=40)
    add_event(web, 3, sources=("masto",), entities=("Meta", "Llama"), storyline_id=7)
    add_event(web, 4, sources=("36kr",), tags=(), last_updated=T0 + timedelta(days=2))
    add_event(web, 5, storyline_id=7, score=70)
    assert ids(web) == [4, 5, 3, 2, 1]
    assert ids(web, where=EventFilter()) == [4, 5, 3, 2, 1]
    assert ids(web, where=EventFilter(since=T0 + timedelta(days=1))) == [4]
    assert ids(web, where=EventFilter(since=T0 + timedelta(hours=1, minutes=3))) == [4, 5, 3]
    assert ids(web, where=EventFilter(topic="models")) == [5, 3, 1]
    assert ids(web, where=EventFilter(topic="Open Source")) == [1]
    assert ids(web, where=EventFilter(topic="policy & regulation")) == [2]
    assert ids(web, where=EventFilter(topic="open")) == []
    assert ids(web, where=EventFilter(entity="openai")) == [1]
    assert ids(web, where=EventFilter(entity="LLAMA")) == [3]
    assert ids(web, where=EventFilter(entity="Sam")) == []
    assert ids(web, where=EventFilter(source_id="hn")) == [2]
    assert ids(web, where=EventFilter(source_id="openai-news")) == [5, 2, 1]
    assert ids(web, where=EventFilter(source_id="nope")) == []
    assert ids(web, where=EventFilter(min_score=70)) == [5, 1]
    assert ids(web, where=EventFilter(min_sources=2)) == [2]
    assert ids(web, where=EventFilter(platforms=("mastodon",))) == [3]
    assert ids(web, where=EventFilter(platforms=("mastodon", "hackernews"))) == [3, 2]
    assert ids(web, where=EventFilter(platforms=("bluesky",))) == []
    assert ids(web, where=EventFilter(storyline_id=7)) == [5, 3]


def test_filters_combine(web: SqlStorage) -> None:
    add_event(web, 1, tags=("models",), entities=("OpenAI",), score=80, storyline_id=1)
    add_event(web, 2, sources=("hn",), tags=("models",), entities=("OpenAI",), score=90)
    add_event(web, 3, tags=("models",), entities=("Google",), score=95, storyline_id=1)
    both = EventFilter(topic="models", entity="OpenAI", min_score=85)
    assert ids(web, where=both) == [2]
    assert ids(web, where=EventFilter(topic="models", storyline_id=1), order="top") == [3, 1]
    assert ids(web, where=EventFilter(entity="openai", source_id="openai-news")) == [1]
    platform = EventFilter(platforms=("hackernews",), topic="models", min_sources=1)
    assert ids(web, where=platform) == [2]


def test_resaving_a_story_replaces_its_tags_and_entities(web: SqlStorage) -> None:
    add_event(web, 1, tags=("models",), entities=("OpenAI",))
    story = web.get_event(1).story
    assert story is not None
    from dataclasses import replace

    web.save_story(replace(story, tags=("chips",), entities=("Nvidia", "NVIDIA")))
    assert ids(web, where=EventFilter(topic="models")) == []
    assert ids(web, where=EventFilter(entity="OpenAI")) == []
    assert ids(web, where=EventFilter(topic="chips")) == [1]
    assert ids(web, where=EventFilter(entity="nvidia")) == [1]


def test_merged_events_are_never_listed_or_found(web: SqlStorage) -> None:
    add_event(web, 1, tags=("models",), entities=("OpenAI",), headline="Orion launches")
    add_event(web, 2, tags=("models",), entities=("OpenAI",), headline="Orion launch date")
    web.merge_clusters(2, 1, T0 + timedelta(hours=3))
    for where in (
        EventFilter(topic="models"),
        EventFilter(entity="openai"),
        EventFilter(source_id="openai-news"),
        EventFilter(platforms=("feed",)),
    ):
        for order in ("newest", "top", "timeline"):
            assert ids(web, where=where, order=order) == [1]
    assert found(web, "orion") == [1]
    with web.engine.connect() as conn:
        terms = conn.execute(sa.text("SELECT count(*) FROM story_terms WHERE cluster_id = 2"))
        assert terms.scalar_one() == 0


# ---- orders and cursors -----------------------------------------------------------------


def page_through(
    storage: SqlStorage, order: EventOrder, limit: int, where: EventFilter | None = None
) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = storage.list_events(limit=limit, cursor=cursor, order=order, where=where)
        assert len(page.events) <= limit
        seen.extend(event.cluster.id for event in page.events)
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.mark.parametrize("order", ["newest", "top", "timeline"])
@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_cursors_page_through_every_order_once(
    web: SqlStorage, order: EventOrder, limit: int
) -> None:
    # Ties on every key: equal scores, equal first-seen and last-updated times.
    for n in range(1, 10):
        add_event(
            web,
            n,
            score=float(n % 3),
            first_seen=T0 + timedelta(minutes=n // 4),
            last_updated=T0 + timedelta(hours=1, minutes=n // 3),
            tags=("models",) if n % 2 else ("chips",),
        )
    expected = {
        "newest": sorted(range(1, 10), key=lambda n: (-(n // 3), -n)),
        "top": sorted(range(1, 10), key=lambda n: (-(n % 3), -n)),
        "timeline": sorted(range(1, 10), key=lambda n: (n // 4, n)),
    }[order]
    assert page_through(web, order, limit) == expected
    odd = [n for n in expected if n % 2]
    assert page_through(web, order, limit, EventFilter(topic="models")) == odd


def test_timeline_orders_a_storyline_earliest_first(web: SqlStorage) -> None:
    add_event(web, 1, storyline_id=3, first_seen=T0 + timedelta(hours=5))
    add_event(web, 2, storyline_id=3, first_seen=T0 + timedelta(hours=1))
    add_event(web, 3, first_seen=T0)
    add_event(web, 4, storyline_id=3, first_seen=T0 + timedelta(hours=2))
    assert ids(web, order="timeline", where=EventFilter(storyline_id=3)) == [2, 4, 1]


def test_cursors_refuse_tampering(web: SqlStorage) -> None:
    import base64
    import json

    for n in range(1, 5):
        add_event(web, n)
    for order in ("newest", "top", "timeline"):
        cursor = web.list_events(limit=1, order=order).next_cursor  # type: ignore[arg-type]
        assert cursor is not None
        other = "top" if order != "top" else "newest"
        with pytest.raises(ValueError, match="cursor"):
            web.list_events(cursor=cursor, order=other)  # type: ignore[arg-type]
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body, check = json.loads(raw)
        forged_body = body[:-1] + "0]"
        forged = base64.urlsafe_b64encode(json.dumps([forged_body, check]).encode()).decode()
        with pytest.raises(ValueError, match="cursor"):
            web.list_events(cursor=forged, order=order)  # type: ignore[arg-type]
    for bad in ("garbage!", "", "e30", "W10", base64.urlsafe_b64encode(b"[1,2]").decode()):
        with pytest.raises(ValueError, match="cursor"):
            web.list_events(cursor=bad)
        with pytest.raises(ValueError, match="cursor"):
            web.search_events("headline", cursor=bad)
    with pytest.raises(ValueError, match="limit"):
        web.list_events(limit=0)


# ---- search -----------------------------------------------------------------------------


def test_search_covers_every_indexed_field(web: SqlStorage) -> None:
    add_event(web, 1, headline="Zephyr model released")
    add_event(web, 2, summary="The quokka benchmark improved.")
    add_event(web, 3, impact="Developers of Wombat apps must migrate.")
    add_event(web, 4, tags=("robotics",))
    add_event(web, 5, entities=("Anthropic",))
    add_event(web, 6, titles=("Narwhal 3 ships today",))
    add_event(web, 7, sources=("hn", "openai-news"), titles=("Ignored", "Platypus returns"))
    assert found(web, "zephyr") == [1]
    assert found(web, "quokka") == [2]
    assert found(web, "WOMBAT") == [3]
    assert found(web, "robotics") == [4]
    assert found(web, "anthropic") == [5]
    assert found(web, "narwhal") == [6]
    assert found(web, "platypus") == [7]
    assert sorted(found(web, "headline")) == [2, 3, 4, 5, 6, 7]
    assert found(web, "unheard-of") == []


def test_search_indexes_title_en(web: SqlStorage) -> None:
    item = make_item(
        1, source_id="36kr", title="阿里发布通义千问三", title_en="Alibaba ships Qwen 3"
    )
    web.add_item(item)
    web.save_cluster(Cluster(id=1, slug="qwen", first_seen=T0, last_updated=T0))
    web.add_membership(1, item.id, 1.0)
    web.save_story(
        Story(
            cluster_id=1,
            headline="Alibaba releases Qwen 3",
            summary=(),
            impact="",
            rank_reason="",
            tags=(),
            event_type="launch",
            score=ScoreParts(1, 1, 1, 1, 1),
            primary_item_id=item.id,
            summarizer="extractive",
            source_count=1,
            coverage_item_ids=(item.id,),
        )
    )
    assert found(web, "ships") == [1]
    assert found(web, "通义千问") == [1]
    assert found(web, "千问") == [1]
    assert found(web, "问") == [1]
    assert found(web, "问通") == []


def test_search_chinese_text(web: SqlStorage) -> None:
    add_event(web, 1, sources=("36kr",), titles=("百度发布文心大模型4.5",), headline="Baidu")
    add_event(web, 2, sources=("36kr",), titles=("字节跳动推出豆包视频模型",), headline="Doubao")
    add_event(web, 3, headline="An English event about models")
    assert found(web, "大模型") == [1]
    assert sorted(found(web, "模型")) == [1, 2]
    assert found(web, "豆包 视频") == [2]
    assert found(web, "文心") == [1]
    assert found(web, "百度 豆包") == []
    assert found(web, "“文心”！") == [1]


def test_search_ranks_best_match_first(web: SqlStorage) -> None:
    add_event(web, 1, summary="Mentions Gemini once, in passing.", headline="Cloud prices")
    add_event(web, 2, headline="Gemini 3 launches", summary="Gemini 3 is Google's model.")
    add_event(web, 3, headline="Unrelated", summary="Nothing here.")
    add_event(web, 4, tags=("gemini",), headline="Tagged event")
    assert found(web, "gemini")[0] == 2
    assert set(found(web, "gemini")) == {1, 2, 4}
    # Every word must match.
    assert found(web, "gemini launches") == [2]
    # English words are stemmed on both engines.
    assert found(web, "launch") == [2]


def test_search_ties_are_ordered_by_id(web: SqlStorage) -> None:
    for n in range(1, 5):
        add_event(web, n, headline="Same words", summary="Same text.")
    assert found(web, "same words") == [4, 3, 2, 1]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR(",
        "a OR",
        "OR",
        "AND NOT",
        "-x",
        ":",
        "headline:",
        "col:foo",
        "^start",
        "foo*",
        "(",
        ")",
        "'",
        "\\",
        "%_",
        "a & b | !c",
        "<->",
        "' OR 1=1 --",
        '"unterminated',
        "NEAR(a b, 2)",
        "\x00",
        "",
        "   ",
        "x" * 5000,
        "word " * 2000,
        "🙂",
    ],
)
def test_search_never_fails_on_hostile_queries(web: SqlStorage, query: str) -> None:
    add_event(web, 1, headline="Or near a foo x")
    page = web.search_events(query)
    assert page.next_cursor is None
    assert all(event.cluster.id == 1 for event in page.events)


def test_search_operators_are_words(web: SqlStorage) -> None:
    add_event(web, 1, headline="Bees and wasps")
    add_event(web, 2, headline="Bees, not wasps: hornets")
    assert found(web, "bees OR hornets") == []
    assert found(web, "bees not hornets") == [2]
    assert found(web, "bees and") == [1]
    assert sorted(found(web, "bees -wasps")) == [1, 2]
    assert found(web, "hornets*") == [2]
    assert found(web, '"hornets"') == [2]
    assert found(web, "headline:hornets") == []
    assert found(web, "NEAR(hornets)") == []
    assert found(web, "") == []
    assert found(web, "*") == []


def test_search_cursor_pages_without_gaps(web: SqlStorage) -> None:
    for n in range(1, 12):
        add_event(web, n, headline="Common " + "common " * (n % 4), summary="Filler.")
    everything = found(web, "common")
    assert sorted(everything) == list(range(1, 12))
    seen: list[int] = []
    cursor = None
    while True:
        page = web.search_events("common", limit=3, cursor=cursor)
        seen.extend(event.cluster.id for event in page.events)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything
    first = web.search_events("common", limit=3).next_cursor
    assert first is not None
    with pytest.raises(ValueError, match="cursor"):
        web.search_events("other words", cursor=first)
    with pytest.raises(ValueError, match="cursor"):
        web.list_events(cursor=first)
    assert web.search_events("COMMON", limit=3, cursor=first).events


def test_search_sees_items_and_stories_as_last_saved(web: SqlStorage) -> None:
    add_event(web, 1, headline="Before")
    story = web.get_event(1).story
    assert story is not None
    from dataclasses import replace

    web.save_story(replace(story, headline="After"))
    assert found(web, "before") == []
    assert found(web, "after") == [1]


# ---- topic activity, sources, backlog, fetch totals ---------------------------------------


def test_topic_activity(web: SqlStorage) -> None:
    add_event(web, 1, tags=("models", "chips"), first_seen=T0 + timedelta(hours=2))
    add_event(web, 2, tags=(), first_seen=T0 + timedelta(hours=1))
    add_event(web, 3, first_seen=T0 - timedelta(days=1))
    add_event(web, 4, first_seen=T0 + timedelta(hours=3))
    web.merge_clusters(4, 1, T0 + timedelta(hours=4))
    web.save_cluster(Cluster(id=5, slug="no-story", first_seen=T0, last_updated=T0))
    activity = web.topic_activity(T0)
    assert [(a.cluster_id, a.tags) for a in activity] == [(2, ()), (1, ("models", "chips"))]
    assert activity[0].first_seen == T0 + timedelta(hours=1)
    assert activity[0].first_seen.tzinfo is not None


def test_source_health(web: SqlStorage) -> None:
    add_event(web, 1, sources=("openai-news", "hn"))
    add_event(web, 2, sources=("openai-news",))
    web.add_item(make_item(99, source_id="openai-news", published_at=T0 + timedelta(days=3)))
    state = SourceState("hn", last_ok_at=T0, consecutive_failures=1, next_poll_at=T0)
    web.save_source_state(state)
    web.remove_source("masto", T0)
    health = web.source_health()
    assert [h.source.id for h in health] == ["openai-news", "36kr", "hn"]
    by_id = {h.source.id: h for h in health}
    assert by_id["openai-news"].source == SOURCES[0]
    assert by_id["openai-news"].items == 3
    assert by_id["openai-news"].last_item_at == T0 + timedelta(days=3)
    assert by_id["openai-news"].state is None
    assert by_id["hn"].items == 1
    assert by_id["hn"].state == state
    assert by_id["36kr"].items == 0
    assert by_id["36kr"].last_item_at is None
    last = by_id["hn"].last_item_at
    assert last is not None
    assert last.tzinfo is not None


def test_backlog(web: SqlStorage) -> None:
    now = T0 + timedelta(hours=2)
    empty = web.backlog(now)
    assert (empty.unclustered_items, empty.oldest_unclustered_s) == (0, 0.0)
    assert (empty.overdue_sources, empty.poll_lag_s) == (0, 0.0)
    add_event(web, 1)
    old, new = make_item(50), make_item(51)
    web.add_item(old)
    web.add_item(new)
    web.save_source_state(SourceState("hn", next_poll_at=now - timedelta(minutes=10)))
    web.save_source_state(SourceState("masto", next_poll_at=now - timedelta(minutes=1)))
    web.save_source_state(SourceState("openai-news", next_poll_at=now + timedelta(minutes=5)))
    web.save_source_state(
        SourceState("36kr", next_poll_at=now - timedelta(days=9), paused_reason="failing")
    )
    backlog = web.backlog(now)
    assert backlog.unclustered_items == 2
    assert backlog.oldest_unclustered_s == (now - old.fetched_at).total_seconds()
    assert backlog.overdue_sources == 2
    assert backlog.poll_lag_s == 600.0
    web.set_source_enabled("hn", False)
    assert web.backlog(now).overdue_sources == 1


def test_fetch_totals(web: SqlStorage) -> None:
    assert web.fetch_totals().fetches == 0

    def log(status: int | None, new: int, error: str | None = None) -> None:
        web.log_fetch(FetchLogEntry("hn", "https://x/feed", T0, 5, status, new, new, error))

    log(200, 3)
    log(304, 0)
    log(204, 0)
    log(500, 0)
    log(404, 0)
    log(None, 0, "timed out")
    log(200, 2, "parse error")
    totals = web.fetch_totals()
    assert (totals.fetches, totals.errors, totals.items_new) == (7, 4, 5)


# ---- the data revision ------------------------------------------------------------------


def test_revision_grows_on_every_write_a_page_shows(web: SqlStorage) -> None:
    from dataclasses import replace

    from pulseaugur.types import BriefEdition

    def grows(write: Callable[[], object]) -> None:
        before = web.revision()
        write()
        assert web.revision() > before, write

    def same(action: Callable[[], object]) -> None:
        before = web.revision()
        action()
        assert web.revision() == before, action

    assert web.revision() >= 1
    item_ids = add_event(web, 1)
    add_event(web, 2)
    item = make_item(77)
    grows(lambda: web.add_item(item))
    same(lambda: web.add_item(item))
    cluster = web.get_cluster(1)
    grows(lambda: web.save_cluster(replace(cluster, last_updated=T0 + timedelta(days=1))))
    grows(lambda: web.add_membership(1, item.id, 0.5))
    same(lambda: web.add_membership(1, item.id, 0.5))
    story = web.get_event(1).story
    assert story is not None
    grows(lambda: web.save_story(replace(story, headline="Changed")))
    grows(lambda: web.merge_clusters(2, 1, T0 + timedelta(days=2)))
    same(lambda: web.merge_clusters(2, 1, T0 + timedelta(days=2)))
    web.save_cluster(replace(cluster, storyline_id=1))
    grows(lambda: web.merge_storylines(1, 2))
    edition = BriefEdition(
        id="2025-08-08",
        window_start=T0,
        window_end=T0 + timedelta(days=1),
        published_at=T0 + timedelta(days=1),
        min_score=0,
        min_sources=1,
        max_events=5,
        entries=(),
    )
    grows(lambda: web.save_brief(edition))
    same(lambda: web.save_brief(edition))
    grows(lambda: web.sync_sources([replace(SOURCES[1], tier=2)]))
    grows(lambda: web.seed_sources([make_source("new-one")]))
    grows(lambda: web.set_source_enabled("hn", False))
    grows(lambda: web.remove_source("masto", T0))
    grows(lambda: web.save_source_state(SourceState("hn", consecutive_failures=3)))
    grows(lambda: web.log_fetch(FetchLogEntry("hn", "u", T0, 1, 200, 0, 0, None)))
    for read in (
        web.revision,
        web.list_events,
        lambda: web.search_events("changed"),
        lambda: web.get_event(1),
        web.source_health,
        web.fetch_totals,
        lambda: web.backlog(T0),
        lambda: web.topic_activity(T0),
        web.counts,
        web.get_sources,
    ):
        same(read)
    assert item_ids


def test_revision_is_shared_by_every_connection(web: SqlStorage) -> None:
    url = web.engine.url.render_as_string(hide_password=False)
    other = open_storage(url)
    try:
        before = other.revision()
        add_event(web, 1)
        assert other.revision() > before
        assert other.revision() == web.revision()
    finally:
        other.close()


# ---- migration 0010 on a database with data --------------------------------------------


def test_migration_indexes_existing_stories(tmp_path: Path) -> None:
    """Stories stored before 0010 are found by topic and by search after it."""
    from alembic import command
    from alembic.config import Config

    from pulseaugur.storage.engine import MIGRATIONS_DIR, create_engine

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0009")
    item = make_item(1, title="Kestrel robot walks", title_en="Kestrel robot walks")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sources (id, kind, url, name, outlet, tier, languages,"
                " poll_interval_s, domains, enabled, is_primary) VALUES ('openai-news', 'feed',"
                " 'https://x', 'X', 'X', 1, '[]', 600, '[]', 1, 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO items (id, source_id, title, title_en, body, excerpt, authors, lang,"
                " published_at, fetched_at, content_hash, raw_json) VALUES (:id, 'openai-news',"
                " :title, :title, '', '', '[]', 'en', '2025-08-07 17:00:00',"
                " '2025-08-07 17:00:00', 'h1', '{}')"
            ),
            {"id": item.id, "title": item.title},
        )
        conn.execute(
            sa.text(
                "INSERT INTO clusters (id, slug, first_seen, last_updated, state, item_count,"
                " source_count) VALUES (1, 'kestrel', '2025-08-07 17:00:00',"
                " '2025-08-07 17:00:00', 'open', 1, 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO cluster_members (item_id, cluster_id, similarity, position)"
                " VALUES (:id, 1, 1.0, 0)"
            ),
            {"id": item.id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO stories (cluster_id, headline, summary, impact, rank_reason, tags,"
                " event_type, score, score_authority, score_cluster_strength,"
                " score_headline_signal, score_time_decay, primary_item_id, summarizer,"
                " source_count, coverage_item_ids, version) VALUES (1, 'A robot', '[]', '',"
                " '', '[\"Robotics\"]', 'launch', 5, 1, 1, 1, 1, :id, 'extractive', 1, '[]', 1)"
            ),
            {"id": item.id},
        )
    engine.dispose()
    storage = open_storage(url)
    try:
        assert storage.revision() == 1
        assert ids(storage, where=EventFilter(topic="robotics")) == [1]
        assert found(storage, "kestrel") == [1]
        story = storage.get_event(1).story
        assert story is not None
        assert story.entities == ()
    finally:
        storage.close()
