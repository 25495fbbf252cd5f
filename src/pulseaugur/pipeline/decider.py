"""Scheduling decisions, kept apart from doing: pure functions of a source's state, what a
poll returned, and the time. No I/O; the scheduler applies what they decide.

- **Due.** A source is due when it is enabled, not paused, and its ``next_poll_at`` has
  passed (or it was never polled).
- **Adaptive interval.** A poll that brings new items resets the interval to the
  source's configured ``poll_interval_s``; a poll that brings nothing (a 304, or only
  entries we already have) stretches it by ``BACKOFF_IDLE`` up to ``MAX_IDLE_FACTOR`` ×
  the configured interval (and never beyond ``MAX_INTERVAL``). A quiet blog ends up
  polled a few times a day; a busy outlet stays at its interval.
- **The server's wishes.** ``Cache-Control: max-age`` on a response puts the next poll no
  sooner than that; ``Retry-After`` on a 429 or 503 puts it no sooner than asked (both
  capped at ``MAX_INTERVAL``, so a bad header cannot silence a source for good).
- **Failures** back off exponentially — interval × 2^(failures−1), capped at
  ``MAX_INTERVAL`` — and keep the error as one sentence. A source that has failed without
  a single success for ``PAUSE_AFTER`` is paused with that reason: shown in the source
  list, never silently dropped, and polled again when an operator resumes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from pulseaugur.types import FetchResult, Source, SourceState

MAX_INTERVAL = timedelta(hours=24)
MAX_IDLE_FACTOR = 8
BACKOFF_IDLE = 1.5
PAUSE_AFTER = timedelta(days=3)


def is_due(state: SourceState, now: datetime) -> bool:
    """True when the source should be polled at ``now`` (paused sources never are)."""
    if state.paused_reason is not None:
        return False
    return state.next_poll_at is None or state.next_poll_at <= now


def due_sources(
    sources: Iterable[Source], states: Mapping[str, SourceState], now: datetime
) -> list[Source]:
    """The enabled, unpaused sources due at ``now``, most overdue first (never-polled
    first), then by id."""
    never = datetime.min.replace(tzinfo=now.tzinfo)

    def state_of(source: Source) -> SourceState:
        return states.get(source.id) or SourceState(source.id)

    due = [s for s in sources if s.enabled and is_due(state_of(s), now)]
    return sorted(due, key=lambda s: (state_of(s).next_poll_at or never, s.id))


def _capped(seconds: float) -> timedelta:
    return min(timedelta(seconds=seconds), MAX_INTERVAL)


def next_interval(state: SourceState, source: Source, items_new: int) -> int:
    """The polling interval after a successful poll that brought ``items_new`` items."""
    base = source.poll_interval_s
    if items_new > 0 or state.interval_s is None:
        return base
    longest = min(base * MAX_IDLE_FACTOR, int(MAX_INTERVAL.total_seconds()))
    return max(base, min(int(state.interval_s * BACKOFF_IDLE), longest))


def after_success(
    state: SourceState, source: Source, result: FetchResult, now: datetime, items_new: int = 0
) -> SourceState:
    """The state after a fetch that answered 2xx or 304 and was processed."""
    interval = next_interval(state, source, items_new)
    wait = _capped(max(interval, result.max_age_s or 0))
    keep = result.not_modified
    return replace(
        state,
        etag=(result.etag or state.etag) if keep else result.etag,
        last_modified=(result.last_modified or state.last_modified)
        if keep
        else result.last_modified,
        last_ok_at=now,
        consecutive_failures=0,
        failing_since=None,
        paused_reason=None,
        interval_s=interval,
        next_poll_at=now + wait,
    )


def after_failure(
    state: SourceState,
    source: Source,
    error: str,
    now: datetime,
    *,
    retry_after_s: float | None = None,
) -> SourceState:
    """The state after a failed fetch or an unreadable document."""
    failures = state.consecutive_failures + 1
    interval = state.interval_s or source.poll_interval_s
    delay = _capped(interval * 2 ** min(failures - 1, 16))
    if retry_after_s is not None:
        delay = max(delay, _capped(retry_after_s))
    failing_since = state.failing_since or now
    paused = state.paused_reason
    if paused is None and now - failing_since >= PAUSE_AFTER:
        days = (now - failing_since).days
        paused = f"paused after failing for {days} days ({failures} attempts): {error}"
    return replace(
        state,
        last_error=error,
        last_error_at=now,
        consecutive_failures=failures,
        failing_since=failing_since,
        paused_reason=paused,
        next_poll_at=now + delay,
    )


def resume(state: SourceState) -> SourceState:
    """An operator's resume of a paused source: due now, failure history kept."""
    return replace(state, paused_reason=None, next_poll_at=None)
