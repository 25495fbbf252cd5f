"""OnlineClusterer behaviour: ids, determinism, restore, time, features, parameters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pulseaugur.cluster import Clusterer, ClusterParams, OnlineClusterer
from pulseaugur.cluster.features import PROPER, STRONG, headline_and_body, raw_terms, tokens
from pulseaugur.types import ClusterDoc

T0 = datetime(2025, 8, 7, 12, 0, tzinfo=UTC)

HEADLINES = [
    "OpenAI launches GPT-5 with built-in reasoning for all ChatGPT users",
    "Nvidia reports record $46.7 billion quarterly revenue on data center demand",
    "GPT-5 is here: OpenAI's new flagship model rolls out to ChatGPT",
    "Meta releases Llama 3.1 405B as an open-weight model",
    "Nvidia revenue jumps to $46.7 billion as data center sales soar",
    "OpenAI's GPT-5 arrives in ChatGPT, free users included",
    "Llama 3.1 405B: Meta's biggest open model yet",
    "Anthropic raises $13 billion at a $183 billion valuation",
    "Anthropic's $13 billion round values the Claude maker at $183 billion",
    "Apple unveils iPhone 17 at its September event",
]


def docs(titles: list[str], start: datetime | None = T0, step_h: float = 1.0) -> list[ClusterDoc]:
    """Documents with ids d0, d1, ... an hour apart (undated when ``start`` is None)."""
    return [
        ClusterDoc(
            id=f"d{i}",
            title=t,
            published_at=None if start is None else start + timedelta(hours=step_h * i),
            source=f"src{i % 3}",
        )
        for i, t in enumerate(titles)
    ]


def run(items: list[ClusterDoc], params: ClusterParams | None = None) -> list[tuple[int, int]]:
    clusterer = OnlineClusterer(params)
    return [(a.cluster_id, a.storyline_id) for a in map(clusterer.add, items)]


def test_implements_the_protocol_and_allocates_increasing_ids() -> None:
    clusterer = OnlineClusterer()
    assert isinstance(clusterer, Clusterer)
    assert clusterer.next_id == 1
    created = []
    for doc in docs(HEADLINES):
        a = clusterer.add(doc)
        assert a.doc_id == doc.id
        if a.created:
            assert a.cluster_id == clusterer.next_id - 1
            created.append(a.cluster_id)
    assert created == list(range(1, len(created) + 1))


def test_groups_coverage_of_the_same_event() -> None:
    ids = [c for c, _ in run(docs(HEADLINES))]
    assert ids[0] == ids[2] == ids[5]  # GPT-5
    assert ids[1] == ids[4]  # Nvidia revenue
    assert ids[3] == ids[6]  # Llama 3.1
    assert ids[7] == ids[8]  # Anthropic round
    assert len({ids[0], ids[1], ids[3], ids[7], ids[9]}) == 5


def test_every_document_gets_one_cluster_and_storylines_are_consistent() -> None:
    clusterer = OnlineClusterer()
    storyline_of: dict[int, int] = {}
    for doc in docs(HEADLINES * 3):
        a = clusterer.add(doc)
        assert a.cluster_id >= 1
        assert a.storyline_id <= a.cluster_id
        assert storyline_of.setdefault(a.cluster_id, a.storyline_id) == a.storyline_id
        if a.created and a.storyline_id == a.cluster_id:
            assert a.cluster_id not in set(storyline_of.values()) - {a.cluster_id}


def test_deterministic_within_and_across_processes() -> None:
    items = docs(HEADLINES * 2)
    first = run(items)
    assert run(items) == first
    script = (
        "import json, sys\n"
        "from datetime import datetime\n"
        "from pulseaugur.cluster import OnlineClusterer\n"
        "from pulseaugur.types import ClusterDoc\n"
        "rows = json.loads(sys.stdin.read())\n"
        "c = OnlineClusterer()\n"
        "out = [c.add(ClusterDoc(id=i, title=t, published_at=datetime.fromisoformat(p),"
        " source=s)) for i, t, p, s in rows]\n"
        "print(json.dumps([[a.cluster_id, a.storyline_id, a.similarity] for a in out]))\n"
    )
    payload = json.dumps(
        [[d.id, d.title, d.published_at.isoformat(), d.source] for d in items if d.published_at]
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert [tuple(o[:2]) for o in outputs[0]] == first


def test_restore_places_documents_and_continues_ids() -> None:
    clusterer = OnlineClusterer()
    stored = docs(HEADLINES[:2])
    clusterer.restore([(5, stored[0]), (9, stored[1])], storylines={9: 5})
    assert clusterer.next_id == 10
    a = clusterer.add(ClusterDoc(id="x", title=HEADLINES[2], published_at=T0 + timedelta(hours=3)))
    assert (a.cluster_id, a.storyline_id, a.created) == (5, 5, False)
    b = clusterer.add(ClusterDoc(id="y", title=HEADLINES[4], published_at=T0 + timedelta(hours=4)))
    assert (b.cluster_id, b.storyline_id, b.created) == (9, 5, False)
    c = clusterer.add(ClusterDoc(id="z", title=HEADLINES[9], published_at=T0 + timedelta(hours=5)))
    assert (c.cluster_id, c.created) == (10, True)
    assert clusterer.next_id == 11


def test_restore_honours_min_next_id_and_rejects_bad_ids() -> None:
    clusterer = OnlineClusterer()
    clusterer.restore([], min_next_id=42)
    assert clusterer.next_id == 42
    assert clusterer.add(docs(["Something new happened today"])[0]).cluster_id == 42
    with pytest.raises(ValueError, match="positive"):
        OnlineClusterer().restore([(0, docs(["x"])[0])])


def test_restore_closes_events_that_went_idle() -> None:
    clusterer = OnlineClusterer()
    old = ClusterDoc(id="old", title=HEADLINES[0], published_at=T0)
    recent = ClusterDoc(id="new", title=HEADLINES[9], published_at=T0 + timedelta(days=20))
    clusterer.restore([(1, old), (2, recent)])
    assert clusterer.open_events == 1
    again = ClusterDoc(id="again", title=HEADLINES[2], published_at=T0 + timedelta(days=20))
    assert clusterer.add(again).cluster_id == 3


def test_documents_far_apart_in_time_do_not_join() -> None:
    title = "OpenAI launches GPT-5 with built-in reasoning for all ChatGPT users"
    clusterer = OnlineClusterer()
    first = clusterer.add(ClusterDoc(id="a", title=title, published_at=T0))
    near = clusterer.add(ClusterDoc(id="b", title=title, published_at=T0 + timedelta(days=1)))
    far = clusterer.add(ClusterDoc(id="c", title=title, published_at=T0 + timedelta(days=30)))
    assert near.cluster_id == first.cluster_id
    assert far.created
    assert far.cluster_id != first.cluster_id
    assert clusterer.open_events == 1  # the first event was closed when the clock moved on


def test_time_is_ignored_without_dates() -> None:
    title = "OpenAI launches GPT-5 with built-in reasoning for all ChatGPT users"
    clusterer = OnlineClusterer()
    ids = {clusterer.add(ClusterDoc(id=f"u{i}", title=title)).cluster_id for i in range(5)}
    assert ids == {1}
    dated = clusterer.add(ClusterDoc(id="d", title=title, published_at=T0))
    assert dated.cluster_id == 1  # an undated event takes dated documents


def test_events_do_not_outgrow_max_span() -> None:
    title = "OpenAI launches GPT-5 with built-in reasoning for all ChatGPT users"
    params = ClusterParams()
    clusterer = OnlineClusterer(params)
    days = int(params.max_span_days) + 3
    ids = [
        clusterer.add(ClusterDoc(id=f"s{d}", title=title, published_at=T0 + timedelta(days=d)))
        for d in range(days)
    ]
    first = ids[0].cluster_id
    assert all(a.cluster_id == first for a in ids[: int(params.max_span_days) + 1])
    assert ids[-1].cluster_id != first


def _word(i: int) -> str:
    """A distinct letters-only word for every ``i``."""
    letters = ""
    while True:
        i, r = divmod(i, 26)
        letters += "bcdfghjklmnpqrstvwxzaeiouy"[r]
        if i == 0:
            return letters + "ovar"


def test_source_boilerplate_is_downweighted() -> None:
    clusterer = OnlineClusterer()
    for i in range(120):
        title = f"Show HN: {_word(2 * i)} {_word(2 * i + 1)}"
        clusterer.add(ClusterDoc(id=f"hn{i}", title=title, published_at=T0, source="hn"))
    probe = "Show HN: zebrafish tracker"
    at_hn = dict(clusterer.vectorize(ClusterDoc(id="p1", title=probe, source="hn")))
    elsewhere = dict(clusterer.vectorize(ClusterDoc(id="p2", title=probe, source="blog")))
    assert at_hn["show"] < 0.3 * elsewhere["show"]
    assert at_hn["zebrafish"] > elsewhere["zebrafish"]


def test_tokens_keep_names_numbers_and_money() -> None:
    terms = dict(
        tokens("Meta releases Llama 3.1 405B; OpenAI raises $6.6 billion for GPT-5 and o3")
    )
    assert terms["gpt-5"] == STRONG
    assert terms["o3"] == STRONG
    assert terms["llama_3.1"] == STRONG
    assert terms["$6.6b"] == STRONG
    assert terms["405b"] == STRONG
    assert terms["llama"] == PROPER
    counts, _ = raw_terms(
        "Nvidia's revenue hits 14,000 units",
        "<p>Nvidia&#8217;s revenue &amp; more</p>",
        title_weight=2.0,
        body_weight=1.0,
        body_max_tokens=50,
    )
    assert counts["nvidia"] == 3.0
    assert counts["14000"] == 2.0
    assert "8217" not in counts
    assert "p" not in counts


def test_non_english_titles_cluster_lexically() -> None:
    items = docs(["OpenAI 发布 GPT-5 模型", "OpenAI 发布 GPT-5", "Apple unveils iPhone 17"])
    ids = [c for c, _ in run(items)]
    assert ids[0] == ids[1] != ids[2]


@pytest.mark.parametrize(
    "change",
    [
        {"threshold": 0.0},
        {"threshold": 1.5},
        {"close_after_days": 0.0},
        {"template_weight": 2.0},
        {"doc_max_terms": 0},
        {"body_max_tokens": -1},
    ],
)
def test_params_reject_unusable_values(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="ClusterParams"):
        replace(ClusterParams(), **change)


def test_closed_events_leave_the_index() -> None:
    clusterer = OnlineClusterer()
    for day in range(120):
        title = f"{_word(day)} announces {_word(1000 + day)} partnership"
        clusterer.add(ClusterDoc(id=f"e{day}", title=title, published_at=T0 + timedelta(days=day)))
    assert clusterer.docs_seen == 120
    assert clusterer.open_events <= 4  # only events active in the last close_after_days


def test_cjk_text_is_split_into_bigrams() -> None:
    terms = [t for t, _ in tokens("OpenAI 发布 GPT-5 模型，称其为最强大的AI系统")]
    assert "gpt-5" in terms
    assert "强大" in terms
    assert "系统" in terms
    assert "ai" in terms
    # names written into CJK text without spaces stand alone
    glued = list(tokens("OpenAI推出GPT-5模型，售价$20"))
    assert ("gpt-5", STRONG) in glued
    assert ("$20", STRONG) in glued
    assert "推出" in [t for t, _ in glued]


def test_term_statistics_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulseaugur.cluster import online

    monkeypatch.setattr(online, "_VOCAB_CAP", 60)
    monkeypatch.setattr(online, "_SOURCE_VOCAB_CAP", 40)
    clusterer = OnlineClusterer()
    for i in range(300):
        title = f"{_word(3 * i)} {_word(3 * i + 1)} {_word(3 * i + 2)} common words"
        clusterer.add(ClusterDoc(id=f"v{i}", title=title, published_at=T0, source="one"))
    assert len(clusterer._df) <= 61 + 5
    assert len(clusterer._source_df["one"]) <= 41 + 5
    assert clusterer._df["common"] > 100  # frequent terms survive pruning


def test_link_debris_is_not_a_headline() -> None:
    body = (
        "http : / / www . x . com / 2013 / lohan - rehab\nLindsay Lohan checks into rehab\nShe did."
    )
    assert headline_and_body("http : / / www . x . com / 2013 / lohan", body) == (
        "Lindsay Lohan checks into rehab",
        "She did.",
    )
    assert headline_and_body("Real title", "https://t.co/x\nText") == ("Real title", "Text")
    assert headline_and_body("www.example.com", None) == ("", None)


def test_entity_features_see_a_different_main_actor() -> None:
    clusterer = OnlineClusterer(ClusterParams(learned_merge=True))
    event = "Klitschko stops Rahman in Mannheim to retain heavyweight titles in 2008"
    for i in range(3):
        clusterer.add(ClusterDoc(id=f"e{i}", title=event))

    def entity_features(title: str) -> list[float]:
        doc = ClusterDoc(id=title, title=title)
        vec, kinds, in_title = clusterer._vectorize(doc)
        title_vec = [(t, w) for t, w in vec if t in list(kinds)[:in_title]]
        row = clusterer.features(doc, vec, kinds, in_title, title_vec, [(1, 0.5)])[0]
        return row[-4:]  # ent_cos, ent_missing_doc, ent_missing_event, year_conflict

    same = entity_features("Klitschko beats Rahman in Mannheim, keeps titles (2008)")
    other = entity_features("Klitschko stops Thompson in Bern to retain titles in 2012")
    assert same[0] > other[0]
    assert same[1] < other[1]
    assert same[2] < other[2]
    assert same[3] == 0.0
    assert other[3] == 1.0
