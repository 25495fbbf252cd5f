"""Clustering metrics: BCubed, pairwise, NMI and ARI (own implementations, pure).

Every function takes two mappings from document id to cluster label, ``gold`` and
``pred``, over the *same* set of ids (a ``ValueError`` names the ids that differ).
Labels are compared only for equality within one mapping, so any hashable works.

Conventions for degenerate inputs (all chosen so that a perfect prediction scores 1):

- no documents: every score is 1.0;
- pairwise precision is 1.0 when the prediction puts no two documents together, recall
  1.0 when the gold has no two documents together;
- NMI is 1.0 when both partitions are a single cluster (both entropies 0) and 0.0 when
  only one of them is;
- ARI is 1.0 when the two partitions are identical and its denominator is 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping

import numpy as np

__all__ = ["ari", "bcubed", "evaluate", "nmi", "pairwise"]


def _contingency(
    gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]
) -> tuple[Counter[tuple[Hashable, Hashable]], Counter[Hashable], Counter[Hashable]]:
    """Cell sizes ``(gold label, pred label) -> n``, gold sizes and pred sizes."""
    if gold.keys() != pred.keys():
        missing = sorted(set(gold) - set(pred))
        extra = sorted(set(pred) - set(gold))
        raise ValueError(
            "gold and pred must label the same documents: "
            f"{len(missing)} missing from pred (e.g. {missing[:3]}), "
            f"{len(extra)} not in gold (e.g. {extra[:3]})"
        )
    cells: Counter[tuple[Hashable, Hashable]] = Counter()
    for doc_id, g in gold.items():
        cells[(g, pred[doc_id])] += 1
    gold_sizes: Counter[Hashable] = Counter(gold.values())
    pred_sizes: Counter[Hashable] = Counter(pred.values())
    return cells, gold_sizes, pred_sizes


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def bcubed(
    gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]
) -> tuple[float, float, float]:
    """BCubed precision, recall and F1.

    Per document d: precision = |pred(d) ∩ gold(d)| / |pred(d)|, recall =
    |pred(d) ∩ gold(d)| / |gold(d)| (each cluster includes d itself), averaged over
    documents; F1 is the harmonic mean of the averages.
    """
    cells, gold_sizes, pred_sizes = _contingency(gold, pred)
    n = len(gold)
    if n == 0:
        return 1.0, 1.0, 1.0
    p = sum(c * c / pred_sizes[pl] for (_, pl), c in cells.items()) / n
    r = sum(c * c / gold_sizes[gl] for (gl, _), c in cells.items()) / n
    return p, r, _f1(p, r)


def _pairs(k: int) -> int:
    return k * (k - 1) // 2


def pairwise(
    gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 over unordered document pairs placed together."""
    cells, gold_sizes, pred_sizes = _contingency(gold, pred)
    together = sum(_pairs(c) for c in cells.values())
    pred_pairs = sum(_pairs(c) for c in pred_sizes.values())
    gold_pairs = sum(_pairs(c) for c in gold_sizes.values())
    p = together / pred_pairs if pred_pairs else 1.0
    r = together / gold_pairs if gold_pairs else 1.0
    return p, r, _f1(p, r)


def _entropy(sizes: Counter[Hashable], n: int) -> float:
    probs = np.fromiter(sizes.values(), dtype=float) / n
    return float(-(probs * np.log(probs)).sum())


def nmi(gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]) -> float:
    """Normalized mutual information, arithmetic normalization: MI / ((H(g) + H(p)) / 2)."""
    cells, gold_sizes, pred_sizes = _contingency(gold, pred)
    n = len(gold)
    if n == 0:
        return 1.0
    h_gold, h_pred = _entropy(gold_sizes, n), _entropy(pred_sizes, n)
    if h_gold == 0.0 and h_pred == 0.0:
        return 1.0
    if h_gold == 0.0 or h_pred == 0.0:
        return 0.0
    counts = np.fromiter(cells.values(), dtype=float)
    gsz = np.fromiter((gold_sizes[g] for g, _ in cells), dtype=float)
    psz = np.fromiter((pred_sizes[p] for _, p in cells), dtype=float)
    mi = float((counts / n * np.log(counts * n / (gsz * psz))).sum())
    return max(0.0, min(1.0, mi / ((h_gold + h_pred) / 2)))


def ari(gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]) -> float:
    """Adjusted Rand index (Hubert and Arabie): (index - expected) / (max - expected)."""
    cells, gold_sizes, pred_sizes = _contingency(gold, pred)
    n = len(gold)
    index = float(sum(_pairs(c) for c in cells.values()))
    sum_gold = float(sum(_pairs(c) for c in gold_sizes.values()))
    sum_pred = float(sum(_pairs(c) for c in pred_sizes.values()))
    total = float(_pairs(n))
    expected = sum_gold * sum_pred / total if total else 0.0
    maximum = (sum_gold + sum_pred) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def evaluate(gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]) -> dict[str, float]:
    """All the metrics in one dict.

    Keys: ``bcubed_p``, ``bcubed_r``, ``bcubed_f1``, ``pairwise_p``, ``pairwise_r``,
    ``pairwise_f1``, ``nmi``, ``ari``, ``docs``, ``gold_clusters``, ``pred_clusters``.
    """
    bp, br, bf = bcubed(gold, pred)
    pp, pr, pf = pairwise(gold, pred)
    return {
        "bcubed_p": bp,
        "bcubed_r": br,
        "bcubed_f1": bf,
        "pairwise_p": pp,
        "pairwise_r": pr,
        "pairwise_f1": pf,
        "nmi": nmi(gold, pred),
        "ari": ari(gold, pred),
        "docs": float(len(gold)),
        "gold_clusters": float(len(set(gold.values()))),
        "pred_clusters": float(len(set(pred.values()))),
    }
