"""Publication dates as the pipeline stores them: aware, UTC, never in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["FUTURE_TOLERANCE", "DateFlag", "normalize_published", "to_utc"]

FUTURE_TOLERANCE = timedelta(days=1)
"""How far past ``fetched_at`` a date may lie before it is clamped. Generous enough for
feeds that stamp local dates as UTC or publish a few hours ahead of their clock."""

DateFlag = str
"""``"missing"`` (no date given; ``fetched_at`` used) or ``"future"`` (clamped)."""


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalize_published(
    published: datetime | None, fetched_at: datetime
) -> tuple[datetime, DateFlag | None]:
    """The date to store for an item, and a flag saying how much to trust it.

    - ``published`` given and not more than ``FUTURE_TOLERANCE`` after ``fetched_at``:
      returned in UTC, flag ``None``. Old dates are kept as they are.
    - ``published`` is ``None``: ``fetched_at`` in UTC, flag ``"missing"``.
    - ``published`` lies more than ``FUTURE_TOLERANCE`` after ``fetched_at``: clamped to
      ``fetched_at`` in UTC, flag ``"future"``.

    Naive datetimes (either argument) are taken as UTC. Pure.
    """
    fetched = to_utc(fetched_at)
    if published is None:
        return fetched, "missing"
    moment = to_utc(published)
    if moment - fetched > FUTURE_TOLERANCE:
        return fetched, "future"
    return moment, None
