"""Event lifecycle in the clusterer: merges keep every document, ids stay valid, and
``pulseaugur cluster`` reports documents under the surviving event."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pulseaugur.cluster import ClusterParams, OnlineClusterer, run_jsonl
from pulseaugur.cluster.stream import parse_line
from pulseaugur.types import Assignment, ClusterDoc

# Two events that a bridging document shows to be one (threshold and merge cuts chosen so
# that the bridge joins event 1 and then event 1's centroid reaches event 2's; its
# entities agree with event 2's at cosine 0.3 or more).
BRIDGE = ClusterParams(
    threshold=0.3, merge_threshold=0.35, merge_entity_cos=0.3, learned_storyline=False
)
TITLES = [
    "alpha1 bravo2 charlie3 delta4",
    "echo5 foxtrot6 golf7 hotel8",
    "kilo9 lima10 mike11 november12",
    "alpha1 bravo2 charlie3 delta4 echo5 foxtrot6 golf7 hotel8",
    "alpha1 bravo2 echo5 foxtrot6",
    "echo5 foxtrot6 golf7 hotel8",
]


class Ledger:
    """What a consumer of assignments (the pipeline) keeps: each document's event,
    with absorbed events' documents moved to the survivor, each event's storyline, with
    absorbed storylines' events moved to the survivor, and every id ever issued."""

    def __init__(self) -> None:
        self.event_of: dict[str, int] = {}
        self.redirect: dict[int, int] = {}
        self.storyline_of: dict[int, int] = {}
        self.line_redirect: dict[int, int] = {}
        self.issued: set[int] = set()

    def apply(self, a: Assignment) -> None:
        for absorbed in a.merged:
            assert absorbed != a.cluster_id
            assert absorbed not in self.redirect, "an event was absorbed twice"
            self.redirect[absorbed] = a.cluster_id
            for doc, event in self.event_of.items():
                if event == absorbed:
                    self.event_of[doc] = a.cluster_id
        for absorbed_line, surviving_line in a.merged_storylines:
            assert surviving_line < absorbed_line
            self.line_redirect[absorbed_line] = surviving_line
            for event, line in self.storyline_of.items():
                if line == absorbed_line:
                    self.storyline_of[event] = surviving_line
        assert a.cluster_id not in self.redirect, "a document joined an absorbed event"
        assert a.storyline_id not in self.line_redirect, "an event joined an absorbed storyline"
        assert a.doc_id not in self.event_of, "a document was placed twice"
        self.event_of[a.doc_id] = a.cluster_id
        self.issued.add(a.cluster_id)
        known = self.storyline_of.get(a.cluster_id)
        if known is not None and not a.merged_storylines:
            assert known == a.storyline_id, "an event changed storyline without a merge"
        self.storyline_of[a.cluster_id] = a.storyline_id

    def resolve(self, event: int) -> int:
        while event in self.redirect:
            event = self.redirect[event]
        return event


def test_a_bridging_document_merges_two_events_into_the_older() -> None:
    clusterer = OnlineClusterer(BRIDGE)
    out = [clusterer.add(ClusterDoc(id=str(i), title=t)) for i, t in enumerate(TITLES)]
    assert [a.cluster_id for a in out[:3]] == [1, 2, 3]
    assert out[3].cluster_id == 1
    assert out[3].merged == (2,)
    assert not out[3].created
    # the absorbed event is gone: later documents about it land in the survivor
    assert out[5].cluster_id == 1
    assert out[5].merged == ()
    assert clusterer.open_events == 2
    assert clusterer.next_id == 4  # ids are never reused


def test_merges_need_agreeing_entities() -> None:
    strict = replace(BRIDGE, merge_entity_cos=0.5)
    clusterer = OnlineClusterer(strict)
    out = [clusterer.add(ClusterDoc(id=str(i), title=t)) for i, t in enumerate(TITLES)]
    assert all(a.merged == () for a in out)
    assert out[3].cluster_id == 1
    assert out[5].cluster_id == 2


def test_merges_keep_every_document_and_published_ids_resolve() -> None:
    ledger = Ledger()
    clusterer = OnlineClusterer(BRIDGE)
    docs = [ClusterDoc(id=str(i), title=t) for i, t in enumerate(TITLES * 3)]
    for doc in docs:
        ledger.apply(clusterer.add(doc))
    assert ledger.redirect, "the stream was meant to merge"
    assert set(ledger.event_of) == {d.id for d in docs}  # nothing lost
    live = set(ledger.event_of.values())
    assert not live & set(ledger.redirect)  # no document stays in an absorbed event
    for event in ledger.issued:  # every id ever issued still names a live event
        assert ledger.resolve(event) in live
    for absorbed, survivor in ledger.redirect.items():
        assert survivor < absorbed  # the older (published first) event survives


def test_merges_respect_the_time_rules() -> None:
    t0 = datetime(2025, 8, 7, tzinfo=UTC)
    params = replace(BRIDGE, max_span_days=1.0)
    clusterer = OnlineClusterer(params)
    dates = [t0, t0 + timedelta(days=2), t0 + timedelta(days=2), t0 + timedelta(hours=12)]
    out = [
        clusterer.add(ClusterDoc(id=str(i), title=t, published_at=d))
        for i, (t, d) in enumerate(zip(TITLES[:2] + TITLES[2:4], dates, strict=True))
    ]
    # the bridge (12 h after event 1 began) joins event 1, but event 2 began 2 days later:
    # one event would span more than a day, so they stay apart
    assert out[3].cluster_id == 1
    assert out[3].merged == ()


def test_stream_output_reports_the_surviving_event(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "title": t}) + "\n" for i, t in enumerate(TITLES)),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    stats = run_jsonl(source, out, OnlineClusterer(BRIDGE))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == list(range(len(TITLES)))
    assert [line["cluster"] for line in lines] == [1, 1, 3, 1, 1, 1]
    assert all(line["storyline"] == 1 for line in lines if line["cluster"] == 1)
    assert stats.clusters == 2
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_stream_output_matches_the_final_state(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "clustering" / "uci-news-dev.jsonl"
    ledger = Ledger()
    clusterer = OnlineClusterer()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        ledger.apply(clusterer.add(parse_line(line, lineno, path)))
    out = tmp_path / "out.jsonl"
    run_jsonl(path, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {str(r["id"]): r["cluster"] for r in lines} == ledger.event_of
    assert all(r["storyline"] == ledger.storyline_of[r["cluster"]] for r in lines)


def test_real_stream_keeps_every_item_through_its_merges(shared_data: Path) -> None:
    path = shared_data / "clustering" / "uci-news-dev.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    ledger = Ledger()
    clusterer = OnlineClusterer()
    for lineno, line in enumerate(lines, start=1):
        ledger.apply(clusterer.add(parse_line(line, lineno, path)))
    assert ledger.redirect, "the default parameters merge some UCI events"
    assert len(ledger.event_of) == len(lines)
    members: defaultdict[int, int] = defaultdict(int)
    for event in ledger.event_of.values():
        members[event] += 1
    assert sum(members.values()) == len(lines)
    assert not set(members) & set(ledger.redirect)
    assert ledger.line_redirect, "the default parameters merge some UCI storylines"
    live_events = set(members)
    # every live event is in exactly one live storyline, named by an event id no larger
    for event in live_events:
        line = ledger.storyline_of[event]
        assert line not in ledger.line_redirect
        assert line <= event


@pytest.mark.parametrize("field", ["merge_threshold", "merge_entity_cos"])
@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_merge_cuts_are_validated(field: str, bad: float) -> None:
    with pytest.raises(ValueError, match=field):
        ClusterParams(**{field: bad})  # type: ignore[arg-type]
