"""The clustering metrics against hand-computed cases and brute-force definitions."""

from __future__ import annotations

import math
import random
from itertools import combinations

import pytest

from pulseaugur.cluster.evaluate import ari, bcubed, evaluate, nmi, pairwise

# gold: {a b c} {d e}; pred: {a b} {c d e}
GOLD = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "2"}
PRED = {"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Y"}


def test_bcubed_hand_computed() -> None:
    # precision per doc: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> 11/15
    # recall per doc:    a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 -> 11/15
    p, r, f = bcubed(GOLD, PRED)
    assert p == pytest.approx(11 / 15)
    assert r == pytest.approx(11 / 15)
    assert f == pytest.approx(11 / 15)


def test_bcubed_asymmetric_case() -> None:
    # everything in one predicted cluster: recall 1, precision (3*3/5 + 2*2/5)/5 = 13/25
    pred = dict.fromkeys(GOLD, "all")
    p, r, f = bcubed(GOLD, pred)
    assert p == pytest.approx(13 / 25)
    assert r == pytest.approx(1.0)
    assert f == pytest.approx(2 * (13 / 25) / (1 + 13 / 25))
    # all singletons: precision 1, recall (3 * 1/3 + 2 * 1/2) / 5 = 2/5
    p, r, _ = bcubed(GOLD, {k: k for k in GOLD})
    assert (p, r) == pytest.approx((1.0, 2 / 5))


def test_pairwise_hand_computed() -> None:
    # gold pairs ab ac bc de (4); pred pairs ab cd ce de (4); shared ab de (2)
    assert pairwise(GOLD, PRED) == pytest.approx((0.5, 0.5, 0.5))


def test_ari_hand_computed() -> None:
    # index 2, expected 4 * 4 / 10 = 1.6, max 4: (2 - 1.6) / (4 - 1.6) = 1/6
    assert ari(GOLD, PRED) == pytest.approx(1 / 6)


def test_nmi_hand_computed() -> None:
    mi = (
        0.4 * math.log(5 * 2 / (3 * 2))
        + 0.2 * math.log(5 * 1 / (3 * 3))
        + 0.4 * math.log(5 * 2 / (2 * 3))
    )
    h = -(0.6 * math.log(0.6) + 0.4 * math.log(0.4))
    assert nmi(GOLD, PRED) == pytest.approx(mi / h)
    assert nmi(GOLD, PRED) == pytest.approx(0.43254, abs=1e-5)


def test_perfect_and_degenerate_cases() -> None:
    renamed = {k: f"c{v}" for k, v in GOLD.items()}
    scores = evaluate(GOLD, renamed)
    for key in ("bcubed_f1", "pairwise_f1", "nmi", "ari"):
        assert scores[key] == pytest.approx(1.0), key
    assert scores["docs"] == 5
    assert scores["gold_clusters"] == scores["pred_clusters"] == 2
    assert evaluate({}, {})["bcubed_f1"] == 1.0
    singles = {k: k for k in GOLD}
    assert ari(singles, singles) == 1.0
    assert nmi(dict.fromkeys(GOLD, 1), dict.fromkeys(GOLD, 2)) == 1.0
    assert ari(singles, dict.fromkeys(GOLD, 0)) == pytest.approx(0.0)


def test_mismatched_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="missing from pred"):
        bcubed(GOLD, {"a": "X"})


def _brute(gold: dict[str, int], pred: dict[str, int]) -> tuple[float, float, float, float]:
    """BCubed P/R and pairwise P/R straight from the definitions."""
    docs = list(gold)
    bp = sum(
        sum(1 for e in docs if pred[e] == pred[d] and gold[e] == gold[d])
        / sum(1 for e in docs if pred[e] == pred[d])
        for d in docs
    ) / len(docs)
    br = sum(
        sum(1 for e in docs if pred[e] == pred[d] and gold[e] == gold[d])
        / sum(1 for e in docs if gold[e] == gold[d])
        for d in docs
    ) / len(docs)
    pairs = list(combinations(docs, 2))
    together_pred = [(x, y) for x, y in pairs if pred[x] == pred[y]]
    together_gold = [(x, y) for x, y in pairs if gold[x] == gold[y]]
    both = [(x, y) for x, y in together_pred if gold[x] == gold[y]]
    pp = len(both) / len(together_pred) if together_pred else 1.0
    pr = len(both) / len(together_gold) if together_gold else 1.0
    return bp, br, pp, pr


def test_matches_brute_force_on_random_partitions() -> None:
    rng = random.Random(20250807)
    for _ in range(40):
        n = rng.randint(1, 30)
        docs = [f"d{i}" for i in range(n)]
        gold = {d: rng.randint(0, rng.randint(0, 6)) for d in docs}
        pred = {d: rng.randint(0, rng.randint(0, 6)) for d in docs}
        bp, br, pp, pr = _brute(gold, pred)
        assert bcubed(gold, pred)[:2] == pytest.approx((bp, br))
        assert pairwise(gold, pred)[:2] == pytest.approx((pp, pr))
        assert 0.0 <= nmi(gold, pred) <= 1.0
        assert ari(gold, pred) <= 1.0 + 1e-12
