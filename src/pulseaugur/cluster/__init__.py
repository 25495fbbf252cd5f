"""Online event clustering: items in, events (clusters) and storylines out.

- :mod:`~pulseaugur.cluster.base` — the :class:`Clusterer` contract (``add``,
  ``restore``, ``next_id``);
- :mod:`~pulseaugur.cluster.online` — :class:`OnlineClusterer`, the production
  single-pass clusterer, and its :class:`ClusterParams`;
- :mod:`~pulseaugur.cluster.merge` — the learned merge decisions (logistic models over
  document/candidate features, shipped in ``merge_model.json``);
- :mod:`~pulseaugur.cluster.train` — their training and held-out evaluation
  (``scripts/train-clusterer``);
- :mod:`~pulseaugur.cluster.features` — tokenization and term kinds;
- :mod:`~pulseaugur.cluster.evaluate` — BCubed, pairwise, NMI and ARI;
- :mod:`~pulseaugur.cluster.stream` — the JSONL contract of ``pulseaugur cluster`` and
  ``pulseaugur eval-clusters`` (:func:`run_jsonl`, :func:`eval_files`).

Deciding (``online``, ``features``, ``evaluate``) does no I/O; ``stream`` does the I/O.
"""

from pulseaugur.cluster.base import Clusterer
from pulseaugur.cluster.evaluate import ari, bcubed, evaluate, nmi, pairwise
from pulseaugur.cluster.online import ClusterParams, OnlineClusterer
from pulseaugur.cluster.stream import InputError, StreamStats, eval_files, run_jsonl

__all__ = [
    "ClusterParams",
    "Clusterer",
    "InputError",
    "OnlineClusterer",
    "StreamStats",
    "ari",
    "bcubed",
    "eval_files",
    "evaluate",
    "nmi",
    "pairwise",
    "run_jsonl",
]
