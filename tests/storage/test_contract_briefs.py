"""The storage contract for the Brief, on SQLite and PostgreSQL alike: an edition is
stored once for its date and stays as published; candidates are the live events of the
window; a merged event in an edition keeps its id (its page redirects)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from pulseaugur.errors import NotFoundError
from pulseaugur.storage import SqlStorage
from pulseaugur.types import BriefEdition, BriefEntry, Cluster, ScoreParts, Story, SummarySentence

from support import T0, make_item, make_source


def _event(storage: SqlStorage, cluster_id: int, n: int, *, hours: float = 0) -> None:
    item = make_item(n)
    assert storage.add_item(item).status == "stored"
    moment = T0 + timedelta(hours=hours)
    storage.save_cluster(
        Cluster(
            id=cluster_id,
            slug=f"event-{cluster_id}",
            first_seen=moment,
            last_updated=moment + timedelta(hours=1),
            item_count=1,
            source_count=1,
        )
    )
    assert storage.add_membership(cluster_id, item.id, 0.9)
    storage.save_story(
        Story(
            cluster_id=cluster_id,
            headline=f"Headline {cluster_id}",
            summary=(SummarySentence("OpenAI released GPT-5.", (item.id,)),),
            impact="Matters to developers.",
            rank_reason="A launch.",
            tags=("models",),
            event_type="launch",
            score=ScoreParts(60, 40, 70, 90, 50.0 + cluster_id),
            primary_item_id=item.id,
            summarizer="extractive",
            source_count=1,
            coverage_item_ids=(item.id,),
        )
    )


def _edition(day: str, cluster_ids: list[int], *, hours: float = 0) -> BriefEdition:
    end = T0 + timedelta(hours=hours)
    return BriefEdition(
        id=day,
        window_start=end - timedelta(days=1),
        window_end=end,
        published_at=end + timedelta(minutes=3),
        min_score=50.0,
        min_sources=1,
        max_events=10,
        entries=tuple(
            BriefEntry(
                rank=rank,
                cluster_id=cid,
                slug=f"event-{cid}",
                headline=f"Headline {cid} as published",
                lead="OpenAI released GPT-5.",
                score=80.5 - rank,
                source_count=rank,
                tags=("models", "AI"),
            )
            for rank, cid in enumerate(cluster_ids, start=1)
        ),
    )


@pytest.fixture
def events(storage: SqlStorage) -> SqlStorage:
    """Events 1, 2 and 3 (first seen at T0, T0+1 h and T0+30 h; each updated an hour
    later), with stories."""
    storage.sync_sources([make_source()])
    _event(storage, 1, 1)
    _event(storage, 2, 2, hours=1)
    _event(storage, 3, 3, hours=30)
    return storage


def test_an_edition_round_trips_in_rank_order(events: SqlStorage) -> None:
    edition = _edition("2025-08-08", [2, 1])
    assert events.save_brief(edition) is True
    assert events.get_brief("2025-08-08") == edition
    assert events.counts().brief_editions == 1


def test_publishing_a_date_again_keeps_the_first(events: SqlStorage) -> None:
    first = _edition("2025-08-08", [2, 1])
    assert events.save_brief(first)
    assert events.save_brief(_edition("2025-08-08", [3])) is False
    assert events.get_brief("2025-08-08") == first


def test_a_rebuild_replaces_the_edition_whole(events: SqlStorage) -> None:
    assert events.save_brief(_edition("2025-08-08", [2, 1]))
    rebuilt = replace(_edition("2025-08-08", [3]), published_at=T0 + timedelta(days=3))
    assert events.save_brief(rebuilt, replace=True) is True
    assert events.get_brief("2025-08-08") == rebuilt
    assert events.counts().brief_editions == 1


def test_an_empty_edition_round_trips(events: SqlStorage) -> None:
    assert events.save_brief(_edition("2025-08-08", []))
    assert events.get_brief("2025-08-08").entries == ()


def test_an_edition_stays_as_published(events: SqlStorage) -> None:
    edition = _edition("2025-08-08", [1, 2])
    events.save_brief(edition)
    changed = replace(events.get_event(1).story, headline="A new headline")  # type: ignore[type-var]
    events.save_story(changed)
    events.merge_clusters(2, 1, T0 + timedelta(days=1))
    stored = events.get_brief("2025-08-08")
    assert stored == edition
    assert stored.entries[1].cluster_id == 2
    assert events.get_cluster(2).merged_into == 1  # the entry's page redirects there


def test_unknown_edition_is_not_found(events: SqlStorage) -> None:
    with pytest.raises(NotFoundError):
        events.get_brief("2025-08-09")


def test_listing_and_neighbours(events: SqlStorage) -> None:
    for day in ("2025-08-06", "2025-08-08", "2025-08-09"):
        events.save_brief(_edition(day, [1]))
    assert [e.id for e in events.list_briefs()] == ["2025-08-09", "2025-08-08", "2025-08-06"]
    assert [e.id for e in events.list_briefs(limit=1)] == ["2025-08-09"]
    assert [e.id for e in events.list_briefs(before="2025-08-09")] == ["2025-08-08", "2025-08-06"]
    assert events.list_briefs()[0].entries[0].headline == "Headline 1 as published"
    assert events.brief_neighbours("2025-08-08") == ("2025-08-06", "2025-08-09")
    assert events.brief_neighbours("2025-08-07") == ("2025-08-06", "2025-08-08")
    assert events.brief_neighbours("2025-08-06") == (None, "2025-08-08")
    with pytest.raises(ValueError, match="limit"):
        events.list_briefs(limit=0)


def test_candidates_are_the_live_events_meeting_the_window(events: SqlStorage) -> None:
    start, end = T0 + timedelta(hours=1, minutes=30), T0 + timedelta(hours=24)
    found = events.brief_candidates(start, end)
    assert [cluster.id for cluster, _ in found] == [2]  # 1 ended before, 3 began after
    cluster, story = found[0]
    assert (cluster.slug, story.headline, story.score.total) == ("event-2", "Headline 2", 52.0)
    wide = events.brief_candidates(T0 - timedelta(days=1), T0 + timedelta(days=3))
    assert [c.id for c, _ in wide] == [1, 2, 3]
    # Both tables have a source_count: each record gets its own.
    events.save_cluster(replace(events.get_cluster(3), source_count=7))
    cluster, story = events.brief_candidates(T0 + timedelta(hours=30), T0 + timedelta(days=3))[0]
    assert (cluster.source_count, story.source_count) == (7, 1)
    events.merge_clusters(2, 1, T0 + timedelta(hours=2))
    wide = events.brief_candidates(T0 - timedelta(days=1), T0 + timedelta(days=3))
    assert [c.id for c, _ in wide] == [1, 3]
