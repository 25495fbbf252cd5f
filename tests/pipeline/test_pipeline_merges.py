"""The pipeline applies the merges a clusterer reports (``Assignment.merged``).

A scripted clusterer (the ``Clusterer`` protocol, deciding by title) stands in for the
real one, so each test names the merges it wants; storage is real SQLite and the
summarizer is the real extractive one, recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pulseaugur.cluster.base import Clusterer
from pulseaugur.pipeline.pipeline import Pipeline, ProcessReport
from pulseaugur.storage import SqlStorage, open_storage
from pulseaugur.summarize import ExtractiveSummarizer
from pulseaugur.types import Assignment, Cluster, ClusterDoc, CoverageEntry, FetchResult, Story

from support import make_source

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
Script = Mapping[str, tuple[int, tuple[int, ...]]]
"""Title -> (event id, ids of the events it absorbs)."""


class ScriptedClusterer:
    """Puts each document where ``script`` says (by title), reporting its merges, and
    remembers what ``restore`` was given."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.open: set[int] = set()
        self._next_id = 1
        self.restored: list[tuple[int, str]] = []
        self.restored_storylines: dict[int, int] = {}
        self.restored_min_next_id: int | None = None
        self.line_merges: dict[str, tuple[tuple[int, int], ...]] = {}
        """Title -> the (absorbed, survivor) storylines its arrival reports."""

    @property
    def next_id(self) -> int:
        return self._next_id

    def add(self, doc: ClusterDoc) -> Assignment:
        cluster_id, merged = self.script[doc.title]
        assert set(merged) <= self.open, "a clusterer only absorbs open events"
        created = cluster_id not in self.open
        self.open.difference_update(merged)
        self.open.add(cluster_id)
        self._next_id = max(self._next_id, cluster_id + 1)
        lines = self.line_merges.get(doc.title, ())
        storyline = min([cluster_id, *(survivor for _, survivor in lines)])
        return Assignment(doc.id, cluster_id, storyline, created, 0.5, merged, lines)

    def place(
        self, doc: ClusterDoc, cluster_id: int, storyline_id: int | None = None
    ) -> Assignment:
        self.open.add(cluster_id)
        return Assignment(doc.id, cluster_id, storyline_id or cluster_id, False, 1.0)

    def restore(
        self,
        members: Iterable[tuple[int, ClusterDoc]],
        storylines: Mapping[int, int] | None = None,
        *,
        min_next_id: int = 1,
    ) -> None:
        for cluster_id, doc in members:
            self.restored.append((cluster_id, doc.title))
            self.open.add(cluster_id)
            self._next_id = max(self._next_id, cluster_id + 1)
        self.restored_storylines = dict(storylines or {})
        self.restored_min_next_id = min_next_id
        self._next_id = max(self._next_id, min_next_id)


class RecordingSummarizer:
    """The extractive summarizer, noting which events it was asked to write."""

    name = "extractive"

    def __init__(self) -> None:
        self.inner = ExtractiveSummarizer()
        self.calls: list[int] = []

    def summarize(self, cluster: Cluster, entries: Sequence[CoverageEntry], now: datetime) -> Story:
        self.calls.append(cluster.id)
        return self.inner.summarize(cluster, entries, now)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SqlStorage]:
    store = open_storage(f"sqlite:///{tmp_path / 'merges.sqlite3'}")
    store.sync_sources([make_source()])
    yield store
    store.close()


def _feed(*titles: str) -> FetchResult:
    """An RSS document with one entry per title, an hour apart."""
    entries = "".join(
        f"<item><title>{title}</title><link>https://openai.com/news/{title}</link>"
        f"<guid>https://openai.com/news/{title}</guid>"
        f"<description>{title} reported: OpenAI shipped a new model today.</description>"
        f"<pubDate>Tue, 24 Nov 2026 {n + 1:02d}:00:00 GMT</pubDate></item>"
        for n, title in enumerate(titles)
    )
    body = f"<rss version='2.0'><channel><title>OpenAI</title>{entries}</channel></rss>"
    return FetchResult("https://openai.com/news/rss.xml", 200, body.encode(), None, None, None)


def _pipeline(
    storage: SqlStorage, script: Script
) -> tuple[Pipeline, ScriptedClusterer, RecordingSummarizer]:
    clusterer, summarizer = ScriptedClusterer(script), RecordingSummarizer()
    assert isinstance(clusterer, Clusterer)
    return Pipeline(storage, clusterer, summarizer, clock=lambda: NOW), clusterer, summarizer


def _process(pipeline: Pipeline, *titles: str) -> ProcessReport:
    return pipeline.process(make_source(), _feed(*titles))


def _titles(storage: SqlStorage, cluster_id: int) -> set[str]:
    return {entry.item.title for entry in storage.get_event(cluster_id).coverage}


SCRIPT: Script = {
    "alpha": (1, ()),
    "beta": (2, ()),
    "gamma": (3, ()),
    "delta": (1, (2, 3)),
    "epsilon": (1, ()),
}


def test_a_reported_merge_moves_every_item_to_the_survivor(storage: SqlStorage) -> None:
    pipeline, _, summarizer = _pipeline(storage, SCRIPT)
    _process(pipeline, "alpha", "beta", "gamma")
    assert sorted(summarizer.calls) == [1, 2, 3]
    summarizer.calls.clear()

    report = _process(pipeline, "alpha", "beta", "gamma", "delta")

    assert report.items_new == 1
    assert report.clusters_merged == [2, 3]
    assert report.clusters_touched == {1}
    assert summarizer.calls == [1], "only the survivor's story is written again"
    (event,) = storage.list_events().events
    assert event.cluster.id == 1
    joined = [entry.item.title for entry in storage.cluster_coverage(1)]
    assert joined == ["alpha", "beta", "gamma", "delta"], "absorbed items before the new one"
    assert event.cluster.item_count == 4
    assert event.story is not None
    assert event.story.version == 4
    assert {e.item.id for e in event.coverage} == set(event.story.coverage_item_ids)
    for absorbed in (2, 3):
        gone = storage.get_event(absorbed)
        assert gone.cluster.merged_into == 1
        assert gone.story is None
    counts = storage.counts()
    assert (counts.items, counts.clusters, counts.merged_clusters, counts.stories) == (4, 1, 2, 1)


def test_an_event_touched_earlier_in_the_same_document_is_not_summarized(
    storage: SqlStorage,
) -> None:
    pipeline, _, summarizer = _pipeline(
        storage, {"alpha": (1, ()), "beta": (2, ()), "gamma": (1, (2,))}
    )
    report = _process(pipeline, "alpha", "beta", "gamma")
    assert report.clusters_touched == {1}
    assert report.clusters_created == 2
    assert summarizer.calls == [1]
    assert [e.cluster.id for e in storage.list_events().events] == [1]
    assert _titles(storage, 1) == {"alpha", "beta", "gamma"}
    assert storage.get_cluster(2).merged_into == 1


def test_a_new_event_can_absorb_open_ones(storage: SqlStorage) -> None:
    pipeline, _, _ = _pipeline(storage, {"alpha": (1, ()), "beta": (2, ()), "omega": (4, (1, 2))})
    _process(pipeline, "alpha", "beta")
    report = _process(pipeline, "alpha", "beta", "omega")
    assert report.clusters_created == 1
    (event,) = storage.list_events().events
    assert event.cluster.id == 4
    assert event.cluster.slug == "omega"
    assert _titles(storage, 4) == {"alpha", "beta", "omega"}
    assert storage.get_cluster(1).merged_into == 4
    assert storage.get_cluster(2).merged_into == 4


def test_resume_after_merges_restores_the_survivor_with_every_item(storage: SqlStorage) -> None:
    first, _, _ = _pipeline(storage, SCRIPT)
    _process(first, "alpha", "beta", "gamma")
    _process(first, "alpha", "beta", "gamma", "delta")

    restarted, clusterer, summarizer = _pipeline(storage, SCRIPT)
    assert restarted.resume(timedelta(days=14)) == 0

    assert sorted(clusterer.restored) == [
        (1, "alpha"),
        (1, "beta"),
        (1, "delta"),
        (1, "gamma"),
    ]
    assert clusterer.restored_storylines == {1: 1}
    assert clusterer.restored_min_next_id == 4, "merged ids are never handed out again"
    report = _process(restarted, "alpha", "beta", "gamma", "delta", "epsilon")
    assert report.clusters_created == 0
    assert summarizer.calls == [1]
    assert _titles(storage, 1) == {"alpha", "beta", "gamma", "delta", "epsilon"}
    assert storage.items_without_cluster() == []


def test_a_reported_storyline_merge_moves_every_event_of_it(storage: SqlStorage) -> None:
    pipeline, clusterer, _ = _pipeline(
        storage, {"alpha": (1, ()), "beta": (2, ()), "gamma": (3, ()), "delta": (3, ())}
    )
    _process(pipeline, "alpha", "beta", "gamma")
    assert storage.storylines([1, 2, 3]) == {1: 1, 2: 2, 3: 3}
    clusterer.line_merges["delta"] = ((2, 1), (3, 1))

    _process(pipeline, "alpha", "beta", "gamma", "delta")

    assert storage.storylines([1, 2, 3]) == {1: 1, 2: 1, 3: 1}
    assert {e.cluster.storyline_id for e in storage.list_events().events} == {1}
