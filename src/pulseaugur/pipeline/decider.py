"""Scheduling decisions, kept apart from doing: pure functions of a source's state and
the time, with no I/O (the scheduler applies what they decide).

- A source is due when it has never been polled or its ``next_poll_at`` has passed.
- After a success the next poll is one ``poll_interval_s`` later, validators (ETag,
  Last-Modified) are kept for the next conditional GET, and the failure count resets.
- After a failure the next poll backs off exponentially — interval × 2^(failures−1),
  capped at ``MAX_BACKOFF`` — and the error is kept as one sentence for the health view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from pulseaugur.types import FetchResult, Source, SourceState

MAX_BACKOFF = timedelta(hours=24)


def is_due(state: SourceState, now: datetime) -> bool:
    """True when the source should be polled at ``now``."""
    return state.next_poll_at is None or state.next_poll_at <= now


def due_sources(
    sources: Iterable[Source], states: Mapping[str, SourceState], now: datetime
) -> list[Source]:
    """The enabled sources due at ``now``, most overdue first (never-polled first), then by id."""
    never = datetime.min.replace(tzinfo=now.tzinfo)
    due = [s for s in sources if s.enabled and is_due(states.get(s.id) or SourceState(s.id), now)]
    return sorted(
        due, key=lambda s: ((states.get(s.id) or SourceState(s.id)).next_poll_at or never, s.id)
    )


def after_success(
    state: SourceState, source: Source, result: FetchResult, now: datetime
) -> SourceState:
    """The state after a fetch that answered 200 or 304."""
    return replace(
        state,
        etag=result.etag if not result.not_modified else (result.etag or state.etag),
        last_modified=(
            result.last_modified
            if not result.not_modified
            else (result.last_modified or state.last_modified)
        ),
        last_ok_at=now,
        consecutive_failures=0,
        next_poll_at=now + timedelta(seconds=source.poll_interval_s),
    )


def after_failure(state: SourceState, source: Source, error: str, now: datetime) -> SourceState:
    """The state after a failed fetch or an unreadable document."""
    failures = state.consecutive_failures + 1
    delay = min(timedelta(seconds=source.poll_interval_s) * 2 ** (failures - 1), MAX_BACKOFF)
    return replace(
        state,
        last_error=error,
        last_error_at=now,
        consecutive_failures=failures,
        next_poll_at=now + delay,
    )
