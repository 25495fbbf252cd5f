"""The learned merge decisions: the shipped model, its features and the training code."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from pulseaugur.cluster import ClusterParams, OnlineClusterer
from pulseaugur.cluster.merge import FEATURES, MergeModel, default_models
from pulseaugur.cluster.train import Row, fit, folds, logistic
from pulseaugur.types import ClusterDoc

T0 = datetime(2025, 8, 7, 12, tzinfo=UTC)


def _docs() -> list[ClusterDoc]:
    titles = [
        "OpenAI launches GPT-5 for all ChatGPT users",
        "GPT-5 is here: OpenAI launches its new model",
        "Nvidia reports record quarterly revenue of $46.7 billion",
        "OpenAI's GPT-5 launch hit by rollout troubles",
        "Nvidia revenue beats estimates at $46.7 billion",
        "Anthropic releases Claude Opus 4.1",
    ]
    return [
        ClusterDoc(
            id=str(i),
            title=t,
            published_at=T0 + timedelta(hours=i),
            source=f"s{i % 3}",
        )
        for i, t in enumerate(titles)
    ]


def test_shipped_models_load_and_cover_the_features() -> None:
    event, story = default_models()
    assert len(event.weights) == len(FEATURES)
    assert story is not None
    assert len(story.weights) == len(FEATURES)
    assert 0 < event.cut < 1
    assert 0 < story.cut < 1
    assert MergeModel.from_json(story.to_json()) == story


def test_defaults_learn_full_text_events_and_storylines() -> None:
    params = ClusterParams()
    assert params.learned_merge
    assert params.learned_storyline
    clusterer = OnlineClusterer()
    assert clusterer.model is not None
    assert clusterer.storyline_model is not None
    off = OnlineClusterer(ClusterParams(learned_storyline=False))
    assert off.storyline_model is None


@pytest.mark.parametrize("params", [ClusterParams(), ClusterParams(learned_merge=True)])
def test_learned_decisions_are_deterministic_and_follow_the_id_rules(
    params: ClusterParams,
) -> None:
    runs = []
    for _ in range(2):
        clusterer = OnlineClusterer(params)
        runs.append([clusterer.add(d) for d in _docs()])
    assert runs[0] == runs[1]
    for a in runs[0]:
        assert 1 <= a.storyline_id <= a.cluster_id
    by_id = {a.doc_id: a for a in runs[0]}
    assert by_id["0"].cluster_id == by_id["1"].cluster_id  # the GPT-5 launch
    assert by_id["2"].cluster_id != by_id["0"].cluster_id


def test_restore_feeds_the_learned_features() -> None:
    docs = _docs()
    clusterer = OnlineClusterer(ClusterParams(learned_merge=True))
    clusterer.restore([(5, docs[0]), (5, docs[1])], {5: 3})
    assert clusterer.next_id == 6
    a = clusterer.add(replace(docs[3], id="x"))
    assert a.cluster_id == 5
    assert a.storyline_id == 3


def test_merge_model_validates() -> None:
    with pytest.raises(ValueError, match="weights"):
        MergeModel((1.0,), 0.0)
    with pytest.raises(ValueError, match="cut"):
        MergeModel((0.0,) * len(FEATURES), 0.0, cut=1.0)


def test_fit_learns_the_direction_of_a_separable_feature() -> None:
    x = [[0.1 * i] + [0.0] * (len(FEATURES) - 1) for i in range(10)]
    y = [1.0 if i >= 5 else 0.0 for i in range(10)]
    model = fit(x, y, ("cos",))
    assert model.weights[0] > 0
    assert all(w == 0 for w in model.weights[1:])
    assert model.logit(x[9]) > 0 > model.logit(x[0])


def test_logistic_recovers_raw_scale_weights_and_ignores_constant_columns() -> None:
    # y is drawn with log-odds 0.2 * a - 20 - 3 * b; the third column is constant
    rng = np.random.default_rng(7)
    a = rng.normal(100.0, 10.0, 20_000)
    b = rng.normal(0.0, 1.0, 20_000)
    x = np.column_stack([a, b, np.full_like(a, 5.0)])
    p = 1.0 / (1.0 + np.exp(-(0.2 * a - 20.0 - 3.0 * b)))
    y = (rng.random(len(a)) < p).astype(np.float64)
    weights, bias = logistic(x, y, l2=1e-6)
    assert weights[0] == pytest.approx(0.2, abs=0.02)
    assert weights[1] == pytest.approx(-3.0, abs=0.2)
    assert weights[2] == 0.0
    assert bias == pytest.approx(-20.0, abs=2.0)


def test_folds_split_by_group_deterministically() -> None:
    rows = [Row(ClusterDoc(id=str(i), title="t"), "l", f"g{i % 4}") for i in range(8)]
    assert folds(rows, 2) == [0, 1, 0, 1, 0, 1, 0, 1]


def test_a_singleton_needs_the_margin_on_top_of_the_cut() -> None:
    # a model that scores every candidate at log-odds 0.5 (probability 0.62), cut 0.5
    sure = MergeModel((0.0,) * len(FEATURES), 0.5, cut=0.5, min_cos=0.0)
    params = ClusterParams(learned_min_body_terms=0, learned_storyline=False)
    doc = ClusterDoc(id="a", title="OpenAI ships GPT-5", body="OpenAI ships GPT-5 today.")
    again = replace(doc, id="b")
    third = replace(doc, id="c")
    plain = OnlineClusterer(params, sure)
    assert plain.add(doc).cluster_id == plain.add(again).cluster_id  # 0.5 >= 0
    strict = OnlineClusterer(params, replace(sure, singleton_margin=1.0))
    first, second = strict.add(doc), strict.add(again)
    assert second.cluster_id != first.cluster_id  # 0.5 < 0 + 1.0 for a group of one
    strict._events.groups[first.cluster_id].size = 2  # once a group has grown ...
    assert strict.add(third).cluster_id == first.cluster_id  # ... the plain cut applies
    assert MergeModel.from_json(strict.model.to_json()) == strict.model  # type: ignore[union-attr]
