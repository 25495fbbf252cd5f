"""The pipeline: everything that happens to a fetched document, in order.

Roughly ``parse | normalize | dedup | store | cluster | summarize | store``::

    FetchResult ─parse─▶ RawItem* ─normalize_item─▶ Item* ─storage.add_item─▶ new Item*
        ─clusterer.add─▶ Assignment* ─storage─▶ touched events ─summarizer─▶ Story* ─storage─▶

The stages themselves do no I/O; this class is the one place that calls storage and the
stages in turn. It is synchronous and not thread-safe (the clusterer holds state): the
scheduler runs one ``process`` at a time.

Exact duplicates are recorded by storage and not stored; near-duplicates (syndicated
copies, see ``dedup.near``) are stored, pointing at the item they copy. A social post
linking to a stored article joins the article's event (and an article joins the event
of a post that linked to it first), whatever the text similarity.

When a document shows open events to be one (``Assignment.merged``), each absorbed
event is merged into the document's event in storage, in the clusterer's order, before
the document joins it (``Storage.merge_clusters``: the absorbed ids keep answering and
redirect to the survivor); then the survivor's story is written anew and the absorbed
events are not summarized again. No two live events carry the same headline: a story
whose headline another live event has gets a grounded variant (``pipeline/headlines.py``).
Storylines found to be one
(``Assignment.merged_storylines``) move all their events to the surviving storyline.

Nothing is lost across restarts: ``resume`` rebuilds the clusterer (and the
near-duplicate index) from the live events of the last ``window`` (merged events' items
come back under their survivor) and clusters any stored item that never reached an
event (a crash between storing and clustering).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from pulseaugur.cluster.base import Clusterer
from pulseaugur.dedup.keys import item_id
from pulseaugur.dedup.near import NearDuplicateIndex, simhash
from pulseaugur.normalize.item import normalize_item
from pulseaugur.pipeline.headlines import HeadlineIndex, distinct_headline
from pulseaugur.pipeline.slug import slugify
from pulseaugur.sources.kinds import parse_document
from pulseaugur.storage.base import Storage
from pulseaugur.summarize.base import Summarizer
from pulseaugur.types import (
    Assignment,
    Cluster,
    ClusterDoc,
    FetchResult,
    Item,
    RawItem,
    Source,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(slots=True)
class ProcessReport:
    """What one document did to the database."""

    items_seen: int = 0
    items_new: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    clusters_created: int = 0
    clusters_touched: set[int] = field(default_factory=set)
    """Live events that gained items (their stories are rewritten)."""
    clusters_merged: list[int] = field(default_factory=list)
    """Events absorbed into others, in the order they were merged."""
    hub: str | None = None
    """The WebSub hub the document names, and the topic (its own URL) to subscribe to."""
    topic: str | None = None


def cluster_doc(item: Item) -> ClusterDoc:
    """The clusterer's view of a stored item. A translated item is clustered by its
    English title (so that it meets English coverage of the same event), with the
    original title leading its body (so that it still meets same-language coverage)."""
    translated = bool(item.title_en) and item.title_en != item.title
    body = f"{item.title}\n{item.body}" if translated else item.body
    return ClusterDoc(
        id=item.id,
        title=item.title_en if translated else item.title,
        body=body or None,
        lang=item.lang,
        published_at=item.published_at,
        source=item.source_id,
        url=item.canonical_url or item.url_original,
    )


class Pipeline:
    """Runs fetched documents through every stage into storage.

    ``translate_titles``, when given, fills ``title_en`` of new non-English items before
    they are stored (see ``normalize.translate``); it must leave items it cannot
    translate unchanged.
    """

    def __init__(
        self,
        storage: Storage,
        clusterer: Clusterer,
        summarizer: Summarizer,
        *,
        clock: Clock,
        translate_titles: Callable[[Sequence[Item]], list[Item]] | None = None,
    ) -> None:
        self.storage = storage
        self.translate_titles = translate_titles
        self.clusterer = clusterer
        self.summarizer = summarizer
        self.clock = clock
        self.near_duplicates = NearDuplicateIndex()
        self._headlines: HeadlineIndex | None = None

    @property
    def headlines(self) -> HeadlineIndex:
        """Which live event carries each headline, read from storage on first use."""
        if self._headlines is None:
            self._headlines = HeadlineIndex.from_storage(self.storage)
        return self._headlines

    def resume(self, window: timedelta) -> int:
        """Rebuild clusterer state from events updated within ``window`` of now, then
        cluster stored items that are in no event. Returns the number of such items."""
        members = self.storage.recent_cluster_members(self.clock() - window)
        for _, item in members:
            fingerprint = simhash(item.body)
            if fingerprint is not None:
                self.near_duplicates.add(item.id, fingerprint, item.published_at)
        self.clusterer.restore(
            ((cid, cluster_doc(item)) for cid, item in members),
            self.storage.storylines([cid for cid, _ in members]),
            min_next_id=self.storage.max_cluster_id() + 1,
        )
        orphans = self.storage.items_without_cluster()
        if orphans:
            log.info("clustering %d stored items that were in no event", len(orphans))
            self._cluster_and_summarize(orphans, ProcessReport())
        return len(orphans)

    def process(self, source: Source, result: FetchResult) -> ProcessReport:
        """Parse one fetched document and take its items through every stage.

        Raises ``ParseError`` when the document is not a readable feed; nothing is
        stored in that case.
        """
        report = ProcessReport()
        if result.not_modified:
            return report
        fetched_at = self.clock()
        feed = parse_document(
            source.kind, result.content, url=result.url, content_type=result.content_type
        )
        report.items_seen = len(feed.items)
        report.hub, report.topic = feed.hub, feed.self_url or result.url
        fresh = self._unseen(source, feed.items, fetched_at)
        if self.translate_titles is not None:
            fresh = self.translate_titles(fresh)
        new_items = self._store(fresh, report)
        report.items_new = len(new_items)
        self._cluster_and_summarize(new_items, report)
        return report

    def _unseen(
        self, source: Source, entries: Sequence[RawItem], fetched_at: datetime
    ) -> list[Item]:
        """The entries not stored yet, normalized. Feeds repeat their recent entries on
        every poll, so those known by their guid are skipped before the costly
        normalization; the rest are known only once normalized (by URL or content)."""
        quick_ids = [
            item_id(source.id, raw.guid, None, "") if (raw.guid or "").strip() else None
            for raw in entries
        ]
        known = self.storage.known_item_ids([i for i in quick_ids if i is not None])
        fresh = [
            item
            for raw, quick_id in zip(entries, quick_ids, strict=True)
            if quick_id not in known and (item := normalize_item(raw, source, fetched_at))
        ]
        stored = self.storage.known_item_ids([item.id for item in fresh])
        return [item for item in fresh if item.id not in stored]

    def _store(self, fresh: Sequence[Item], report: ProcessReport) -> list[Item]:
        """Store new items, marking near-copies of recent ones; returns those stored."""
        new_items: list[Item] = []
        for item in fresh:
            fingerprint = simhash(item.body)
            original = self.near_duplicates.find(fingerprint) if fingerprint is not None else None
            if original is not None:
                item = replace(item, near_duplicate_of=original)
            outcome = self.storage.add_item(item)
            if outcome.status == "stored":
                new_items.append(item)
                report.near_duplicates += original is not None
                if fingerprint is not None:
                    self.near_duplicates.add(item.id, fingerprint, item.published_at)
            elif outcome.status == "duplicate":
                report.duplicates += 1
        return new_items

    def _cluster_and_summarize(self, items: Iterable[Item], report: ProcessReport) -> None:
        now = self.clock()
        for item in items:
            linked = self.storage.linked_cluster(item)
            if linked is not None:
                storyline = self.storage.storylines([linked]).get(linked)
                assignment = self.clusterer.place(cluster_doc(item), linked, storyline)
            else:
                assignment = self.clusterer.add(cluster_doc(item))
            self._record(item, assignment, now)
            report.clusters_touched.difference_update(assignment.merged)
            report.clusters_touched.add(assignment.cluster_id)
            report.clusters_merged.extend(assignment.merged)
            report.clusters_created += assignment.created
        for cluster_id in sorted(report.clusters_touched):
            self.summarize(cluster_id)

    def _record(self, item: Item, assignment: Assignment, now: datetime) -> None:
        """Store the assignment: the event (created or touched), the merges it reports
        (in order, once the survivor exists, before the item joins), the membership."""
        if assignment.created:
            cluster = Cluster(
                id=assignment.cluster_id,
                slug=slugify(item.title_en or item.title),
                first_seen=now,
                last_updated=now,
                storyline_id=assignment.storyline_id,
            )
        else:
            cluster = replace(
                self.storage.get_cluster(assignment.cluster_id),
                last_updated=now,
                storyline_id=assignment.storyline_id,
            )
        self.storage.save_cluster(cluster)
        for absorbed in assignment.merged:
            log.info("event %d merged into event %d", absorbed, cluster.id)
            self.storage.merge_clusters(absorbed, cluster.id, now)
            self.headlines.release(absorbed)
        for absorbed_line, surviving_line in assignment.merged_storylines:
            moved = self.storage.merge_storylines(absorbed_line, surviving_line)
            log.info(
                "storyline %d merged into storyline %d (%d events)",
                absorbed_line,
                surviving_line,
                moved,
            )
        self.storage.add_membership(cluster.id, item.id, assignment.similarity)

    def summarize(self, cluster_id: int) -> None:
        """Recount an event's coverage and write its story anew."""
        coverage = self.storage.cluster_coverage(cluster_id)
        if not coverage:
            return
        cluster = replace(
            self.storage.get_cluster(cluster_id),
            item_count=len(coverage),
            source_count=len({entry.source.id for entry in coverage}),
        )
        self.storage.save_cluster(cluster)
        now = self.clock()
        story = self.summarizer.summarize(cluster, coverage, now)
        story = distinct_headline(story, cluster, coverage, now, self.headlines)
        self.storage.save_story(replace(story, version=cluster.item_count))
