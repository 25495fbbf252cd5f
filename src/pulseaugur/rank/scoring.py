"""The 0–100 event score and its shown parts.

Every part runs from 0 to 100; the total is their weighted mean (weights from
:class:`ScoreWeights`, which default to summing to 1). All inputs are records: the
function reads no clock, so replays score with their simulated ``now``.

authority
    How authoritative the covering sources are. Each distinct source gets points by
    tier (:data:`TIER_POINTS`: tier 1 → 100, 2 → 65, 3 → 35); the part is 70% the best
    source's points plus 30% the mean points of the (up to) three best sources, plus
    :data:`ORIGINAL_BONUS` when an original (``Source.primary``) is among them; capped
    at 100.
cluster strength
    How widely the event is reported: ``100 · (1 − 0.7^(n + 0.5·t1))`` for ``n``
    distinct sources of which ``t1`` are tier 1. One tier-2 source scores 30, one tier-1
    source 41, three sources 66, five sources 83.
headline signal
    How newsworthy the kind of event is (:data:`HEADLINE_SIGNAL`, by event type: a
    launch, a lawsuit, an incident or a funding round outranks an analysis or an opinion
    piece).
time decay
    Freshness: ``100 · 0.5^(age / half-life)``, where ``age`` is ``now −
    cluster.last_updated`` (never negative) and the half-life is
    :attr:`ScoreWeights.half_life_hours`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pulseaugur.rank.authority import distinct_sources
from pulseaugur.rank.event_type import classify_event_type
from pulseaugur.types import Cluster, CoverageEntry, ScoreParts

if TYPE_CHECKING:
    from pulseaugur.config import Settings

TIER_POINTS: Mapping[int, float] = {1: 100.0, 2: 65.0, 3: 35.0}
"""Authority points of a source by tier; tiers outside 1–3 are clamped into it."""

ORIGINAL_BONUS = 10.0

STRENGTH_BASE = 0.7
TIER1_EXTRA = 0.5

HEADLINE_SIGNAL: Mapping[str, float] = {
    "launch": 85.0,
    "incident": 80.0,
    "funding": 75.0,
    "deal": 75.0,
    "legal": 75.0,
    "policy": 75.0,
    "paper": 70.0,
    "people": 60.0,
    "analysis": 45.0,
    "opinion": 40.0,
    "other": 35.0,
}
"""Headline-signal points by event type; unknown types score like ``other``."""


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """The weights of the four parts in the total, and the freshness half-life.

    Weights must be non-negative with a positive sum; the total divides by their sum, so
    it stays within 0–100 even for weights that do not add up to 1.
    """

    authority: float = 0.30
    cluster_strength: float = 0.30
    headline_signal: float = 0.15
    time_decay: float = 0.25
    half_life_hours: float = 12.0

    def __post_init__(self) -> None:
        weights = (self.authority, self.cluster_strength, self.headline_signal, self.time_decay)
        if any(w < 0 or not math.isfinite(w) for w in weights) or sum(weights) <= 0:
            raise ValueError(f"score weights must be non-negative with a positive sum: {self}")
        if not self.half_life_hours > 0:
            raise ValueError(f"half_life_hours must be positive: {self.half_life_hours}")

    @classmethod
    def from_settings(cls, settings: Settings) -> ScoreWeights:
        """The weights the ``score_*`` settings give (``score_authority``,
        ``score_cluster_strength``, ``score_headline_signal``, ``score_time_decay``,
        ``score_half_life_hours``). Raises ``ValueError`` for weights this class refuses
        (``check_settings`` refuses them first, naming the setting)."""
        return cls(
            authority=settings.score_authority,
            cluster_strength=settings.score_cluster_strength,
            headline_signal=settings.score_headline_signal,
            time_decay=settings.score_time_decay,
            half_life_hours=settings.score_half_life_hours,
        )

    @property
    def total_weight(self) -> float:
        """The sum of the four weights (1 for the defaults)."""
        return self.authority + self.cluster_strength + self.headline_signal + self.time_decay


DEFAULT_WEIGHTS = ScoreWeights()


def tier_points(tier: int) -> float:
    """Authority points of a source tier (clamped into 1–3)."""
    return TIER_POINTS[min(max(tier, 1), 3)]


def authority_part(entries: Sequence[CoverageEntry]) -> float:
    """The authority part, 0–100 (see the module docstring); 0 for no entries."""
    sources = distinct_sources(entries)
    if not sources:
        return 0.0
    points = sorted((tier_points(e.source.tier) for e in sources), reverse=True)
    top = points[:3]
    value = 0.7 * points[0] + 0.3 * (sum(top) / len(top))
    if any(e.source.primary for e in sources):
        value += ORIGINAL_BONUS
    return min(100.0, value)


def cluster_strength_part(entries: Sequence[CoverageEntry]) -> float:
    """The cluster-strength part, 0–100 (see the module docstring)."""
    sources = distinct_sources(entries)
    tier1 = sum(1 for e in sources if e.source.tier <= 1)
    return 100.0 * (1.0 - math.pow(STRENGTH_BASE, len(sources) + TIER1_EXTRA * tier1))


def headline_signal_part(event_type: str) -> float:
    """The headline-signal part for an event type, 0–100."""
    return HEADLINE_SIGNAL.get(event_type, HEADLINE_SIGNAL["other"])


def time_decay_part(last_updated: datetime, now: datetime, half_life_hours: float) -> float:
    """The freshness part, 0–100: 100 when ``last_updated`` is ``now`` or later."""
    age_h = max(0.0, (now - last_updated).total_seconds() / 3600.0)
    return 100.0 * math.pow(0.5, age_h / half_life_hours)


def score(
    entries: Sequence[CoverageEntry],
    cluster: Cluster,
    now: datetime,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
    *,
    event_type: str | None = None,
) -> ScoreParts:
    """The event's score parts and total, each 0–100 and rounded to 0.1.

    ``now`` is the scoring clock (the simulated one in replays); ``event_type`` may be
    passed when the caller already classified the event, else it is classified here.
    """
    kind = event_type if event_type is not None else classify_event_type(entries)
    authority = round(authority_part(entries), 1)
    strength = round(cluster_strength_part(entries), 1)
    signal = round(headline_signal_part(kind), 1)
    decay = round(time_decay_part(cluster.last_updated, now, weights.half_life_hours), 1)
    total = (
        weights.authority * authority
        + weights.cluster_strength * strength
        + weights.headline_signal * signal
        + weights.time_decay * decay
    ) / weights.total_weight
    return ScoreParts(
        authority=authority,
        cluster_strength=strength,
        headline_signal=signal,
        time_decay=decay,
        total=round(min(100.0, max(0.0, total)), 1),
    )
