"""No two live stories with the same headline.

Two events can draw the same title from their items: an outlet's evergreen explainer
republished months later ("ChatGPT: Everything you need to know …"), a lab reusing a
post title. :class:`HeadlineIndex` remembers which live event carries each headline
(compared after case folding and whitespace folding); :func:`distinct_headline` gives a
story whose headline another live event already carries a grounded variant
(:func:`~pulseaugur.summarize.headline.headline_variants`: a name from its own items,
else the date of one of its items from our records), so readers can tell the two apart.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from pulseaugur.storage.base import EventView, Storage
from pulseaugur.summarize.features import event_features
from pulseaugur.summarize.headline import headline_variants
from pulseaugur.summarize.lines import record_dates
from pulseaugur.types import Cluster, CoverageEntry, Story

log = logging.getLogger(__name__)


def headline_key(headline: str) -> str:
    """What two headlines must share to count as the same: case- and space-folded."""
    return " ".join(headline.casefold().split())


class HeadlineIndex:
    """Headline key → the live event carrying it, and back. Not thread-safe (the
    pipeline runs one document at a time)."""

    def __init__(self) -> None:
        self._owner: dict[str, int] = {}
        self._key_of: dict[int, str] = {}

    @classmethod
    def from_storage(cls, storage: Storage) -> HeadlineIndex:
        """The index of every live event with a story in ``storage`` (paged, 1,000 at a
        time; on a tie the older event keeps the headline)."""
        index = cls()
        cursor: str | None = None
        views: list[EventView] = []
        while True:
            page = storage.list_events(limit=1000, cursor=cursor)
            views.extend(page.events)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        for view in sorted(views, key=lambda v: v.cluster.id):
            if view.story is not None and index.is_free(view.story.headline, view.cluster.id):
                index.claim(view.story.headline, view.cluster.id)
        return index

    def is_free(self, headline: str, cluster_id: int) -> bool:
        """True when no other live event carries ``headline``."""
        owner = self._owner.get(headline_key(headline))
        return owner is None or owner == cluster_id

    def claim(self, headline: str, cluster_id: int) -> None:
        """Record that ``cluster_id`` now carries ``headline`` (releasing its old one)."""
        self.release(cluster_id)
        key = headline_key(headline)
        self._owner[key] = cluster_id
        self._key_of[cluster_id] = key

    def release(self, cluster_id: int) -> None:
        """Forget the headline of ``cluster_id`` (merged away, or about to change)."""
        key = self._key_of.pop(cluster_id, None)
        if key is not None and self._owner.get(key) == cluster_id:
            del self._owner[key]


def distinct_headline(
    story: Story,
    cluster: Cluster,
    entries: Sequence[CoverageEntry],
    now: datetime,
    index: HeadlineIndex,
) -> Story:
    """``story``, with a headline no other live event in ``index`` carries, claimed
    for ``cluster``: its own when free, else the first free variant (a name from the
    event's items, else one of its items' dates). When every variant is taken too, the
    story is kept as it is (and logged)."""
    if index.is_free(story.headline, cluster.id):
        index.claim(story.headline, cluster.id)
        return story
    features = event_features(cluster, entries, now)
    dates = record_dates(features)
    for variant in headline_variants(story.headline, features.entities, dates[::-1]):
        if index.is_free(variant, cluster.id):
            index.claim(variant, cluster.id)
            return replace(story, headline=variant)
    log.warning("event %d: headline %r is another event's too", cluster.id, story.headline)
    index.claim(story.headline, cluster.id)
    return story
