"""Quality floors on the real labelled dev sets and the AI-news replay corpus.

The floors sit a few points below what the default parameters reach (see
``benchmarks/cluster.py``), so that a regression fails and noise does not.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from pulseaugur.cluster import OnlineClusterer, eval_files, run_jsonl
from pulseaugur.types import ClusterDoc


@pytest.mark.parametrize(
    ("name", "level", "floor"),
    [
        ("uci-news-dev", "storyline", 0.72),  # gold = stories; reached 0.743 (0.718 fixed)
        ("uci-news-dev", "cluster", 0.56),  # reached 0.605
        ("ecbplus-dev", "cluster", 0.84),  # gold = events; reached 0.875
    ],
)
def test_dev_set_bcubed_floor(
    shared_data: Path, tmp_path: Path, name: str, level: str, floor: float
) -> None:
    source = shared_data / "clustering" / f"{name}.jsonl"
    pred = tmp_path / "pred.jsonl"
    stats = run_jsonl(source, pred)
    scores = eval_files(source, pred, level=level)  # type: ignore[arg-type]
    assert scores["bcubed_f1"] >= floor, scores
    assert stats.docs == scores["docs"]


def test_replay_builds_multi_source_events_without_giant_clusters(shared_data: Path) -> None:
    rows = [
        json.loads(line)
        for line in (shared_data / "replay" / "ai-news-items.jsonl").open(encoding="utf-8")
    ]
    clusterer = OnlineClusterer()
    members: defaultdict[int, list[dict[str, str]]] = defaultdict(list)
    gpt5_events: set[int] = set()
    for i, row in enumerate(rows):
        published = row["published_at"]
        doc = ClusterDoc(
            id=str(i),
            title=row["title"] or "",
            body=row["summary"],
            published_at=datetime.fromisoformat(published) if published else None,
            source=row["source"],
        )
        a = clusterer.add(doc)
        members[a.cluster_id].append(row)
        if "GPT-5" in doc.title and (published or "")[:10] in ("2025-08-07", "2025-08-08"):
            gpt5_events.add(a.cluster_id)
    assert len(gpt5_events) == 1, "the GPT-5 launch coverage split"
    launch = members[gpt5_events.pop()]
    assert len({r["source"] for r in launch}) >= 5
    assert max(len(m) for m in members.values()) <= 60  # reached 34 (the GPT-5 launch)
    multi = [m for m in members.values() if len({r["source"] for r in m}) > 1]
    assert len(multi) >= 600  # reached 744
