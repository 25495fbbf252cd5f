"""The 0–100 score and its parts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pulseaugur.rank import DEFAULT_WEIGHTS, HEADLINE_SIGNAL, ScoreWeights, score

from coverage_factories import T0, cluster, entry, source

LAB = source("openai-news", tier=1, primary=True, outlet="OpenAI")
TC = source("techcrunch", tier=1, outlet="TechCrunch")
VERGE = source("verge", tier=1, outlet="The Verge")
ZD = source("zdnet", tier=2, outlet="ZDNET")
DIGG = source("digg", tier=3, outlet="Digg")


def _parts(s: object) -> list[float]:
    return [
        getattr(s, n) for n in ("authority", "cluster_strength", "headline_signal", "time_decay")
    ]


def test_default_weights_sum_to_one() -> None:
    assert DEFAULT_WEIGHTS.total_weight == pytest.approx(1.0)


def test_parts_and_total_stay_within_0_100() -> None:
    for entries in (
        [entry("a", DIGG)],
        [entry("a", LAB), entry("b", TC), entry("c", VERGE), entry("d", ZD), entry("e", DIGG)],
    ):
        for age in (0, 1, 24, 24 * 30):
            s = score(entries, cluster(), T0 + timedelta(hours=age))
            assert all(0.0 <= p <= 100.0 for p in [*_parts(s), s.total])


def test_total_is_the_weighted_sum_of_the_parts() -> None:
    s = score([entry("a", TC), entry("b", ZD)], cluster(), T0 + timedelta(hours=3))
    expected = (
        DEFAULT_WEIGHTS.authority * s.authority
        + DEFAULT_WEIGHTS.cluster_strength * s.cluster_strength
        + DEFAULT_WEIGHTS.headline_signal * s.headline_signal
        + DEFAULT_WEIGHTS.time_decay * s.time_decay
    )
    assert s.total == pytest.approx(expected, abs=0.06)


def test_authority_follows_tiers_and_originals() -> None:
    now = T0
    digg = score([entry("a", DIGG)], cluster(), now).authority
    zd = score([entry("a", ZD)], cluster(), now).authority
    tc = score([entry("a", TC)], cluster(), now).authority
    assert digg < zd < tc
    with_original = score([entry("a", ZD), entry("b", LAB)], cluster(), now).authority
    without = score([entry("a", ZD), entry("b", TC)], cluster(), now).authority
    assert with_original >= without


def test_cluster_strength_grows_with_distinct_sources_and_tier1() -> None:
    one = score([entry("a", ZD)], cluster(), T0).cluster_strength
    same_source_twice = score([entry("a", ZD), entry("b", ZD)], cluster(), T0).cluster_strength
    two = score([entry("a", ZD), entry("b", DIGG)], cluster(), T0).cluster_strength
    two_tier1 = score([entry("a", TC), entry("b", VERGE)], cluster(), T0).cluster_strength
    assert one == same_source_twice < two < two_tier1


def test_headline_signal_by_event_type() -> None:
    e = [entry("a", TC, title="OpenAI launches GPT-5")]
    assert score(e, cluster(), T0).headline_signal == HEADLINE_SIGNAL["launch"]
    assert (
        score(e, cluster(), T0, event_type="opinion").headline_signal == HEADLINE_SIGNAL["opinion"]
    )
    assert (
        score(e, cluster(), T0, event_type="unheard-of").headline_signal == HEADLINE_SIGNAL["other"]
    )


def test_time_decay_halves_every_half_life_and_uses_the_given_clock() -> None:
    weights = ScoreWeights(half_life_hours=6)
    e = [entry("a", TC)]
    c = cluster(last_updated=T0)
    assert score(e, c, T0, weights).time_decay == 100.0
    assert score(e, c, T0 + timedelta(hours=6), weights).time_decay == pytest.approx(50.0)
    assert score(e, c, T0 + timedelta(hours=12), weights).time_decay == pytest.approx(25.0)
    # a simulated clock behind the cluster's last update never boosts past 100
    assert score(e, c, T0 - timedelta(hours=5), weights).time_decay == 100.0


def test_weights_are_validated_and_need_not_sum_to_one() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        ScoreWeights(authority=-0.1)
    with pytest.raises(ValueError, match="positive sum"):
        ScoreWeights(authority=0, cluster_strength=0, headline_signal=0, time_decay=0)
    with pytest.raises(ValueError, match="half_life"):
        ScoreWeights(half_life_hours=0)
    only_authority = ScoreWeights(authority=2, cluster_strength=0, headline_signal=0, time_decay=0)
    s = score([entry("a", ZD)], cluster(), T0 + timedelta(days=9), only_authority)
    assert s.total == s.authority


def test_score_is_deterministic_and_order_free() -> None:
    entries = [entry("a", TC, minutes=3), entry("b", ZD), entry("c", LAB, minutes=9)]
    now = T0 + timedelta(hours=2)
    assert score(entries, cluster(), now) == score(entries[::-1], cluster(), now)
