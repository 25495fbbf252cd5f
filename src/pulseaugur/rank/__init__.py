"""rank: pure functions that order, classify, tag and score an event's coverage.

* :func:`order_coverage` / :func:`choose_primary` — authority order: originals first,
  then by tier, then earliest (:mod:`.authority`).
* :func:`classify_event_type` — one of :data:`EVENT_TYPES` by keyword rules
  (:mod:`.event_type`).
* :func:`tag_topics` — tags from the :data:`TOPICS` taxonomy by keyword rules
  (:mod:`.topics`).
* :func:`score` — the 0–100 score and its parts: authority, cluster strength, headline
  signal, time decay (:mod:`.scoring`).

Nothing here does I/O or reads the clock; every rule table is data a caller can replace.
"""

from pulseaugur.rank.authority import choose_primary, distinct_sources, order_coverage
from pulseaugur.rank.event_type import EVENT_RULES, EVENT_TYPES, classify_event_type
from pulseaugur.rank.rules import Rule
from pulseaugur.rank.scoring import (
    DEFAULT_WEIGHTS,
    HEADLINE_SIGNAL,
    TIER_POINTS,
    ScoreWeights,
    score,
)
from pulseaugur.rank.topics import FALLBACK_TAG, TOPIC_RULES, TOPICS, tag_topics

__all__ = [
    "DEFAULT_WEIGHTS",
    "EVENT_RULES",
    "EVENT_TYPES",
    "FALLBACK_TAG",
    "HEADLINE_SIGNAL",
    "TIER_POINTS",
    "TOPICS",
    "TOPIC_RULES",
    "Rule",
    "ScoreWeights",
    "choose_primary",
    "classify_event_type",
    "distinct_sources",
    "order_coverage",
    "score",
    "tag_topics",
]
