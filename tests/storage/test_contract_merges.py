"""The storage contract for merged events (``Storage.merge_clusters``), on SQLite and
PostgreSQL alike: nothing lost, nothing duplicated, published ids keep answering, and a
refused merge changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from pulseaugur.errors import MergeError, NotFoundError
from pulseaugur.storage import SqlStorage
from pulseaugur.storage import schema as t
from pulseaugur.types import Cluster, ScoreParts, Story, SummarySentence

from support import T0, make_item, make_source

LATER = T0 + timedelta(days=1)


def _story(cluster_id: int, item_ids: list[str]) -> Story:
    return Story(
        cluster_id=cluster_id,
        headline=f"Headline {cluster_id}",
        summary=(SummarySentence("OpenAI released GPT-5.", (item_ids[0],)),),
        impact="Matters to developers.",
        rank_reason="A launch.",
        tags=("models",),
        event_type="launch",
        score=ScoreParts(60, 40, 70, 90, 50.0),
        primary_item_id=item_ids[0],
        summarizer="extractive",
        source_count=1,
        coverage_item_ids=tuple(item_ids),
    )


def _event(storage: SqlStorage, cluster_id: int, items: list[int], source: str = "a") -> list[str]:
    """Event ``cluster_id`` holding the items numbered ``items``, with a story."""
    ids = []
    for n in items:
        item = make_item(n, source_id=source)
        assert storage.add_item(item).status == "stored"
        ids.append(item.id)
    storage.save_cluster(
        Cluster(
            id=cluster_id,
            slug=f"event-{cluster_id}",
            first_seen=T0,
            last_updated=T0 + timedelta(minutes=cluster_id),
            storyline_id=cluster_id,
            item_count=len(ids),
            source_count=1,
        )
    )
    for item_id in ids:
        assert storage.add_membership(cluster_id, item_id, 0.9)
    storage.save_story(_story(cluster_id, ids))
    return ids


@pytest.fixture
def three(storage: SqlStorage) -> SqlStorage:
    """Events 1 (items a-1, a-2), 2 (b-3, b-4) and 3 (a-5), each with a story."""
    storage.sync_sources([make_source("a"), make_source("b", primary=False)])
    _event(storage, 1, [1, 2])
    _event(storage, 2, [3, 4], source="b")
    _event(storage, 3, [5])
    return storage


def _snapshot(storage: SqlStorage) -> dict[str, list[Any]]:
    """Every row of the tables a merge may touch, in a stable order."""
    tables = {
        "clusters": (t.clusters, t.clusters.c.id),
        "cluster_members": (t.cluster_members, t.cluster_members.c.item_id),
        "stories": (t.stories, t.stories.c.cluster_id),
    }
    with storage.engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.execute(sa.select(table).order_by(key))]
            for name, (table, key) in tables.items()
        }


def _live_membership(storage: SqlStorage) -> list[tuple[int, str]]:
    """(event id, item id) of every item in a live event, by item id."""
    members = storage.recent_cluster_members(T0 - timedelta(days=365))
    return sorted(((cid, item.id) for cid, item in members), key=lambda m: m[1])


def test_merge_keeps_every_item_exactly_once(three: SqlStorage) -> None:
    items_before = three.counts().items
    three.merge_clusters(2, 1, LATER)
    three.merge_clusters(3, 1, LATER)

    assert three.counts().items == items_before
    membership = _live_membership(three)
    assert [item_id for _, item_id in membership] == [
        "a-0001",
        "a-0002",
        "a-0005",
        "b-0003",
        "b-0004",
    ]
    assert {cid for cid, _ in membership} == {1}
    assert three.items_without_cluster() == []
    # The absorbed items come after the survivor's own, in their order.
    assert [e.item.id for e in three.cluster_coverage(1)] == [
        "a-0001",
        "a-0002",
        "b-0003",
        "b-0004",
        "a-0005",
    ]
    assert three.cluster_coverage(2) == []
    assert three.cluster_coverage(3) == []
    # An item joining later goes after all of them.
    three.add_item(make_item(6, source_id="b"))
    assert three.add_membership(1, "b-0006", 0.5)
    assert three.cluster_coverage(1)[-1].item.id == "b-0006"
    assert not three.add_membership(2, "b-0006", 0.5)


def test_survivor_is_recounted_and_touched(three: SqlStorage) -> None:
    three.merge_clusters(2, 1, LATER)
    survivor = three.get_cluster(1)
    assert (survivor.item_count, survivor.source_count) == (4, 2)
    assert survivor.last_updated == LATER
    assert survivor.merged_into is None
    event = three.get_event(1)
    assert event.story is not None, "the survivor keeps its story until rewritten"
    assert {e.item.id for e in event.coverage} == {"a-0001", "a-0002", "b-0003", "b-0004"}


def test_published_ids_survive_merges_and_redirects_never_chain(three: SqlStorage) -> None:
    three.merge_clusters(1, 2, LATER)  # A -> B
    assert three.get_event(1).cluster.merged_into == 2
    three.merge_clusters(2, 3, LATER + timedelta(hours=1))  # B -> C

    for absorbed in (1, 2):
        event = three.get_event(absorbed)
        assert event.cluster.id == absorbed
        assert event.cluster.slug == f"event-{absorbed}"
        assert event.cluster.merged_into == 3
        assert event.story is None
        assert event.coverage == ()
        assert (event.cluster.item_count, event.cluster.source_count) == (0, 0)
    survivor = three.get_event(3)
    assert survivor.cluster.merged_into is None
    assert len(survivor.coverage) == 5
    assert survivor.cluster.last_updated == LATER + timedelta(hours=1)


def test_merged_events_are_not_listed_restored_or_counted(three: SqlStorage) -> None:
    three.merge_clusters(2, 1, LATER)
    newest = three.list_events(order="newest").events
    assert [e.cluster.id for e in newest] == [1, 3], "the survivor was updated last"
    assert {e.cluster.id for e in three.list_events(order="top").events} == {1, 3}
    assert {cid for cid, _ in three.recent_cluster_members(T0)} == {1, 3}
    assert three.storylines([1, 2, 3]) == {1: 1, 3: 3}
    counts = three.counts()
    assert (counts.clusters, counts.merged_clusters, counts.stories) == (2, 1, 2)
    assert counts.multi_source_clusters == 1
    assert three.max_cluster_id() == 3, "merged ids stay taken"


def test_merging_again_into_the_same_survivor_changes_nothing(three: SqlStorage) -> None:
    three.merge_clusters(2, 1, LATER)
    before = _snapshot(three)
    three.merge_clusters(2, 1, LATER + timedelta(hours=5))
    assert _snapshot(three) == before


@pytest.mark.parametrize(
    ("absorbed", "survivor", "error", "message"),
    [
        (1, 1, MergeError, "into itself"),
        (1, 99, NotFoundError, "99"),
        (99, 1, NotFoundError, "99"),
        (3, 2, MergeError, "was itself merged into event 1"),  # into a merged event
        (2, 3, MergeError, "already merged into event 1"),  # a merged event elsewhere
    ],
)
def test_refused_merges_change_nothing(
    three: SqlStorage, absorbed: int, survivor: int, error: type[Exception], message: str
) -> None:
    three.merge_clusters(2, 1, LATER)
    before = _snapshot(three)
    with pytest.raises(error, match=message):
        three.merge_clusters(absorbed, survivor, LATER + timedelta(hours=1))
    assert _snapshot(three) == before


def test_a_stale_save_cannot_undo_a_merge(three: SqlStorage) -> None:
    stale = three.get_cluster(2)
    three.merge_clusters(2, 1, LATER)
    three.save_cluster(replace(stale, slug="event-2"))
    assert three.get_cluster(2).merged_into == 1
    three.merge_clusters(1, 3, LATER)
    three.save_cluster(replace(stale, merged_into=1))
    assert three.get_cluster(2).merged_into == 3
    assert [e.cluster.id for e in three.list_events().events] == [3]


def test_storyline_merges_move_every_event_and_are_idempotent(three: SqlStorage) -> None:
    three.merge_clusters(3, 1, LATER)  # a merged event follows its storyline too
    assert three.merge_storylines(2, 1) == 1
    assert three.get_cluster(2).storyline_id == 1
    assert three.merge_storylines(3, 1) == 1
    assert three.get_cluster(3).storyline_id == 1
    assert three.merge_storylines(3, 1) == 0
    assert three.storylines([1, 2]) == {1: 1, 2: 1}
    before = _snapshot(three)
    with pytest.raises(MergeError, match="itself"):
        three.merge_storylines(1, 1)
    assert _snapshot(three) == before
