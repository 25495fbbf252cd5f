"""The Brief's pure rules (``pulseaugur.brief``): windows, due editions, the gate, the
order and its tie-breaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pulseaugur.brief import (
    BriefPolicy,
    build_edition,
    due_between,
    edition_window,
    latest_due,
    parse_edition_id,
    select_events,
)
from pulseaugur.types import BriefEdition, BriefEntry, Cluster, ScoreParts, Story, SummarySentence

DAY = date(2025, 8, 8)
START, END = edition_window(DAY, 6)
POLICY = BriefPolicy(min_score=60, min_sources=2, max_events=3, hour=6)


def _event(
    cluster_id: int,
    score: float,
    sources: int = 3,
    *,
    updated: datetime | None = None,
    first_seen: datetime | None = None,
    merged_into: int | None = None,
) -> tuple[Cluster, Story]:
    last = updated or END - timedelta(hours=2)
    cluster = Cluster(
        id=cluster_id,
        slug=f"event-{cluster_id}",
        first_seen=first_seen or last - timedelta(hours=1),
        last_updated=last,
        source_count=sources,
        merged_into=merged_into,
    )
    story = Story(
        cluster_id=cluster_id,
        headline=f"Headline {cluster_id}",
        summary=(
            SummarySentence(f"First sentence of {cluster_id}.", ("a",)),
            SummarySentence("Second sentence.", ("b",)),
        ),
        impact="Matters.",
        rank_reason="Because.",
        tags=("models",),
        event_type="launch",
        score=ScoreParts(50, 50, 50, 50, score),
        primary_item_id="a",
        summarizer="extractive",
        source_count=sources,
        coverage_item_ids=("a", "b"),
    )
    return cluster, story


def _ids(selected: list[tuple[Cluster, Story]]) -> list[int]:
    return [cluster.id for cluster, _ in selected]


def test_window_is_the_24_hours_to_the_closing_hour() -> None:
    assert edition_window(DAY, 6) == (
        datetime(2025, 8, 7, 6, tzinfo=UTC),
        datetime(2025, 8, 8, 6, tzinfo=UTC),
    )
    assert edition_window(DAY, 0)[1] == datetime(2025, 8, 8, tzinfo=UTC)


def test_latest_due_and_due_between() -> None:
    assert latest_due(datetime(2025, 8, 8, 5, 59, tzinfo=UTC), 6) == date(2025, 8, 7)
    assert latest_due(datetime(2025, 8, 8, 6, 0, tzinfo=UTC), 6) == DAY
    now = datetime(2025, 8, 10, 7, tzinfo=UTC)
    assert due_between(None, now, 6) == [date(2025, 8, 10)]
    after = datetime(2025, 8, 7, 6, tzinfo=UTC)  # the 08-07 edition was already due then
    assert due_between(after, now, 6) == [date(2025, 8, 8), date(2025, 8, 9), date(2025, 8, 10)]
    assert due_between(datetime(2025, 8, 10, 6, 30, tzinfo=UTC), now, 6) == []


@pytest.mark.parametrize("text", ["2025-8-08", "20250808", "2025-02-30", "2025-13-01", "x" * 10])
def test_bad_edition_ids_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_edition_id(text)


def test_gate_order_and_limit() -> None:
    candidates = [
        _event(1, 70),
        _event(2, 90),
        _event(3, 59.9),  # under the score gate
        _event(4, 95, sources=1),  # under the sources gate
        _event(5, 80),
        _event(6, 60),  # exactly at the gate: in, but the limit cuts it
    ]
    assert _ids(select_events(candidates, start=START, end=END, policy=POLICY)) == [2, 5, 1]


def test_ties_are_broken_by_sources_then_recency_then_id() -> None:
    older = END - timedelta(hours=10)
    candidates = [
        _event(7, 80, sources=3, updated=older),
        _event(4, 80, sources=3, updated=older),
        _event(9, 80, sources=3),
        _event(8, 80, sources=5, updated=older),
    ]
    policy = BriefPolicy(min_score=60, min_sources=2, max_events=10, hour=6)
    picked = _ids(select_events(candidates, start=START, end=END, policy=policy))
    assert picked == [8, 9, 4, 7]
    reversed_input = _ids(select_events(candidates[::-1], start=START, end=END, policy=policy))
    assert reversed_input == picked


def test_only_live_events_of_the_window() -> None:
    candidates = [
        _event(1, 90, updated=START - timedelta(minutes=1)),  # over before the window
        _event(2, 90, updated=END + timedelta(hours=1), first_seen=END),  # began after it
        _event(3, 90, merged_into=5),  # merged: never in an edition
        _event(4, 90, updated=END + timedelta(days=1), first_seen=START),  # active then
        _event(5, 85),
    ]
    assert _ids(select_events(candidates, start=START, end=END, policy=POLICY)) == [4, 5]


def test_an_event_of_yesterday_returns_only_with_new_sources() -> None:
    previous = BriefEdition(
        id="2025-08-07",
        window_start=START - timedelta(days=1),
        window_end=START,
        published_at=START,
        min_score=60,
        min_sources=2,
        max_events=3,
        entries=(
            BriefEntry(1, 1, "event-1", "Headline 1", "Lead.", 90, 3),
            BriefEntry(2, 2, "event-2", "Headline 2", "Lead.", 85, 3),
        ),
    )
    candidates = [_event(1, 90, sources=3), _event(2, 88, sources=4), _event(3, 70)]
    picked = select_events(candidates, start=START, end=END, policy=POLICY, previous=previous)
    assert _ids(picked) == [2, 3]


def test_build_edition_copies_the_story_as_it_stands() -> None:
    now = END + timedelta(minutes=5)
    edition = build_edition(DAY, [_event(1, 70), _event(2, 90)], policy=POLICY, published_at=now)
    assert edition.id == "2025-08-08"
    assert (edition.window_start, edition.window_end, edition.published_at) == (START, END, now)
    assert (edition.min_score, edition.min_sources, edition.max_events) == (60, 2, 3)
    first = edition.entries[0]
    assert (first.rank, first.cluster_id, first.headline) == (1, 2, "Headline 2")
    assert first.lead == "First sentence of 2."
    assert (first.score, first.source_count, first.path) == (90, 3, "/cluster/2-event-2")
    assert [e.rank for e in edition.entries] == [1, 2]


def test_policy_refuses_values_out_of_range() -> None:
    for bad in ({"min_score": 101}, {"max_events": 0}, {"hour": 24}, {"min_sources": 0}):
        with pytest.raises(ValueError, match=r"must be|max_events"):
            BriefPolicy(**bad)  # type: ignore[arg-type]
