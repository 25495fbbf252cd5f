"""The learned merge decision: a logistic model over (document, candidate event) features.

:class:`OnlineClusterer` scores its few most similar admissible events with
:meth:`MergeModel.logit` and joins the best one when its probability reaches
:attr:`MergeModel.cut`. The features are named in :data:`FEATURES` (computed by the
clusterer); the weights ship in ``merge_model.json`` beside this module and are
produced by ``scripts/train-clusterer`` (:mod:`pulseaugur.cluster.train`), trained on
the labelled dev sets fold by fold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_MODEL_PATH", "FEATURES", "MergeModel", "default_models"]

FEATURES: tuple[str, ...] = (
    "cos",
    "title_cos",
    "cos_margin",
    "coverage",
    "strong_shared",
    "strong_missing",
    "proper_shared",
    "proper_missing",
    "log_size",
    "same_source",
    "has_body",
    "cos_x_body",
    "title_cos_x_body",
    "log_terms",
    "ent_cos",
    "ent_missing_doc",
    "ent_missing_event",
    "year_conflict",
)
"""Per candidate event: ``cos`` (document vs event centroid), ``title_cos`` (title
terms vs the event's title-term centroid), ``cos_margin`` (``cos`` minus the best other
candidate's), ``coverage`` (share of the document vector's squared weight on terms the
centroid holds: IDF-weighted overlap), ``strong_shared`` / ``proper_shared`` (log 1 +
number of the document's strong / proper terms the centroid holds),
``strong_missing`` (log 1 + number of the title's strong terms it lacks: ``GPT-5`` vs
``GPT-4``), ``proper_missing`` (the same for the title's proper terms),
``log_size`` (log of the event size), ``same_source`` (share of the event's
documents from the document's source), ``has_body`` (the document has body terms),
two interactions with it, ``log_terms`` (log of the document's term count),
``ent_cos`` (cosine of the document's and the centroid's *entity* terms: proper and
strong), ``ent_missing_doc`` / ``ent_missing_event`` (share of the document's / the
centroid's entity weight the other side lacks: ``Klitschko stops Thompson`` against an
event about ``Klitschko stops Rahman``) and ``year_conflict`` (1 when both name years
and none is shared)."""

DEFAULT_MODEL_PATH = Path(__file__).with_name("merge_model.json")


@dataclass(frozen=True, slots=True)
class MergeModel:
    """Logistic weights over :data:`FEATURES` (raw, unstandardized feature values)."""

    weights: tuple[float, ...]
    bias: float
    cut: float = 0.5
    """Join the best candidate when its probability is at least this."""
    candidates: int = 3
    """How many of the most similar admissible events are scored."""
    min_cos: float = 0.05
    """Candidates below this cosine are never joined (and not scored)."""
    singleton_margin: float = 0.0
    """Added to the cut's log-odds for a candidate of one member: a wrong second member
    turns a group into a blend that attracts both stories, so the first join must be
    surer than later ones (chosen with the cut on the training folds)."""

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"MergeModel needs {len(FEATURES)} weights, got {len(self.weights)}")
        if not 0.0 < self.cut < 1.0:
            raise ValueError(f"MergeModel.cut must be in (0, 1), got {self.cut!r}")
        if self.candidates < 1:
            raise ValueError("MergeModel.candidates must be at least 1")

    @property
    def logit_cut(self) -> float:
        """The cut on the logit scale."""
        return math.log(self.cut / (1.0 - self.cut))

    def logit(self, x: Sequence[float]) -> float:
        """The model's log-odds that the document belongs to the candidate event."""
        return self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (see :meth:`from_json`)."""
        return {
            "features": list(FEATURES),
            "weights": dict(zip(FEATURES, self.weights, strict=True)),
            "bias": self.bias,
            "cut": self.cut,
            "candidates": self.candidates,
            "min_cos": self.min_cos,
            "singleton_margin": self.singleton_margin,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MergeModel:
        """Read :meth:`to_json`'s dict; a feature missing from ``weights`` weighs 0."""
        weights = data["weights"]
        return cls(
            weights=tuple(float(weights.get(name, 0.0)) for name in FEATURES),
            bias=float(data["bias"]),
            cut=float(data.get("cut", 0.5)),
            candidates=int(data.get("candidates", 3)),
            min_cos=float(data.get("min_cos", 0.05)),
            singleton_margin=float(data.get("singleton_margin", 0.0)),
        )


@cache
def default_models() -> tuple[MergeModel, MergeModel | None]:
    """The shipped event model and storyline model (None when ``merge_model.json`` has
    none), read once per process."""
    with DEFAULT_MODEL_PATH.open(encoding="utf-8") as fh:
        data = json.load(fh)
    story = data.get("storyline")
    return MergeModel.from_json(data["event"]), MergeModel.from_json(story) if story else None
