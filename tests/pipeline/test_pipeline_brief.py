"""Publishing the Brief (``pipeline/brief.py``): an edition once per date, from the
events as they stand, when its closing time has passed on the clock — the scheduler's
clock, simulated in replays."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pulseaugur.brief import BriefPolicy
from pulseaugur.errors import StorageError
from pulseaugur.pipeline.brief import BriefPublisher, publish_edition
from pulseaugur.pipeline.scheduler import Scheduler
from pulseaugur.storage import SqlStorage, open_storage
from pulseaugur.types import Cluster, Story

from support import add_scored_event, make_source

POLICY = BriefPolicy(min_score=60, min_sources=1, max_events=2, hour=6)
DAY = date(2025, 8, 8)
CLOSE = datetime(2025, 8, 8, 6, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SqlStorage]:
    store = open_storage(f"sqlite:///{tmp_path / 'brief.sqlite3'}")
    store.sync_sources([make_source()])
    yield store
    store.close()


def test_publish_once_then_keep_then_rebuild(storage: SqlStorage) -> None:
    add_scored_event(storage, 1, 70, CLOSE - timedelta(hours=3))
    add_scored_event(storage, 2, 90, CLOSE - timedelta(hours=2))
    add_scored_event(storage, 3, 50, CLOSE - timedelta(hours=1))  # under the gate
    add_scored_event(storage, 4, 99, CLOSE + timedelta(hours=1))  # after the window
    with pytest.raises(ValueError, match="has not come yet"):
        publish_edition(storage, POLICY, DAY, CLOSE - timedelta(seconds=1))
    outcome = publish_edition(storage, POLICY, DAY, CLOSE + timedelta(minutes=1))
    assert outcome.status == "published"
    assert [e.cluster_id for e in outcome.edition.entries] == [2, 1]
    assert storage.get_brief("2025-08-08") == outcome.edition

    story = storage.get_event(1).story
    assert story is not None
    storage.save_story(replace(story, headline="Changed"))
    add_scored_event(storage, 5, 95, CLOSE - timedelta(minutes=10))
    later = CLOSE + timedelta(days=2)
    kept = publish_edition(storage, POLICY, DAY, later)
    assert kept.status == "kept"
    assert kept.edition == outcome.edition

    rebuilt = publish_edition(storage, POLICY, DAY, later, rebuild=True)
    assert rebuilt.status == "rebuilt"
    assert [e.cluster_id for e in rebuilt.edition.entries] == [5, 2]
    assert storage.get_brief("2025-08-08").published_at == later


def test_an_empty_day_is_not_stored(storage: SqlStorage) -> None:
    add_scored_event(storage, 1, 30, CLOSE - timedelta(hours=3))
    outcome = publish_edition(storage, POLICY, DAY, CLOSE)
    assert outcome.status == "empty"
    assert outcome.edition.entries == ()
    assert storage.counts().brief_editions == 0


def test_yesterdays_events_come_back_only_with_new_sources(storage: SqlStorage) -> None:
    add_scored_event(storage, 1, 80, CLOSE - timedelta(hours=25))
    assert publish_edition(storage, POLICY, DAY - timedelta(days=1), CLOSE).status == "published"
    # Event 1 is touched again in the next window, with no new source.
    storage.save_cluster(replace(storage.get_cluster(1), last_updated=CLOSE - timedelta(hours=1)))
    add_scored_event(storage, 2, 70, CLOSE - timedelta(hours=2))
    outcome = publish_edition(storage, POLICY, DAY, CLOSE)
    assert [e.cluster_id for e in outcome.edition.entries] == [2]


def test_publisher_publishes_what_falls_due(storage: SqlStorage) -> None:
    clock = Clock(CLOSE - timedelta(days=3, hours=1))
    publisher = BriefPublisher(storage, POLICY, clock)
    assert [o.status for o in publisher.publish_due()] == ["empty"]  # first call: latest only
    for n, days in enumerate((3, 2, 1, 0)):
        add_scored_event(storage, 10 + n, 80, CLOSE - timedelta(days=days, hours=2))
    clock.now = CLOSE - timedelta(days=2, hours=1)
    assert [o.edition.id for o in publisher.publish_due()] == ["2025-08-05"]
    assert publisher.publish_due() == []  # nothing new has fallen due
    clock.now = CLOSE + timedelta(minutes=30)  # the clock jumps over three closings
    outcomes = publisher.publish_due()
    assert [(o.edition.id, o.status) for o in outcomes] == [
        ("2025-08-06", "published"),
        ("2025-08-07", "published"),
        ("2025-08-08", "published"),
    ]
    assert [e.cluster_id for e in storage.get_brief("2025-08-08").entries] == [13]
    assert [e.id for e in storage.list_briefs()] == [
        "2025-08-08",
        "2025-08-07",
        "2025-08-06",
        "2025-08-05",
    ]


def test_publisher_retries_after_a_storage_error(
    storage: SqlStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_scored_event(storage, 1, 80, CLOSE - timedelta(hours=2))
    clock = Clock(CLOSE - timedelta(hours=1))
    publisher = BriefPublisher(storage, POLICY, clock)
    publisher.publish_due()
    clock.now = CLOSE + timedelta(minutes=1)
    real = storage.brief_candidates

    def failing(start: datetime, end: datetime) -> list[tuple[Cluster, Story]]:
        raise StorageError("database is locked")

    monkeypatch.setattr(storage, "brief_candidates", failing)
    assert publisher.publish_due() == []
    monkeypatch.setattr(storage, "brief_candidates", real)
    clock.now += timedelta(minutes=1)
    assert [o.status for o in publisher.publish_due()] == ["published"]


def test_scheduler_publishes_before_each_round_of_polls(storage: SqlStorage) -> None:
    add_scored_event(storage, 1, 80, CLOSE - timedelta(hours=2))
    clock = Clock(CLOSE - timedelta(minutes=5))
    publisher = BriefPublisher(storage, POLICY, clock)
    scheduler = Scheduler(storage, None, None, clock=clock, brief=publisher)  # type: ignore[arg-type]
    asyncio.run(scheduler.poll([]))
    assert storage.counts().brief_editions == 0  # 2025-08-07 had no event
    clock.now = CLOSE + timedelta(minutes=5)
    asyncio.run(scheduler.poll([]))
    assert [e.cluster_id for e in storage.get_brief("2025-08-08").entries] == [1]
