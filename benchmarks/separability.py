"""Benchmark: how far the clusterer's evidence can tell ECB+'s events apart.

    .venv/bin/python benchmarks/separability.py [--data DIR]

Every ECB+ topic holds two happenings of the same kind (two DUI arrests of players of
one team, two deaths of Watergate figures). This measures how well the kinds of
evidence the event model weighs separate them, independently of any clustering order:

1. Over every pair of articles within a topic, the held-out AUC (5 topic folds, as
   ``scripts/train-clusterer``) of each pair feature alone and of a logistic pair score
   over all of them, trained on the other folds' pairs. The features are the pairwise
   counterparts of the event model's: term, entity and title cosines of the TF-IDF
   vectors (the clusterer's terms, kinds and weights, with corpus-wide document
   frequencies), conflicting years, and agreement of the articles' three most
   frequent names (the share of either side's names the other holds, least and most).
2. Clustering each held-out fold all at once with that pair score (distance 1 - p;
   average and complete link): BCubed F1 with the cut chosen on the training folds,
   and with the best cut for each fold in hindsight: what seeing every article before
   deciding buys, which the online clusterer, deciding as each arrives, does not have.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pulseaugur.cluster.evaluate import bcubed
from pulseaugur.cluster.features import PLAIN, PROPER, STRONG, is_year, raw_terms_titled
from pulseaugur.cluster.online import ClusterParams
from pulseaugur.cluster.train import Row, folds, load, logistic

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FOLDS = 5
CUTS = np.round(np.concatenate([np.arange(0.05, 0.96, 0.05), [0.97, 0.98, 0.99]]), 2)
FEATURES = (
    "term cosine",
    "entity cosine",
    "title cosine",
    "year conflict",
    "names min",
    "names max",
)
TOP_NAMES = 3


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def pair_features(rows: Sequence[Row]) -> np.ndarray:
    """``[n, n, len(FEATURES)]`` pair features of the documents of ``rows``."""
    p = ClusterParams()
    docs = []
    df: Counter[str] = Counter()
    for r in rows:
        counts, kinds, in_title = raw_terms_titled(
            r.doc.title or "",
            r.doc.body,
            title_weight=p.title_weight,
            body_weight=p.body_weight,
            body_max_tokens=p.body_max_tokens,
        )
        docs.append((counts, kinds, in_title))
        df.update(counts)
    vocab = {t: i for i, t in enumerate(sorted(df))}
    n = len(rows)
    boost = {PLAIN: 1.0, PROPER: p.proper_boost, STRONG: p.strong_boost}
    terms = np.zeros((n, len(vocab)), dtype=np.float32)
    entity = np.zeros_like(terms)
    title = np.zeros_like(terms)
    years: list[set[str]] = []
    names: list[list[str]] = []
    for d, (counts, kinds, in_title) in enumerate(docs):
        for k, (t, c) in enumerate(counts.items()):
            tf = c if c <= 1.0 else 1.0 + math.log(c)
            w = tf * (math.log(n + 1) - math.log(df[t] + 1) + 1.0) * boost[kinds[t]]
            terms[d, vocab[t]] = w
            if kinds[t]:
                entity[d, vocab[t]] = w
            if k < in_title:
                title[d, vocab[t]] = w
        years.append({t for t in counts if is_year(t)})
        ranked = sorted((t for t in counts if kinds[t] == PROPER), key=lambda t: (-counts[t], t))
        names.append(ranked[:TOP_NAMES])
    out = np.zeros((n, n, len(FEATURES)))
    for f, m in enumerate((terms, entity, title)):
        u = _unit_rows(m)
        out[:, :, f] = u @ u.T
    for i in range(n):
        for j in range(i + 1, n):
            conflict = 1.0 if years[i] and years[j] and not years[i] & years[j] else 0.0
            a = sum(t in docs[j][0] for t in names[i]) / max(1, len(names[i]))
            b = sum(t in docs[i][0] for t in names[j]) / max(1, len(names[j]))
            out[i, j, 3:] = out[j, i, 3:] = (conflict, min(a, b), max(a, b))
    return out


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = (sums / counts)[inverse]
    pos = labels.sum()
    neg = len(labels) - pos
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def dendrogram(dist: np.ndarray, link: str) -> list[tuple[int, int, float]]:
    """The merges ``(a, b, height)`` of agglomerative clustering by ``link``
    (``average`` or ``complete``), in order; both give monotone heights."""
    d = dist.astype(np.float64).copy()
    np.fill_diagonal(d, np.inf)
    size = np.ones(len(d))
    merges: list[tuple[int, int, float]] = []
    for _ in range(len(d) - 1):
        a, b = divmod(int(np.argmin(d)), len(d))
        height = float(d[a, b])
        if link == "average":
            row = (size[a] * d[a] + size[b] * d[b]) / (size[a] + size[b])
        else:
            row = np.maximum(d[a], d[b])
        d[a, :] = d[:, a] = row
        d[a, a] = np.inf
        d[b, :] = d[:, b] = np.inf
        size[a] += size[b]
        merges.append((a, b, height))
    return merges


def cut(merges: list[tuple[int, int, float]], n: int, at: float) -> list[int]:
    """Cluster ids of ``n`` points after the merges lower than ``at``."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, height in merges:
        if height < at:
            parent[find(b)] = find(a)
    return [find(i) for i in range(n)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="../shared/data")
    args = parser.parse_args(argv)
    path = args.data / "clustering" / "ecbplus-dev.jsonl"
    if not path.exists():
        print(f"separability: {path} is missing", file=sys.stderr)
        return 2
    rows = load(path, "topic")
    fold = np.array(folds(rows, FOLDS))
    labels = np.array([r.label for r in rows])
    topic = np.array([r.group for r in rows])
    feats = pair_features(rows)
    same = labels[:, None] == labels[None, :]
    upper = np.triu(np.ones_like(same), k=1)
    within = upper & (topic[:, None] == topic[None, :])
    print(
        f"ECB+: {len(rows)} articles, {int((within & same).sum())} same-event and "
        f"{int((within & ~same).sum())} different-event pairs within topics"
    )
    aucs: dict[str, list[float]] = {name: [] for name in (*FEATURES, "learned pair score")}
    batch: dict[str, list[tuple[float, float]]] = {"average": [], "complete": []}
    for f in range(FOLDS):
        train = upper & (fold[:, None] != f) & (fold[None, :] != f)
        test = within & (fold[:, None] == f) & (fold[None, :] == f)
        weights, bias = logistic(feats[train], same[train].astype(np.float64))
        prob = 1.0 / (1.0 + np.exp(-(feats @ weights + bias)))
        for k, name in enumerate(FEATURES):
            aucs[name].append(auc(feats[test][:, k], same[test]))
        aucs["learned pair score"].append(auc(prob[test], same[test]))
        for link, results in batch.items():
            scores = np.zeros((FOLDS, len(CUTS)))
            for g in range(FOLDS):
                idx = np.flatnonzero(fold == g)
                merges = dendrogram(1.0 - prob[np.ix_(idx, idx)], link)
                gold = {int(i): str(labels[i]) for i in idx}
                for c, at in enumerate(CUTS):
                    pred = dict(zip(gold, cut(merges, len(idx), float(at)), strict=True))
                    scores[g, c] = bcubed(gold, pred)[2]
            chosen = int(np.argmax(np.delete(scores, f, axis=0).mean(axis=0)))
            results.append((float(scores[f, chosen]), float(scores[f].max())))
    print(
        f"held-out AUC of same-event vs different-event pairs ({FOLDS} topic folds;"
        " below 0.5: the feature speaks against the same event):"
    )
    for name, values in aucs.items():
        print(f"  {name:20s} {np.mean(values):.3f}  (folds {' '.join(f'{v:.3f}' for v in values)})")
    print("held-out BCubed F1, each fold clustered at once with the learned pair score:")
    for link, results in batch.items():
        held, hind = np.array(results).T
        print(
            f"  {link:8s} link  cut from training folds {held.mean():.3f}"
            f"  best cut in hindsight {hind.mean():.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
