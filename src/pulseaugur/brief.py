"""The Brief: the day's best events, published once a day as an edition that stays.

Pure functions, no I/O and no clock: storage supplies the candidates, the caller the
times (``pipeline/brief.py`` does both).

Editions and windows
    The edition of UTC date ``D`` closes at ``D`` ``hour``:00 UTC (``brief_hour``) and
    holds the 24 hours before: its window is ``[D hour:00 − 24 h, D hour:00)``. Its id
    is ``D`` as ``YYYY-MM-DD``.
Which events
    A live (not merged) event with a story is *of the window* when its span
    ``[first_seen, last_updated]`` meets the window: it was first seen before the window
    ends and last updated at or after it starts. (At publication time nothing is newer
    than the window's end, so this is "updated in the last 24 hours"; a rebuild long
    afterwards still finds the events that were active then.)
The gate
    Its story's score is at least ``min_score`` and it has at least ``min_sources``
    distinct sources. An event already in the previous edition comes back only if it
    has gained sources since (so a story does not fill two editions for one late
    article).
The order
    Best score first; ties by more sources, then the more recently updated, then the
    smaller (older) event id: the same candidates always give the same edition. At most
    ``max_events`` are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from pulseaugur.types import BriefEdition, BriefEntry, Cluster, Story

if TYPE_CHECKING:
    from pulseaugur.config import Settings

WINDOW = timedelta(hours=24)
"""How much time one edition covers."""

Candidate = tuple[Cluster, Story]
"""A live event and its current story, as storage hands them out."""


@dataclass(frozen=True, slots=True)
class BriefPolicy:
    """The gate, the size and the closing hour of the Brief (see the module docstring)."""

    min_score: float = 75.0
    min_sources: int = 1
    max_events: int = 10
    hour: int = 6

    def __post_init__(self) -> None:
        if not 0 <= self.min_score <= 100:
            raise ValueError(f"min_score must be from 0 to 100, got {self.min_score}")
        if self.min_sources < 1 or not 1 <= self.max_events <= 100:
            raise ValueError(f"min_sources ≥ 1 and max_events 1-100, got {self}")
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour must be from 0 to 23, got {self.hour}")

    @classmethod
    def from_settings(cls, settings: Settings) -> BriefPolicy:
        """The policy the ``brief_*`` settings describe."""
        return cls(
            min_score=settings.brief_min_score,
            min_sources=settings.brief_min_sources,
            max_events=settings.brief_max_events,
            hour=settings.brief_hour,
        )


def edition_id(day: date) -> str:
    """``2025-08-08``."""
    return day.isoformat()


def parse_edition_id(text: str) -> date:
    """The date an edition id names; ``ValueError`` unless it is a real ``YYYY-MM-DD``."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.replace("-", "").isdigit():
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


def edition_window(day: date, hour: int) -> tuple[datetime, datetime]:
    """The window ``(start, end)`` of the edition of ``day``: ``end`` is ``day`` at
    ``hour``:00 UTC (the edition's closing time), ``start`` 24 hours earlier."""
    end = datetime.combine(day, time(hour), tzinfo=UTC)
    return end - WINDOW, end


def latest_due(now: datetime, hour: int) -> date:
    """The date of the newest edition whose closing time is at or before ``now``."""
    now = now.astimezone(UTC)
    return now.date() if now.hour >= hour else now.date() - timedelta(days=1)


def due_between(after: datetime | None, now: datetime, hour: int) -> list[date]:
    """Dates of the editions that closed in ``(after, now]``, oldest first; with no
    ``after``, only the latest one due (a service starting up does not backfill)."""
    newest = latest_due(now, hour)
    if after is None:
        return [newest]
    days: list[date] = []
    day = newest
    while edition_window(day, hour)[1] > after:
        days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def in_window(cluster: Cluster, start: datetime, end: datetime) -> bool:
    """Whether the event's span ``[first_seen, last_updated]`` meets ``[start, end)``."""
    return cluster.first_seen < end and cluster.last_updated >= start


def lead(story: Story) -> str:
    """The summary's first sentence (empty for a story without one)."""
    return story.summary[0].text if story.summary else ""


def select_events(
    candidates: Iterable[Candidate],
    *,
    start: datetime,
    end: datetime,
    policy: BriefPolicy,
    previous: BriefEdition | None = None,
) -> list[Candidate]:
    """The events of ``[start, end)`` that pass ``policy``'s gate, best first, at most
    ``policy.max_events`` (rules and tie-breaks in the module docstring). Merged events,
    events whose story belongs to another id, and events of ``previous`` that have not
    gained sources since are left out."""
    before = {e.cluster_id: e.source_count for e in previous.entries} if previous else {}
    chosen = [
        (cluster, story)
        for cluster, story in candidates
        if cluster.merged_into is None
        and story.cluster_id == cluster.id
        and in_window(cluster, start, end)
        and story.score.total >= policy.min_score
        and story.source_count >= policy.min_sources
        and story.source_count > before.get(cluster.id, 0)
    ]
    chosen.sort(
        key=lambda pair: (
            -pair[1].score.total,
            -pair[1].source_count,
            -pair[0].last_updated.timestamp(),
            pair[0].id,
        )
    )
    return chosen[: policy.max_events]


def build_edition(
    day: date,
    candidates: Sequence[Candidate],
    *,
    policy: BriefPolicy,
    published_at: datetime,
    previous: BriefEdition | None = None,
) -> BriefEdition:
    """The edition of ``day``: the selected events with their headline, first sentence,
    score and source count copied as they stand now (an edition never changes after)."""
    start, end = edition_window(day, policy.hour)
    selected = select_events(candidates, start=start, end=end, policy=policy, previous=previous)
    entries = tuple(
        BriefEntry(
            rank=rank,
            cluster_id=cluster.id,
            slug=cluster.slug,
            headline=story.headline,
            lead=lead(story),
            score=story.score.total,
            source_count=story.source_count,
            tags=story.tags,
        )
        for rank, (cluster, story) in enumerate(selected, start=1)
    )
    return BriefEdition(
        id=edition_id(day),
        window_start=start,
        window_end=end,
        published_at=published_at,
        min_score=policy.min_score,
        min_sources=policy.min_sources,
        max_events=policy.max_events,
        entries=entries,
    )
