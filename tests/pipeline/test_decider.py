"""Scheduling decisions: due sources, adaptive intervals, the server's wishes, backoff, pause."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pulseaugur.pipeline import decider
from pulseaugur.types import FetchResult, SourceState

from support import make_source

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SOURCE = make_source("s", poll_interval_s=900)


def _result(**changes: object) -> FetchResult:
    base = FetchResult("https://x/feed", 200, b"<rss/>", "application/rss+xml", '"e1"', None)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_due_skips_disabled_paused_and_not_yet_due() -> None:
    states = {
        "later": SourceState("later", next_poll_at=NOW + timedelta(minutes=1)),
        "paused": SourceState("paused", paused_reason="paused after failing for 3 days"),
        "overdue": SourceState("overdue", next_poll_at=NOW - timedelta(hours=1)),
    }
    sources = [
        make_source("later"),
        make_source("paused"),
        make_source("overdue"),
        make_source("new"),
        make_source("off", enabled=False),
    ]
    assert [s.id for s in decider.due_sources(sources, states, NOW)] == ["new", "overdue"]


def test_idle_polls_stretch_the_interval_and_news_resets_it() -> None:
    state = SourceState("s")
    intervals = []
    for _ in range(8):
        state = decider.after_success(state, SOURCE, _result(), NOW, items_new=0)
        intervals.append(state.interval_s)
    assert intervals[0] == 900
    assert intervals == sorted(intervals)
    assert intervals[-1] == 900 * decider.MAX_IDLE_FACTOR
    state = decider.after_success(state, SOURCE, _result(), NOW, items_new=3)
    assert state.interval_s == 900
    assert state.next_poll_at == NOW + timedelta(seconds=900)


def test_max_age_delays_the_next_poll_but_is_capped() -> None:
    state = decider.after_success(SourceState("s"), SOURCE, _result(max_age_s=7200), NOW, 1)
    assert state.next_poll_at == NOW + timedelta(hours=2)
    state = decider.after_success(SourceState("s"), SOURCE, _result(max_age_s=10**9), NOW, 1)
    assert state.next_poll_at == NOW + decider.MAX_INTERVAL


def test_304_keeps_validators() -> None:
    state = SourceState("s", etag='"old"', last_modified="Mon, 23 Nov 2026 00:00:00 GMT")
    after = decider.after_success(
        state, SOURCE, _result(status=304, not_modified=True, etag=None, content=b""), NOW
    )
    assert after.etag == '"old"'
    assert after.last_modified == state.last_modified


def test_failures_back_off_and_honour_retry_after() -> None:
    state = SourceState("s")
    state = decider.after_failure(state, SOURCE, "x: HTTP 503", NOW)
    assert state.next_poll_at == NOW + timedelta(seconds=900)
    state = decider.after_failure(state, SOURCE, "x: HTTP 503", NOW)
    assert state.next_poll_at == NOW + timedelta(seconds=1800)
    state = decider.after_failure(state, SOURCE, "x: HTTP 429", NOW, retry_after_s=6 * 3600)
    assert state.next_poll_at == NOW + timedelta(hours=6)
    for _ in range(30):
        state = decider.after_failure(state, SOURCE, "x: HTTP 503", NOW)
    assert state.next_poll_at == NOW + decider.MAX_INTERVAL
    assert state.failing_since == NOW


def test_failing_for_days_pauses_with_the_reason_and_success_clears_it() -> None:
    state = decider.after_failure(SourceState("s"), SOURCE, "x: cannot connect", NOW)
    state = decider.after_failure(state, SOURCE, "x: cannot connect", NOW + timedelta(days=2))
    assert state.paused_reason is None
    state = decider.after_failure(state, SOURCE, "x: cannot connect", NOW + timedelta(days=3))
    assert state.paused_reason is not None
    assert "3 days" in state.paused_reason
    assert "cannot connect" in state.paused_reason
    assert not decider.is_due(state, NOW + timedelta(days=30))
    resumed = decider.resume(state)
    assert decider.is_due(resumed, NOW + timedelta(days=3))
    healthy = decider.after_success(resumed, SOURCE, _result(), NOW + timedelta(days=4), 1)
    assert (healthy.failing_since, healthy.paused_reason, healthy.consecutive_failures) == (
        None,
        None,
        0,
    )
