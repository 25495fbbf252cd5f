"""The storage contract (pulseaugur.storage.base), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pulseaugur.errors import NotFoundError, StorageError
from pulseaugur.storage import EventFilter, SqlStorage, open_storage
from pulseaugur.storage.schema import include_name, metadata
from pulseaugur.types import Cluster, ScoreParts, SourceState, Story, SummarySentence

from support import T0, make_item, make_source


def _cluster(cluster_id: int, **changes: object) -> Cluster:
    base = Cluster(
        id=cluster_id,
        slug=f"event-{cluster_id}",
        first_seen=T0,
        last_updated=T0 + timedelta(minutes=cluster_id),
        item_count=1,
        source_count=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _story(cluster_id: int, item_id: str, score: float = 50.0) -> Story:
    return Story(
        cluster_id=cluster_id,
        headline=f"Headline {cluster_id}",
        summary=(SummarySentence("OpenAI released GPT-5.", (item_id,)),),
        impact="Matters to developers.",
        rank_reason="A launch covered by one source.",
        tags=("models",),
        event_type="launch",
        score=ScoreParts(60, 40, 70, 90, score),
        primary_item_id=item_id,
        summarizer="extractive",
        source_count=1,
        coverage_item_ids=(item_id,),
    )


def _event(storage: SqlStorage, cluster_id: int, score: float = 50.0) -> str:
    item = make_item(cluster_id)
    storage.add_item(item)
    storage.save_cluster(_cluster(cluster_id))
    storage.add_membership(cluster_id, item.id, 0.9)
    storage.save_story(_story(cluster_id, item.id, score))
    return item.id


@pytest.fixture
def with_sources(storage: SqlStorage) -> SqlStorage:
    storage.sync_sources(
        [
            make_source(),
            make_source("techcrunch", outlet="TechCrunch", section="AI", tier=2, primary=False),
        ]
    )
    return storage


def test_migrated_schema_matches_metadata(storage: SqlStorage) -> None:
    with storage.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_open_twice_is_harmless(storage: SqlStorage) -> None:
    url = storage.engine.url.render_as_string(hide_password=False)
    again = open_storage(url)
    assert again.counts().items == 0
    again.close()


def test_sources_round_trip_and_update(storage: SqlStorage) -> None:
    source = make_source(languages=("en", "zh"), domains=("openai.com", "help.openai.com"))
    storage.sync_sources([source])
    assert storage.get_source(source.id) == source
    storage.sync_sources([replace(source, tier=2, enabled=False)])
    assert storage.get_source(source.id).tier == 2
    assert storage.get_sources(enabled_only=True) == []
    assert len(storage.get_sources()) == 1
    with pytest.raises(NotFoundError):
        storage.get_source("nope")


def test_source_state_defaults_and_round_trip(with_sources: SqlStorage) -> None:
    empty = with_sources.get_source_state("techcrunch")
    assert empty == SourceState("techcrunch")
    state = SourceState(
        "techcrunch",
        etag='"abc"',
        last_modified="Thu, 07 Aug 2025 17:00:00 GMT",
        last_ok_at=T0,
        last_error="timed out",
        last_error_at=T0 + timedelta(hours=1),
        consecutive_failures=2,
        next_poll_at=T0 + timedelta(hours=2),
    )
    with_sources.save_source_state(state)
    with_sources.save_source_state(state)
    got = with_sources.get_source_state("techcrunch")
    assert got == state
    assert got.last_ok_at is not None
    assert got.last_ok_at.tzinfo is not None


def test_item_round_trip_keeps_utc(with_sources: SqlStorage) -> None:
    item = make_item(1, published_at=datetime(2025, 8, 7, 19, 0, tzinfo=timedelta_tz(2)))
    assert with_sources.add_item(item).status == "stored"
    (got,) = with_sources.get_items([item.id])
    assert got.published_at == datetime(2025, 8, 7, 17, 0, tzinfo=UTC)
    assert got.published_at.utcoffset() == timedelta(0)
    assert got.authors == item.authors
    assert dict(got.raw_json) == dict(item.raw_json)


def timedelta_tz(hours: int) -> object:
    from datetime import timezone

    return timezone(timedelta(hours=hours))


def test_adding_the_same_item_twice_adds_nothing(with_sources: SqlStorage) -> None:
    item = make_item(1)
    assert with_sources.add_item(item).status == "stored"
    assert with_sources.add_item(item).status == "existing"
    assert with_sources.counts().items == 1
    assert with_sources.counts().duplicates == 0


def test_same_canonical_url_is_recorded_as_duplicate(with_sources: SqlStorage) -> None:
    first = make_item(1)
    copy = make_item(2, source_id="techcrunch", canonical_url=first.canonical_url)
    with_sources.add_item(first)
    outcome = with_sources.add_item(copy)
    assert outcome.status == "duplicate"
    assert outcome.duplicate_of == first.id
    assert outcome.reason == "canonical_url"
    again = with_sources.add_item(copy)
    assert again == outcome
    counts = with_sources.counts()
    assert (counts.items, counts.duplicates) == (1, 1)


def test_same_content_is_recorded_as_duplicate(with_sources: SqlStorage) -> None:
    first = make_item(1)
    copy = make_item(2, source_id="techcrunch", content_hash=first.content_hash)
    with_sources.add_item(first)
    outcome = with_sources.add_item(copy)
    assert (outcome.status, outcome.reason) == ("duplicate", "content_hash")
    assert with_sources.get_items([copy.id]) == []


def test_get_items_keeps_order_and_skips_unknown(with_sources: SqlStorage) -> None:
    items = [make_item(n) for n in range(3)]
    for item in items:
        with_sources.add_item(item)
    ids = [items[2].id, "missing", items[0].id]
    assert [i.id for i in with_sources.get_items(ids)] == [items[2].id, items[0].id]
    assert with_sources.get_items([]) == []


def test_item_needs_a_known_source(storage: SqlStorage) -> None:
    with pytest.raises(StorageError):
        storage.add_item(make_item(1, source_id="unknown"))


def test_naive_datetimes_are_refused(with_sources: SqlStorage) -> None:
    with pytest.raises((StorageError, ValueError, sa.exc.StatementError)):
        with_sources.add_item(make_item(1, published_at=datetime(2025, 1, 1)))


def test_clusters_and_membership(with_sources: SqlStorage) -> None:
    assert with_sources.max_cluster_id() == 0
    a, b = make_item(1), make_item(2, source_id="techcrunch")
    with_sources.add_item(a)
    with_sources.add_item(b)
    with_sources.save_cluster(_cluster(7))
    assert with_sources.add_membership(7, a.id, 1.0)
    assert with_sources.add_membership(7, b.id, 0.5)
    assert not with_sources.add_membership(7, b.id, 0.5)
    with_sources.save_cluster(_cluster(7, item_count=2, source_count=2))
    assert with_sources.max_cluster_id() == 7
    assert with_sources.get_cluster(7).source_count == 2
    coverage = with_sources.cluster_coverage(7)
    assert [e.item.id for e in coverage] == [a.id, b.id]
    assert coverage[1].source.outlet == "TechCrunch"
    members = with_sources.recent_cluster_members(T0)
    assert [(c, i.id) for c, i in members] == [(7, a.id), (7, b.id)]
    assert with_sources.recent_cluster_members(T0 + timedelta(days=1)) == []
    with pytest.raises(NotFoundError):
        with_sources.get_cluster(99)


def test_an_item_belongs_to_one_cluster(with_sources: SqlStorage) -> None:
    item = make_item(1)
    with_sources.add_item(item)
    with_sources.save_cluster(_cluster(1))
    with_sources.save_cluster(_cluster(2))
    assert with_sources.add_membership(1, item.id, 1.0)
    assert not with_sources.add_membership(2, item.id, 1.0)
    assert with_sources.cluster_coverage(2) == []


def test_story_round_trip_and_replace(with_sources: SqlStorage) -> None:
    item_id = _event(with_sources, 1)
    event = with_sources.get_event(1)
    assert event.story == _story(1, item_id)
    assert event.path == "/cluster/1-event-1"
    with_sources.save_story(replace(_story(1, item_id), headline="New headline", version=2))
    assert with_sources.get_event(1).story is not None
    assert with_sources.get_event(1).story.headline == "New headline"  # type: ignore[union-attr]
    assert with_sources.counts().stories == 1


def test_event_coverage_follows_story_order(with_sources: SqlStorage) -> None:
    a, b = make_item(1), make_item(2, source_id="techcrunch")
    for item in (a, b):
        with_sources.add_item(item)
    with_sources.save_cluster(_cluster(1))
    with_sources.add_membership(1, a.id, 1)
    with_sources.add_membership(1, b.id, 1)
    with_sources.save_story(replace(_story(1, b.id), coverage_item_ids=(b.id, a.id)))
    assert [e.item.id for e in with_sources.get_event(1).coverage] == [b.id, a.id]


@pytest.mark.parametrize("order", ["newest", "top"])
def test_list_events_pages_through_everything_once(with_sources: SqlStorage, order: str) -> None:
    for n in range(1, 8):
        _event(with_sources, n, score=float(n % 3))
    seen: list[int] = []
    cursor = None
    while True:
        page = with_sources.list_events(limit=3, cursor=cursor, order=order)  # type: ignore[arg-type]
        seen.extend(e.cluster.id for e in page.events)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == list(range(1, 8))
    assert len(seen) == 7
    if order == "newest":
        assert seen == list(range(7, 0, -1))
    else:
        scores = [float(n % 3) for n in seen]
        assert scores == sorted(scores, reverse=True)


def test_list_events_rejects_foreign_cursor(with_sources: SqlStorage) -> None:
    for n in range(1, 4):
        _event(with_sources, n)
    cursor = with_sources.list_events(limit=1).next_cursor
    assert cursor is not None
    with pytest.raises(ValueError, match="cursor"):
        with_sources.list_events(cursor=cursor, order="top")
    with pytest.raises(ValueError, match="cursor"):
        with_sources.list_events(cursor="garbage!")


def test_list_events_filters_by_sources_and_skips_unsummarized(with_sources: SqlStorage) -> None:
    _event(with_sources, 1)
    with_sources.save_cluster(_cluster(2))
    assert [e.cluster.id for e in with_sources.list_events().events] == [1]
    assert with_sources.list_events(where=EventFilter(min_sources=2)).events == ()


def test_fetch_log_appends(with_sources: SqlStorage) -> None:
    from pulseaugur.storage import FetchLogEntry

    entry = FetchLogEntry("techcrunch", "https://x/feed", T0, 12, 200, 3, 2, None)
    with_sources.log_fetch(entry)
    with_sources.log_fetch(entry)
    with with_sources.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM fetch_log")).scalar_one() == 2


def test_items_without_cluster(with_sources: SqlStorage) -> None:
    a, b = make_item(1), make_item(2)
    with_sources.add_item(a)
    with_sources.add_item(b)
    assert [i.id for i in with_sources.items_without_cluster()] == [a.id, b.id]
    with_sources.save_cluster(_cluster(1))
    with_sources.add_membership(1, a.id, 1.0)
    assert [i.id for i in with_sources.items_without_cluster()] == [b.id]


def test_known_item_ids_cover_items_and_duplicates(with_sources: SqlStorage) -> None:
    first = make_item(1)
    copy = make_item(2, source_id="techcrunch", canonical_url=first.canonical_url)
    with_sources.add_item(first)
    with_sources.add_item(copy)
    assert with_sources.known_item_ids([first.id, copy.id, "other", first.id]) == {
        first.id,
        copy.id,
    }
    assert with_sources.known_item_ids([]) == set()


def test_storylines(with_sources: SqlStorage) -> None:
    with_sources.save_cluster(_cluster(1, storyline_id=1))
    with_sources.save_cluster(_cluster(2, storyline_id=1))
    with_sources.save_cluster(_cluster(3))
    assert with_sources.storylines([1, 2, 3, 4]) == {1: 1, 2: 1}
    assert with_sources.storylines([]) == {}


def test_seed_keeps_operator_choices(storage: SqlStorage) -> None:
    a, b = make_source("a"), make_source("b")
    assert storage.seed_sources([a, b]) == 2
    storage.set_source_enabled("a", False)
    storage.remove_source("b", T0)
    assert storage.seed_sources([replace(a, tier=3), b, make_source("c")]) == 1
    assert [s.id for s in storage.get_sources()] == ["a", "c"]
    assert storage.get_source("a").tier == 3
    assert not storage.get_source("a").enabled
    with pytest.raises(NotFoundError):
        storage.get_source("b")
    storage.set_source_enabled("a", True)
    assert [s.id for s in storage.get_sources(enabled_only=True)] == ["a", "c"]
    storage.sync_sources([b])
    assert storage.get_source("b") == b


def test_removed_source_keeps_its_items_readable(with_sources: SqlStorage) -> None:
    item = make_item(1, source_id="techcrunch")
    with_sources.add_item(item)
    with_sources.save_cluster(_cluster(1))
    with_sources.add_membership(1, item.id, 1.0)
    with_sources.remove_source("techcrunch", T0)
    assert "techcrunch" not in {s.id for s in with_sources.get_sources()}
    assert with_sources.cluster_coverage(1)[0].source.id == "techcrunch"
    with pytest.raises(NotFoundError):
        with_sources.set_source_enabled("nope", True)
    with pytest.raises(NotFoundError):
        with_sources.remove_source("nope", T0)


def test_linked_cluster_both_ways(with_sources: SqlStorage) -> None:
    article = make_item(1, canonical_url="https://openai.com/index/gpt-5")
    post = make_item(
        2, source_id="techcrunch", title="Wow", linked_url="https://openai.com/index/gpt-5"
    )
    assert with_sources.linked_cluster(post) is None
    with_sources.add_item(article)
    with_sources.save_cluster(_cluster(4))
    with_sources.add_membership(4, article.id, 1.0)
    assert with_sources.linked_cluster(post) == 4
    with_sources.add_item(post)
    with_sources.save_cluster(_cluster(5))
    with_sources.add_membership(5, post.id, 1.0)
    late_article = make_item(3, canonical_url="https://openai.com/index/gpt-5?x=1")
    assert with_sources.linked_cluster(late_article) is None
    assert with_sources.linked_cluster(replace(late_article, canonical_url=post.linked_url)) == 5
    assert with_sources.get_items([post.id])[0].linked_url == post.linked_url


def test_schema_changes_are_all_or_nothing(tmp_path: Path) -> None:
    """A migration interrupted half-way leaves the schema as it was (SQLite too)."""
    from alembic import command
    from alembic.config import Config

    from pulseaugur.storage.engine import MIGRATIONS_DIR, create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'atomic.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")

    class Interrupted(Exception):
        pass

    def interrupted_upgrade() -> None:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
            raise Interrupted

    with pytest.raises(Interrupted):
        interrupted_upgrade()
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("source_state")}
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert "interval_s" not in columns
    assert version == "0001"
    engine.dispose()
    storage = open_storage(f"sqlite:///{tmp_path / 'atomic.sqlite3'}")
    assert storage.get_source_state("x").interval_s is None
    storage.close()
