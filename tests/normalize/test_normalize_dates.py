"""normalize_published and to_utc."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from pulseaugur.normalize.dates import FUTURE_TOLERANCE, normalize_published, to_utc

FETCHED = datetime(2025, 8, 7, 17, 0, tzinfo=UTC)
PACIFIC = timezone(timedelta(hours=-7))


def test_past_date_kept_in_utc() -> None:
    published = datetime(2025, 8, 7, 9, 30, tzinfo=PACIFIC)
    moment, flag = normalize_published(published, FETCHED)
    assert moment == datetime(2025, 8, 7, 16, 30, tzinfo=UTC)
    assert moment.tzinfo is UTC
    assert flag is None


def test_missing_date_uses_fetched_at() -> None:
    assert normalize_published(None, FETCHED) == (FETCHED, "missing")


def test_far_future_date_is_clamped() -> None:
    published = FETCHED + FUTURE_TOLERANCE + timedelta(seconds=1)
    assert normalize_published(published, FETCHED) == (FETCHED, "future")
    # A feed stamping next year's date (real case: dates in the AI feeds run into 2026).
    assert normalize_published(datetime(2026, 8, 22, tzinfo=UTC), FETCHED) == (FETCHED, "future")


@pytest.mark.parametrize("ahead", [timedelta(0), timedelta(hours=9), FUTURE_TOLERANCE])
def test_slightly_future_date_is_kept(ahead: timedelta) -> None:
    assert normalize_published(FETCHED + ahead, FETCHED) == (FETCHED + ahead, None)


def test_naive_datetimes_are_utc() -> None:
    naive_published = datetime(2025, 8, 7, 12, 0)
    naive_fetched = datetime(2025, 8, 7, 17, 0)
    moment, flag = normalize_published(naive_published, naive_fetched)
    assert moment == datetime(2025, 8, 7, 12, 0, tzinfo=UTC)
    assert flag is None
    missing, flag = normalize_published(None, naive_fetched)
    assert missing == FETCHED
    assert missing.tzinfo is UTC
    assert flag == "missing"


def test_future_check_compares_instants_not_wall_clock() -> None:
    # 23:00 at UTC-7 is 06:00 UTC the next day: 13 h ahead of fetch, within tolerance.
    published = datetime(2025, 8, 7, 23, 0, tzinfo=PACIFIC)
    assert normalize_published(published, FETCHED) == (published.astimezone(UTC), None)


def test_very_old_dates_are_kept() -> None:
    # paulgraham.com's feed dates "Hiring is Obsolete" 1994-02-01 (replay corpus).
    old = datetime(1994, 2, 1, tzinfo=UTC)
    assert normalize_published(old, FETCHED) == (old, None)


def test_to_utc() -> None:
    assert to_utc(datetime(2025, 1, 1, 12, tzinfo=PACIFIC)) == datetime(2025, 1, 1, 19, tzinfo=UTC)
    assert to_utc(datetime(2025, 1, 1, 12)).tzinfo is UTC
