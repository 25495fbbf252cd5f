"""The production online clusterer: single pass, lexical, time-aware.

How one document is placed (:meth:`OnlineClusterer.add`):

1. **Features.** The title and the first ``body_max_tokens`` body terms are tokenized
   (:mod:`pulseaugur.cluster.features`): numbers, money and model names are *strong*
   terms, capitalized non-initial words *proper* terms. Title occurrences weigh
   ``title_weight``, body ones ``body_weight``.
2. **TF-IDF with incremental IDF.** Document frequencies are updated with the document
   first, then each term weighs ``tf' * idf * boost`` with ``tf' = c`` for ``c <= 1``
   else ``1 + ln c``, ``idf = ln((N + 1) / (df + 1)) + 1`` and ``boost`` =
   ``strong_boost`` / ``proper_boost`` / 1, times ``template_weight`` for terms that
   are boilerplate of the document's source (in ``template_share`` of its documents,
   counted incrementally per source too, once it has ``template_min_docs``). The
   ``doc_max_terms`` heaviest terms are
   kept and the vector is L2-normalized.
3. **Candidates.** An inverted index maps each term to the *open* events whose centroid
   holds it; the document's similarity to every event sharing a term is accumulated
   from the postings (exact cosine, never a scan over all events). A centroid is the sum
   of its members' unit vectors, capped to its ``centroid_max_terms`` heaviest terms.
4. **Time.** When the document and the event both have dates, the document may join
   only if it is within ``close_after_days`` of the event's dated members and the event
   would not span more than ``max_span_days``. The stream clock is the latest
   ``published_at`` seen; an event with no activity for ``close_after_days`` of stream
   time is closed: it leaves the index and memory. Undated documents ignore time (and
   in an undated stream nothing closes). The clock never goes back, so a date far in
   the future closes every event: callers clamp such dates (normalize does).
5. **Decision.** For a full-text document (``learned_merge``, on by default) the
   ``candidates`` most similar admissible events are scored by a logistic model
   (:mod:`pulseaugur.cluster.merge`: cosines plus the agreement of their entities) and
   the best one is joined when its probability reaches the model's cut. A headline or
   short summary joins the most similar admissible event if its cosine is at least
   ``threshold`` (ties go to the smaller id). Otherwise a new event is started.
6. **Storyline.** A new event looks for a storyline the same way, one level up:
   storylines are centroids of all their documents, with their own index, a longer
   ``storyline_close_after_days`` and ``storyline_max_span_days``. By default
   (``learned_storyline``) the few most similar admissible storylines are scored by the
   learned storyline model of ``merge_model.json`` (cosine, title-term cosine, shared
   and missing strong and proper terms, size, same source) and the best one is joined
   when its probability reaches the cut; without it the most similar one is joined if
   its cosine reaches ``storyline_threshold``. If none qualifies the event starts a
   storyline named by its own id. An event keeps its storyline; every document added to
   the event also feeds the storyline's centroid. Events and storylines also keep a
   centroid of their members' title terms and per-source counts (for the features).

7. **Merges.** After a document joins an event, the grown centroid looks for another
   open event the same way (through the index); one at cosine ``merge_threshold`` or
   more whose union the time rules admit is the same event, and the younger is folded
   into the older (smaller id), which keeps its id and storyline. The assignment lists
   the absorbed ids (:attr:`~pulseaugur.types.Assignment.merged`); they are never
   used again.

Everything iterates over insertion-ordered dicts and breaks ties by id, so the same
input in the same order gives the same output in any process.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pulseaugur.cluster.features import PLAIN, PROPER, STRONG, is_year, raw_terms_titled
from pulseaugur.cluster.merge import MergeModel, default_models
from pulseaugur.types import Assignment, ClusterDoc

__all__ = ["ClusterParams", "OnlineClusterer"]

_DAY = 86_400.0
_VOCAB_CAP = 1_000_000
"""When the document-frequency table holds more terms, the rarest are dropped (they
count as new when seen again: their IDF hardly changes)."""
_SOURCE_VOCAB_CAP = 20_000
"""When one source's term counts hold more terms, those too rare to become that source's
boilerplate soon (under half the template share) are dropped."""

_SIZE_CAP = 16
"""The ``log_size`` feature stops growing at this many members: on the 3,000-headline
dev sets bigger storylines deserve more pull, in a long stream that would let a
company's beat grow without bound."""

_CHECK_GROWTH = 1.25
"""A group looks for groups it became one with when its size has grown by this factor
since it last looked (every member while small, then every fourth or so): the
centroid changes little in between, and looking costs a pass over the postings."""

Vector = list[tuple[str, float]]
"""A sparse unit vector as ``(term, weight)`` pairs, heaviest first."""


@dataclass(frozen=True, slots=True)
class ClusterParams:
    """The clusterer's tunable parameters.

    One set of defaults serves headlines (UCI), full articles (ECB+) and the AI-news
    replay (title + summary); ``benchmarks/cluster.py`` prints the figures. The dev sets
    are flat around these values (±0.01 BCubed F1 over 0.20–0.28 and four input
    orders), so the choices lean on what the replay stream needs: precision first.
    """

    learned_merge: bool = True
    """Decide event joins of full-text documents (``learned_min_body_terms``) by the
    learned event model of ``merge_model.json``
    (:class:`~pulseaugur.cluster.merge.MergeModel`: cosines plus entity agreement)
    instead of the fixed ``threshold``. Held out on ECB+ (5 folds,
    ``scripts/train-clusterer``) it lifts event BCubed F1 well above the threshold's;
    see ``docs/architecture.md`` for the figures."""
    learned_min_body_terms: int = 40
    """A document is full text, decided by the learned event model, when its body has at
    least this many distinct terms besides the title's and it names some entity. The
    model learned from whole articles (ECB+: median 91 body terms); on headlines and
    feed summaries (the replay: median 12) it joined unrelated items (3-6 of 12 sampled
    multi-source events at 10-20 terms, against 0-1 with the threshold), so those keep
    the threshold."""
    learned_storyline: bool = True
    """Decide whether a new event joins a storyline with the learned storyline model of
    ``merge_model.json`` (trained with fixed-threshold events) instead of
    ``storyline_threshold``: UCI storyline BCubed F1 0.771 -> 0.826 on held-out folds."""
    threshold: float = 0.24
    """Minimum cosine between a document and an event centroid to join the event.
    ECB+ (events, full text) peaks at 0.20–0.24; above 0.28 it loses recall fast; below
    0.24 the AI-news replay merges same-company, different-story items."""
    merge_threshold: float = 0.5
    """Two open events whose centroids reach this cosine once one of them grew are one
    event: the younger is merged into the older (its id then redirects)."""
    merge_entity_cos: float = 0.5
    """... and whose entities (proper and strong terms) agree: entity cosine at least
    this, and no conflicting years (two same-kind events share their vocabulary, not
    their actors)."""
    storyline_merge_threshold: float = 0.3
    """Two open storylines whose centroids reach this cosine once one of them grew are
    one story: the younger is merged into the older, with all its events. UCI
    storyline BCubed F1 0.750 -> 0.779 (0.25: 0.795, but replay storylines then reach
    150 items of unrelated vendor posts)."""
    storyline_threshold: float = 0.14
    """Minimum cosine between a new event's first document and a storyline centroid to
    join that storyline (UCI's broad stories peak at 0.12–0.14); used only when
    ``learned_storyline`` is off or ``merge_model.json`` has no storyline model."""
    title_weight: float = 2.0
    """Weight of one title occurrence of a term (a body occurrence weighs
    ``body_weight``): feed summaries are generic, the title names the event."""
    body_weight: float = 1.0
    """Weight of one body occurrence of a term."""
    body_max_tokens: int = 150
    """Only the first this many body terms are read (the lead carries the event; more
    text costs time and adds background vocabulary)."""
    strong_boost: float = 1.5
    """Weight multiplier of numbers, amounts of money and names with digits (``GPT-5``).
    2.0 helps ECB+ (+0.01) but splits UCI stories whose headlines quote different
    figures."""
    proper_boost: float = 1.25
    """Weight multiplier of capitalized words that are not sentence-initial."""
    doc_max_terms: int = 64
    """A document vector keeps its heaviest this many terms (32 loses 0.02 on ECB+;
    more changes nothing)."""
    centroid_max_terms: int = 96
    """An event centroid keeps its heaviest this many terms (the index holds only these)."""
    storyline_max_terms: int = 160
    """A storyline centroid keeps its heaviest this many terms."""
    close_after_days: float = 3.0
    """An event closes after this many days without a new dated document (stream time);
    a dated document joins only events whose dated members are within this many days.
    AI-news coverage of one happening arrives within 1–3 days."""
    max_span_days: float = 1.5
    """A dated document may not stretch an event beyond this many days from first to
    last: an event is one happening, and its first wave of coverage arrives within a
    day or so; what follows (the GPT-5 launch on 2025-08-07, its troubled rollout the
    next day) is a new event in the same storyline. Feeds often date to the day only
    (noon), so less than a day and a half would split one day's coverage."""
    storyline_close_after_days: float = 14.0
    """A storyline closes after this many days without a new document (stream time)."""
    storyline_max_span_days: float = 60.0
    """A new event may not join a storyline whose dated documents would then span more
    than this many days (a storyline is a continuing story, not a company's beat)."""
    template_share: float = 0.08
    """A term found in at least this share of one source's documents is that source's
    boilerplate or beat (``Show HN``, ``The Download``, ``Claude`` on Claude's blog,
    ``OpenAI`` at TechCrunch): it names the source, not the event ..."""
    template_min_docs: int = 100
    """... once the source has at least this many documents (named sources only; below
    that a share says more about one busy story than about the source) ..."""
    template_weight: float = 0.2
    """... and then it weighs this much (a multiplier) in that source's documents."""

    def __post_init__(self) -> None:
        """Reject values that cannot work (raises ``ValueError`` naming the field)."""
        if not 0.0 <= self.merge_entity_cos <= 1.0:
            raise ValueError(
                f"ClusterParams.merge_entity_cos must be in [0, 1], got {self.merge_entity_cos!r}"
            )
        for name in (
            "threshold",
            "merge_threshold",
            "storyline_threshold",
            "storyline_merge_threshold",
        ):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"ClusterParams.{name} must be in (0, 1], got {value!r}")
        for name in (
            "title_weight",
            "strong_boost",
            "proper_boost",
            "close_after_days",
            "max_span_days",
            "storyline_close_after_days",
            "storyline_max_span_days",
            "template_share",
        ):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"ClusterParams.{name} must be positive, got {value!r}")
        if not 0.0 <= self.template_weight <= 1.0:
            raise ValueError("ClusterParams.template_weight must be in [0, 1]")
        if (
            self.body_weight < 0
            or self.body_max_tokens < 0
            or self.template_min_docs < 0
            or self.learned_min_body_terms < 0
        ):
            raise ValueError(
                "ClusterParams.body_weight, body_max_tokens, template_min_docs and"
                " learned_min_body_terms must be >= 0"
            )
        for name in ("doc_max_terms", "centroid_max_terms", "storyline_max_terms"):
            value = getattr(self, name)
            if value < 1:
                raise ValueError(f"ClusterParams.{name} must be at least 1, got {value!r}")


class _Group:
    """An event or a storyline: a capped centroid sum and its time bounds."""

    __slots__ = (
        "active",
        "centroid",
        "first",
        "gid",
        "last",
        "next_check",
        "norm",
        "size",
        "sources",
        "storyline",
        "title",
        "title_norm",
    )

    def __init__(self, gid: int) -> None:
        self.gid = gid
        self.centroid: dict[str, float] = {}
        self.norm = 0.0
        self.first: float | None = None  # earliest dated member (epoch seconds)
        self.last: float | None = None  # latest dated member
        self.active: float | None = None  # stream time of the last activity
        self.size = 0
        self.next_check = 2  # the size at which to look for groups it became one with
        self.storyline = gid
        self.title: dict[str, float] = {}  # events only: sum of members' title vectors
        self.title_norm = 0.0
        self.sources: dict[str, int] = {}  # events only: members per source


class _Tier:
    """Groups of one level (events or storylines), their inverted index and closing."""

    def __init__(self, max_terms: int, close_after_days: float, max_span_days: float | None):
        self.max_terms = max_terms
        self.window = close_after_days * _DAY
        self.max_span = max_span_days * _DAY if max_span_days is not None else None
        self.groups: dict[int, _Group] = {}
        self.postings: dict[str, dict[int, float]] = {}
        self._heap: list[tuple[float, int]] = []

    def admits(self, group: _Group, ts: float | None) -> bool:
        """Whether a document dated ``ts`` may join ``group`` (time rules only)."""
        if ts is None or group.first is None or group.last is None:
            return True
        return self._spans_fit(ts, ts, group.first, group.last)

    def admits_union(self, a: _Group, b: _Group) -> bool:
        """Whether groups ``a`` and ``b`` may become one under the time rules."""
        if a.first is None or a.last is None or b.first is None or b.last is None:
            return True
        return self._spans_fit(a.first, a.last, b.first, b.last)

    def _spans_fit(self, first_a: float, last_a: float, first_b: float, last_b: float) -> bool:
        """Whether two dated spans lie within the window of each other and their union
        within the maximum span."""
        if first_a - last_b > self.window or first_b - last_a > self.window:
            return False
        if self.max_span is not None:
            return max(last_a, last_b) - min(first_a, first_b) <= self.max_span
        return True

    def _dots(self, vec: Vector) -> dict[int, float]:
        """Dot products of ``vec`` with every open group sharing a term with it (through
        the postings: groups sharing no term are never touched)."""
        dots: dict[int, float] = {}
        postings = self.postings
        for term, weight in vec:
            plist = postings.get(term)
            if plist:
                for gid, cw in plist.items():
                    dots[gid] = dots.get(gid, 0.0) + weight * cw
        return dots

    def best(self, vec: Vector, ts: float | None) -> tuple[int, float]:
        """``(id, cosine)`` of the most similar open group whose time rules admit a
        document dated ``ts`` (ties go to the smaller id); ``(0, 0.0)`` when no such
        group shares a term with ``vec``. Only groups in the postings of ``vec``'s terms
        are scored."""
        dots = self._dots(vec)
        best_gid, best_sim = 0, 0.0
        groups = self.groups
        for gid, dot in dots.items():
            group = groups[gid]
            sim = dot / group.norm if group.norm > 0 else 0.0
            if sim < best_sim or (sim == best_sim and best_gid and gid > best_gid):
                continue
            if not self.admits(group, ts):
                continue
            best_gid, best_sim = gid, sim
        return best_gid, best_sim

    def top(self, vec: Vector, ts: float | None, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` ``(id, cosine)`` of the most similar open groups whose time rules
        admit a document dated ``ts``, most similar first (ties by smaller id)."""
        dots = self._dots(vec)
        groups = self.groups
        scored = [
            (-(dot / group.norm), gid)
            for gid, dot in dots.items()
            if (group := groups[gid]).norm > 0
        ]
        scored.sort()
        out: list[tuple[int, float]] = []
        for neg, gid in scored:
            if self.admits(groups[gid], ts):
                out.append((gid, -neg))
                if len(out) >= k:
                    break
        return out

    def add(self, gid: int, vec: Vector, ts: float | None, now: float | None) -> _Group:
        """Add a document vector to group ``gid`` (created when new) and re-index it.

        ``ts`` is the document's date, ``now`` the stream clock (either may be None).
        """
        group = self.groups.get(gid)
        if group is None:
            group = self.groups[gid] = _Group(gid)
        self._accumulate(group, vec)
        group.size += 1
        if ts is not None:
            group.first = ts if group.first is None else min(group.first, ts)
            group.last = ts if group.last is None else max(group.last, ts)
        self._touch(group, ts if ts is not None else now)
        return group

    def absorb(self, survivor: _Group, other: _Group) -> None:
        """Fold group ``other`` into ``survivor``: centroid sums, size, time bounds and
        extras add up; ``other`` leaves the index and the tier."""
        self._remove(other)
        self._accumulate(survivor, list(other.centroid.items()))
        survivor.size += other.size
        for bound in (other.first, other.last):
            if bound is not None:
                survivor.first = bound if survivor.first is None else min(survivor.first, bound)
                survivor.last = bound if survivor.last is None else max(survivor.last, bound)
        for term, weight in other.title.items():
            survivor.title[term] = survivor.title.get(term, 0.0) + weight
        survivor.title_norm = math.sqrt(sum(w * w for w in survivor.title.values()))
        for source, n in other.sources.items():
            survivor.sources[source] = survivor.sources.get(source, 0) + n
        self._touch(survivor, other.active)

    def _accumulate(self, group: _Group, vec: Vector) -> None:
        """Add weighted terms to the group's centroid, cap it, and re-index it."""
        gid = group.gid
        centroid = group.centroid
        for term, weight in vec:
            centroid[term] = centroid.get(term, 0.0) + weight
        postings = self.postings
        if len(centroid) > self.max_terms:
            ranked = sorted(centroid.items(), key=lambda kv: (-kv[1], kv[0]))
            for term, _ in ranked[self.max_terms :]:
                del centroid[term]
                plist = postings.get(term)
                if plist is not None:
                    plist.pop(gid, None)
                    if not plist:
                        del postings[term]
        for term, _ in vec:
            kept = centroid.get(term)
            if kept is not None:
                postings.setdefault(term, {})[gid] = kept
        group.norm = math.sqrt(sum(w * w for w in centroid.values()))

    def _touch(self, group: _Group, moment: float | None) -> None:
        """Record activity at stream time ``moment`` (keeps the latest)."""
        if moment is not None and (group.active is None or moment > group.active):
            group.active = moment
            heapq.heappush(self._heap, (moment, group.gid))

    def start_clock(self, now: float) -> None:
        """The stream got its first date: groups with no activity time get ``now``."""
        for gid, group in self.groups.items():
            if group.active is None:
                group.active = now
                heapq.heappush(self._heap, (now, gid))

    def close_idle(self, now: float) -> None:
        """Close (forget) every group idle for longer than the window at stream time ``now``."""
        cutoff = now - self.window
        heap = self._heap
        while heap and heap[0][0] < cutoff:
            moment, gid = heapq.heappop(heap)
            group = self.groups.get(gid)
            if group is None or group.active != moment:
                continue  # a stale entry: the group was active again later
            self._remove(group)

    def _remove(self, group: _Group) -> None:
        postings = self.postings
        for term in group.centroid:
            plist = postings.get(term)
            if plist is not None:
                plist.pop(group.gid, None)
                if not plist:
                    del postings[term]
        del self.groups[group.gid]


def _prune(counts: dict[str, int], size: int, least: float) -> dict[str, int]:
    """The entries with a count of at least ``least`` and, when more than ``size`` of
    them would remain, only those counted more often than the ``size + 1``-th most
    frequent (insertion order kept, so pruning is deterministic)."""
    ranked = sorted(counts.values(), reverse=True)
    if len(ranked) > size:
        least = max(least, ranked[size] + 1)
    return {t: k for t, k in counts.items() if k >= least}


def _unit(weighted: list[tuple[str, float]], max_terms: int) -> Vector:
    """The ``max_terms`` heaviest terms (ties by term), L2-normalized; [] when all zero."""
    weighted.sort(key=lambda tw: (-tw[1], tw[0]))
    del weighted[max_terms:]
    norm = math.sqrt(sum(w * w for _, w in weighted))
    if norm == 0:
        return []
    return [(t, w / norm) for t, w in weighted]


def _title_vector(vec: Vector, kinds: Mapping[str, int], in_title: int) -> Vector:
    """The document vector's title terms (the first ``in_title`` keys of ``kinds``),
    L2-normalized; [] when the title has none."""
    if not in_title:
        return []
    title_terms = set(list(kinds)[:in_title]) if in_title < len(kinds) else kinds.keys()
    kept = [(t, w) for t, w in vec if t in title_terms]
    norm = math.sqrt(sum(w * w for _, w in kept))
    return [(t, w / norm) for t, w in kept] if norm > 0 else []


def _add_extras(event: _Group, title_vec: Vector, source: str | None, max_terms: int) -> None:
    """Feed an event's title centroid (capped at twice ``max_terms``, pruned back to
    ``max_terms``) and its source counts with one member."""
    title = event.title
    for term, weight in title_vec:
        title[term] = title.get(term, 0.0) + weight
    if len(title) > 2 * max_terms:
        ranked = sorted(title.items(), key=lambda kv: (-kv[1], kv[0]))[:max_terms]
        event.title = title = dict(ranked)
    event.title_norm = math.sqrt(sum(w * w for w in title.values()))
    if source:
        event.sources[source] = event.sources.get(source, 0) + 1


class OnlineClusterer:
    """Single-pass event clusterer implementing :class:`~pulseaugur.cluster.base.Clusterer`.

    ``storyline_id`` is a real coarser grouping: the id of the first event of the
    storyline the event was attached to when it started (see the module docstring).
    State grows with the open events and the vocabulary only: closed events are
    forgotten. Not thread-safe; use one instance per stream.
    """

    def __init__(
        self,
        params: ClusterParams | None = None,
        model: MergeModel | None = None,
        storyline_model: MergeModel | None = None,
    ) -> None:
        self.params = params or ClusterParams()
        p = self.params
        shipped = default_models() if model is None or storyline_model is None else None
        self.model: MergeModel | None = None
        self.storyline_model: MergeModel | None = None
        if p.learned_merge:
            self.model = model if model is not None else shipped[0] if shipped else None
        if p.learned_storyline:
            self.storyline_model = storyline_model or (shipped[1] if shipped else None)
        self._events = _Tier(p.centroid_max_terms, p.close_after_days, p.max_span_days)
        self._storylines = _Tier(
            p.storyline_max_terms, p.storyline_close_after_days, p.storyline_max_span_days
        )
        self._source_docs: dict[str, int] = {}
        self._source_df: dict[str, dict[str, int]] = {}
        self._df: dict[str, int] = {}
        self._kinds: dict[str, int] = {}  # the strongest kind each counted term had
        self._docs = 0
        self._next_id = 1
        self._clock: float | None = None
        self._boost = {PLAIN: 1.0, PROPER: p.proper_boost, STRONG: p.strong_boost}

    @property
    def next_id(self) -> int:
        """The id the next new event will get: ids are positive, allocated in increasing
        order from 1, and continue after the largest restored id."""
        return self._next_id

    @property
    def open_events(self) -> int:
        """How many events are open (still in the index)."""
        return len(self._events.groups)

    @property
    def docs_seen(self) -> int:
        """How many documents went into the document frequencies (added or restored)."""
        return self._docs

    def vectorize(self, doc: ClusterDoc) -> Vector:
        """Count the document into the document frequencies and return its unit vector."""
        return self._vectorize(doc)[0]

    def _vectorize(self, doc: ClusterDoc) -> tuple[Vector, dict[str, int], int]:
        """The unit vector, the term kinds and how many leading counted terms are the
        title's (see :func:`~pulseaugur.cluster.features.raw_terms_titled`)."""
        p = self.params
        counts, kinds, in_title = raw_terms_titled(
            doc.title or "",
            doc.body,
            title_weight=p.title_weight,
            body_weight=p.body_weight,
            body_max_tokens=p.body_max_tokens,
        )
        self._docs += 1
        if len(self._df) > _VOCAB_CAP:
            self._df = _prune(self._df, _VOCAB_CAP // 2, 2.0)
            self._kinds = {t: k for t, k in self._kinds.items() if t in self._df}
        df = self._df
        known = self._kinds
        for term in counts:
            df[term] = df.get(term, 0) + 1
            kind = kinds[term]
            if kind and kind > known.get(term, 0):
                known[term] = kind
        template = self._templates(doc.source, counts)
        log_n = math.log(self._docs + 1)
        boost = self._boost
        weighted: list[tuple[str, float]] = []
        for term, c in counts.items():
            tf = c if c <= 1.0 else 1.0 + math.log(c)
            w = tf * (log_n - math.log(df[term] + 1) + 1.0) * boost[kinds[term]]
            if term in template:
                w *= p.template_weight
            weighted.append((term, w))
        return _unit(weighted, p.doc_max_terms), kinds, in_title

    def _templates(self, source: str | None, counts: Mapping[str, float]) -> set[str]:
        """Count the document into its source's term frequencies and return the terms
        that are boilerplate of that source (see ``ClusterParams.template_share``)."""
        if not source:
            return set()
        p = self.params
        n = self._source_docs.get(source, 0) + 1
        self._source_docs[source] = n
        sdf = self._source_df.setdefault(source, {})
        if len(sdf) > _SOURCE_VOCAB_CAP:
            least = max(2.0, p.template_share * n / 2)
            sdf = self._source_df[source] = _prune(sdf, _SOURCE_VOCAB_CAP // 2, least)
        template: set[str] = set()
        floor = p.template_share * n
        for term in counts:
            k = sdf.get(term, 0) + 1
            sdf[term] = k
            if k >= floor and n >= p.template_min_docs:
                template.add(term)
        return template

    def add(self, doc: ClusterDoc) -> Assignment:
        """Place one document (see the module docstring for the decision)."""
        p = self.params
        vec, kinds, in_title = self._vectorize(doc)
        title_vec = _title_vector(vec, kinds, in_title)
        ts = doc.published_at.timestamp() if doc.published_at is not None else None
        if ts is not None:
            self._advance(ts)
        now = self._clock
        full_text = len(kinds) - in_title >= p.learned_min_body_terms
        model = self.model if full_text and any(kinds[t] for t, _ in vec) else None
        if model is None:
            gid, sim = self._events.best(vec, ts)
            if not sim >= p.threshold:
                gid = 0
        else:
            cands = self._events.top(vec, ts, model.candidates)
            sim = cands[0][1] if cands else 0.0
            gid = self._decide(doc, vec, kinds, in_title, title_vec, cands, "event")
            if gid:
                sim = next(c for g, c in cands if g == gid)
        if gid:
            event = self._events.add(gid, vec, ts, now)
            if self.model is not None:
                _add_extras(event, title_vec, doc.source, p.centroid_max_terms)
            line = self._storylines.add(event.storyline, vec, ts, now)
            if self.storyline_model is not None:
                _add_extras(line, title_vec, doc.source, p.storyline_max_terms)
            event, merged = self._merge_similar(
                self._events, event, p.merge_threshold, p.merge_entity_cos
            )
            lines = self._merge_storylines(line)
            return Assignment(doc.id, event.gid, event.storyline, False, sim, merged, lines)
        cid = self._next_id
        self._next_id += 1
        smodel = self.storyline_model
        if smodel is None:
            sid, ssim = self._storylines.best(vec, ts)
            storyline = sid if sid and ssim >= p.storyline_threshold else cid
        else:
            scands = self._storylines.top(vec, ts, smodel.candidates)
            storyline = (
                self._decide(doc, vec, kinds, in_title, title_vec, scands, "storyline") or cid
            )
        event = self._events.add(cid, vec, ts, now)
        if self.model is not None:
            _add_extras(event, title_vec, doc.source, p.centroid_max_terms)
        event.storyline = storyline
        line = self._storylines.add(storyline, vec, ts, now)
        if self.storyline_model is not None:
            _add_extras(line, title_vec, doc.source, p.storyline_max_terms)
        lines = self._merge_storylines(line)
        return Assignment(doc.id, cid, event.storyline, True, sim, (), lines)

    def _merge_similar(
        self, tier: _Tier, group: _Group, threshold: float, entity_floor: float | None
    ) -> tuple[_Group, tuple[int, ...]]:
        """Merge ``group`` with every open group of ``tier`` that grew to be the same one:
        centroid cosine at least ``threshold``, a union the time rules admit and, unless
        ``entity_floor`` is None, agreeing entities (entity cosine at least
        ``entity_floor``, no conflicting years). The older group (smaller id) survives;
        returns the survivor and the absorbed ids in order."""
        merged: list[int] = []
        known = self._kinds
        while group.size >= group.next_check:
            group.next_check = max(group.size + 1, int(group.size * _CHECK_GROWTH))
            inv = 1.0 / group.norm if group.norm > 0 else 0.0
            vec = [(t, w * inv) for t, w in group.centroid.items()]
            kinds: dict[str, int] | None = None
            best, best_sim = None, threshold
            for gid, dot in tier._dots(vec).items():
                other = tier.groups[gid]
                if gid == group.gid or other.norm <= 0:
                    continue
                sim = dot / other.norm
                if sim < best_sim or (sim == best_sim and best is not None and gid > best.gid):
                    continue
                if not tier.admits_union(group, other):
                    continue
                if entity_floor is not None:
                    if kinds is None:
                        kinds = {t: known.get(t, 0) for t, _ in vec}
                    ent_cos, _, _, conflict = self._entity_overlap(vec, kinds, other.centroid)
                    if ent_cos < entity_floor or conflict:
                        continue
                best, best_sim = other, sim
            if best is None:
                break
            survivor, absorbed = (group, best) if group.gid < best.gid else (best, group)
            tier.absorb(survivor, absorbed)
            merged.append(absorbed.gid)
            group = survivor
            group.next_check = group.size  # grown again: look once more at once
        return group, tuple(merged)

    def _merge_storylines(self, line: _Group) -> tuple[tuple[int, int], ...]:
        """Merge storyline ``line`` with the open storylines it grew to be one with
        (``storyline_merge_threshold``); open events of an absorbed storyline move to
        the survivor. Returns ``(absorbed, survivor)`` pairs in order."""
        survivor, merged = self._merge_similar(
            self._storylines, line, self.params.storyline_merge_threshold, None
        )
        if not merged:
            return ()
        gone = set(merged)
        for event in self._events.groups.values():
            if event.storyline in gone:
                event.storyline = survivor.gid
        return tuple((absorbed, survivor.gid) for absorbed in merged)

    def features(
        self,
        doc: ClusterDoc,
        vec: Vector,
        kinds: Mapping[str, int],
        in_title: int,
        title_vec: Vector,
        cands: list[tuple[int, float]],
        level: str = "event",
    ) -> list[list[float]]:
        """The :data:`~pulseaugur.cluster.merge.FEATURES` of each candidate ``(id,
        cosine)`` for ``doc`` (``vec`` etc. from its vectorization); the candidates are
        events, or storylines when ``level`` is ``"storyline"``."""
        groups = (self._storylines if level == "storyline" else self._events).groups
        has_body = 1.0 if len(kinds) > in_title else 0.0
        log_terms = math.log(1 + len(vec))
        source = doc.source
        rows: list[list[float]] = []
        for i, (gid, sim) in enumerate(cands):
            group = groups[gid]
            centroid = group.centroid
            other = max((c for j, (_, c) in enumerate(cands) if j != i), default=0.0)
            title = group.title
            tdot = sum(w * title.get(t, 0.0) for t, w in title_vec)
            title_cos = tdot / group.title_norm if group.title_norm > 0 else 0.0
            coverage = 0.0
            strong = proper = 0
            for term, w in vec:
                if term in centroid:
                    coverage += w * w
                    kind = kinds[term]
                    if kind == STRONG:
                        strong += 1
                    elif kind == PROPER:
                        proper += 1
            missing = missing_proper = 0
            for t, _ in title_vec:
                if t not in centroid:
                    kind = kinds[t]
                    if kind == STRONG:
                        missing += 1
                    elif kind == PROPER:
                        missing_proper += 1
            same = group.sources.get(source, 0) / group.size if source and group.size else 0.0
            ent = self._entity_overlap(vec, kinds, centroid)
            rows.append(
                [
                    sim,
                    title_cos,
                    sim - other,
                    coverage,
                    math.log1p(strong),
                    math.log1p(missing),
                    math.log1p(proper),
                    math.log1p(missing_proper),
                    math.log(min(max(group.size, 1), _SIZE_CAP)),
                    same,
                    has_body,
                    sim * has_body,
                    title_cos * has_body,
                    log_terms,
                    *ent,
                ]
            )
        return rows

    def _entity_overlap(
        self, vec: Vector, kinds: Mapping[str, int], centroid: Mapping[str, float]
    ) -> tuple[float, float, float, float]:
        """Entity (proper and strong term) agreement of a document and a centroid: their
        entity cosine, the share of the document's entity weight (squared) the centroid
        lacks, the share of the centroid's the document lacks, and 1.0 when both name
        years (``2013``) and share none."""
        doc_ent = {t: w for t, w in vec if kinds[t]}
        known = self._kinds
        dot = doc_sq = missing_doc = 0.0
        doc_years: set[str] = set()
        for t, w in doc_ent.items():
            doc_sq += w * w
            c = centroid.get(t)
            if c is None:
                missing_doc += w * w
            else:
                dot += w * c
            if is_year(t):
                doc_years.add(t)
        cent_sq = missing_event = 0.0
        cent_years = shared_year = False
        for t, c in centroid.items():
            if known.get(t):
                cent_sq += c * c
                if t not in doc_ent:
                    missing_event += c * c
                if is_year(t):
                    cent_years = True
                    shared_year = shared_year or t in doc_years
        if doc_sq == 0 or cent_sq == 0:
            return 0.0, 1.0 if doc_sq else 0.0, 1.0 if cent_sq else 0.0, 0.0
        return (
            dot / math.sqrt(doc_sq * cent_sq),
            missing_doc / doc_sq,
            missing_event / cent_sq,
            1.0 if doc_years and cent_years and not shared_year else 0.0,
        )

    def _decide(
        self,
        doc: ClusterDoc,
        vec: Vector,
        kinds: Mapping[str, int],
        in_title: int,
        title_vec: Vector,
        cands: list[tuple[int, float]],
        level: str,
    ) -> int:
        """The event (or storyline, by ``level``) to join among ``cands`` (most similar
        first), or 0 for a new one: the candidate with the highest model score among
        those reaching the model's cut (raised by ``singleton_margin`` for a group of
        one member)."""
        model = self.storyline_model if level == "storyline" else self.model
        assert model is not None
        cands = [c for c in cands if c[1] >= model.min_cos]
        if not cands:
            return 0
        rows = self.features(doc, vec, kinds, in_title, title_vec, cands, level)
        groups = (self._storylines if level == "storyline" else self._events).groups
        cut, margin = model.logit_cut, model.singleton_margin
        best_gid, best_z = 0, -math.inf
        for (gid, _), row in zip(cands, rows, strict=True):
            z = model.logit(row)
            if z >= cut + (margin if groups[gid].size == 1 else 0.0) and z > best_z:
                best_gid, best_z = gid, z
        return best_gid

    def restore(
        self,
        members: Iterable[tuple[int, ClusterDoc]],
        storylines: Mapping[int, int] | None = None,
        *,
        min_next_id: int = 1,
    ) -> None:
        """Put stored documents back into their clusters (no decisions are made).

        Each ``(cluster_id, doc)`` is counted into the document frequencies and added to
        cluster ``cluster_id``; its storyline is ``storylines[cluster_id]`` when given,
        else the cluster itself. Afterwards ``next_id`` is past every restored cluster
        and storyline id and at least ``min_next_id``. Events idle for longer than
        ``close_after_days`` at the latest restored date are closed at the end. Raises
        ``ValueError`` for an id < 1.
        """
        storylines = storylines or {}
        self._next_id = max(self._next_id, min_next_id)
        for cluster_id, doc in members:
            if cluster_id < 1:
                raise ValueError(f"cluster ids are positive, got {cluster_id} for {doc.id!r}")
            vec, kinds, in_title = self._vectorize(doc)
            ts = doc.published_at.timestamp() if doc.published_at is not None else None
            if ts is not None and (self._clock is None or ts > self._clock):
                if self._clock is None:
                    self._events.start_clock(ts)
                    self._storylines.start_clock(ts)
                self._clock = ts
            existing = self._events.groups.get(cluster_id)
            storyline = existing.storyline if existing else storylines.get(cluster_id, cluster_id)
            event = self._events.add(cluster_id, vec, ts, self._clock)
            title_vec = _title_vector(vec, kinds, in_title)
            if self.model is not None:
                _add_extras(event, title_vec, doc.source, self.params.centroid_max_terms)
            event.storyline = storyline
            line = self._storylines.add(storyline, vec, ts, self._clock)
            if self.storyline_model is not None:
                _add_extras(line, title_vec, doc.source, self.params.storyline_max_terms)
            self._next_id = max(self._next_id, cluster_id + 1, storyline + 1)
        if self._clock is not None:
            self._events.close_idle(self._clock)
            self._storylines.close_idle(self._clock)

    def place(
        self, doc: ClusterDoc, cluster_id: int, storyline_id: int | None = None
    ) -> Assignment:
        """Put ``doc`` into event ``cluster_id`` without deciding (the caller knows: a post
        linking to an article joins the article's event). The document counts toward
        the event's centroid like any member; see the protocol."""
        self.restore([(cluster_id, doc)], {cluster_id: storyline_id} if storyline_id else None)
        event = self._events.groups.get(cluster_id)
        storyline = event.storyline if event is not None else (storyline_id or cluster_id)
        return Assignment(doc.id, cluster_id, storyline, False, 1.0)

    def _advance(self, ts: float) -> None:
        """Move the stream clock to ``ts`` if later and close what went idle."""
        if self._clock is None:
            self._clock = ts
            self._events.start_clock(ts)
            self._storylines.start_clock(ts)
        elif ts > self._clock:
            self._clock = ts
            self._events.close_idle(ts)
            self._storylines.close_idle(ts)
