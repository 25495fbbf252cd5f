"""The summarizer seam: anything that turns a cluster's coverage into a :class:`Story`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pulseaugur.types import Cluster, CoverageEntry, Story

EXTRACTIVE = "extractive"
"""The ``Story.summarizer`` of text no model wrote."""


class Summarizer(Protocol):
    """Writes the published view of an event.

    ``name`` goes into ``Story.summarizer``: ``"extractive"`` for text copied from the
    sources, else the model's name (which labels the text as AI-generated).

    ``summarize`` must be pure (no I/O besides a model call the implementation is built
    for), must not mutate its inputs, and must return a Story whose ``summary`` sentences
    each cite the ids of the items they came from, whose ``coverage_item_ids`` list every
    entry's item in authority order, and whose ``source_count`` is the number of distinct
    sources. ``now`` is the clock to score against (simulated in replays). It raises
    ``ValueError`` for an empty ``entries``.
    """

    name: str

    def summarize(self, cluster: Cluster, entries: Sequence[CoverageEntry], now: datetime) -> Story:
        """The story of ``cluster`` told from ``entries``."""
        ...
