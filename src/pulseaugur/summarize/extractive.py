"""The extractive summarizer: the offline default, no model involved.

Every word of its headline and summary is copied from the items; its IMPACT and
RANK_REASON lines are composed from the event's features (:mod:`.lines`). Its stories
carry ``summarizer="extractive"`` and are never labelled AI-generated.

Headline
    The most central of the items' cleaned titles (:mod:`.headline`): outlet tails,
    label prefixes and click-bait tails stripped, at most 110 characters. When the best
    title is a single word (a scraped link text like "Company"), the most central body
    sentence, cut to 110 characters, is the headline instead.
Summary
    2–4 sentences from the items' bodies:

    1. each body is cleaned of feed boilerplate and split into sentences; a sentence is
       *usable* when :func:`~.text.usable_sentence` accepts it (long enough, complete,
       not a caption or sign-up line); one over 300 characters is cut at a clause
       boundary with ``…``; the same sentence in several items becomes one candidate
       citing all of them;
    2. a candidate scores its cosine similarity to the event's word centroid, times a
       lead bonus (earlier sentences of an item score higher), a source prior
       (originals and tier 1 preferred) and a penalty for questions;
    3. sentences are picked greedily by maximal marginal relevance: a candidate too
       similar to one already picked (cosine ≥ :data:`REDUNDANCY`) is skipped, and
       after :data:`MIN_SENTENCES` picks the summary stops when the next candidate is
       weak or the summary is long;
    4. the picks are shown in authority order of their items, then in text order.

    A sentence that nearly repeats the headline or its own item's title (cosine ≥
    :data:`HEADLINE_REPEAT`; many feeds repeat the title as the body) is not usable.
    Fallbacks, in order, when no usable sentence exists: sentences that repeat a title;
    sentences the feed cut off (ending in ``…``, at least 8 words); finally the headline
    itself, citing the item it came from. A summary with fewer than
    :data:`MIN_SENTENCES` picks is filled from the weaker kinds (cut-off sentences, then
    title repeats) that do not repeat a pick; when the items hold nothing more, its last
    sentence is written from our records (:func:`~.lines.coverage_sentence`: who reports
    the event, of what tier), citing one item per source. So every summary has 2–4
    sentences, and none states a fact no source or record holds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from pulseaugur.rank import DEFAULT_WEIGHTS, ScoreWeights, distinct_sources
from pulseaugur.summarize.base import EXTRACTIVE
from pulseaugur.summarize.features import (
    EventFeatures,
    event_features,
    item_text,
    item_title,
    outlet_names,
    source_prior,
)
from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS, choose_headline, clean_title
from pulseaugur.summarize.lines import coverage_sentence, impact_line, rank_reason_line
from pulseaugur.summarize.text import (
    MAX_SENTENCE_CHARS,
    content_words,
    finish_sentence,
    shorten,
    split_sentences,
    usable_sentence,
)
from pulseaugur.types import Cluster, CoverageEntry, Story, SummarySentence

MAX_SENTENCES = 4
MIN_SENTENCES = 2
REDUNDANCY = 0.6
"""Cosine similarity at or above which a candidate repeats an already picked sentence."""
HEADLINE_REPEAT = 0.8
"""Cosine similarity to the headline at or above which a sentence only repeats it."""
WEAK_RATIO = 0.35
"""After :data:`MIN_SENTENCES`, stop when the next pick scores below this share of the best."""
SOFT_MAX_CHARS = 700
"""After :data:`MIN_SENTENCES`, stop adding once the summary is this long."""
MIN_FRAGMENT_WORDS = 8
QUESTION_FACTOR = 0.6
"""Questions state nothing: their score is scaled down by this."""


def _vector(words: Sequence[str]) -> Counter[str]:
    return Counter(words)


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * large.get(k, 0.0) for k, v in small.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


@dataclass(slots=True)
class _Candidate:
    text: str
    item_ids: list[str]
    vector: Counter[str]
    rank: int
    position: int
    score: float = 0.0
    kind: str = "usable"  # usable | repeat | fragment


def _candidates(features: EventFeatures, headline_vec: Counter[str]) -> list[_Candidate]:
    by_key: dict[str, _Candidate] = {}
    for rank, entry in enumerate(features.entries):
        prior = source_prior(entry)
        title_vec = _vector(content_words(item_title(entry)))
        for sentence in split_sentences(item_text(entry)):
            if sentence.truncated:
                words = sentence.text.split()
                if len(words) < MIN_FRAGMENT_WORDS:
                    continue
                probe = replace(sentence, truncated=False)
                if not usable_sentence(probe):
                    continue
                cut = shorten(sentence.text, MAX_SENTENCE_CHARS - 1)
                if cut is None:
                    continue
                text, kind = cut.rstrip(" ,;:-–—…") + "…", "fragment"
            else:
                if not usable_sentence(sentence):
                    continue
                cut = shorten(sentence.text, MAX_SENTENCE_CHARS - 1)  # room for a "."
                if cut is None:
                    continue
                text, kind = finish_sentence(cut), "usable"
            vector = _vector(content_words(text))
            if not vector:
                continue
            key = " ".join(sorted(vector.elements()))
            if key in by_key:
                existing = by_key[key]
                if entry.item.id not in existing.item_ids:
                    existing.item_ids.append(entry.item.id)
                continue
            if kind == "usable" and (
                _cosine(vector, headline_vec) >= HEADLINE_REPEAT
                or _cosine(vector, title_vec) >= HEADLINE_REPEAT
            ):
                kind = "repeat"
            lead = 1.0 - 0.05 * min(sentence.position, 6)
            question = QUESTION_FACTOR if text.endswith("?") else 1.0
            score = _cosine(vector, features.centroid) * lead * prior * question
            by_key[key] = _Candidate(
                text, [entry.item.id], vector, rank, sentence.position, score, kind
            )
    return list(by_key.values())


def _select(candidates: list[_Candidate], max_sentences: int) -> list[_Candidate]:
    pool = sorted(candidates, key=lambda c: (-c.score, c.rank, c.position))
    if not pool:
        return []
    best = pool[0].score or 1.0
    chosen: list[_Candidate] = []
    length = 0
    while pool and len(chosen) < max_sentences:
        pick: _Candidate | None = None
        pick_value = -math.inf
        for cand in pool:
            redundancy = max((_cosine(cand.vector, c.vector) for c in chosen), default=0.0)
            if redundancy >= REDUNDANCY:
                continue
            value = 0.75 * cand.score / best - 0.25 * redundancy
            if value > pick_value:
                pick, pick_value = cand, value
        if pick is None:
            break
        if len(chosen) >= MIN_SENTENCES and (
            pick.score < WEAK_RATIO * best or length + len(pick.text) > SOFT_MAX_CHARS
        ):
            break
        chosen.append(pick)
        length += len(pick.text) + 1
        pool.remove(pick)
    return chosen


def headline_prior(entry: CoverageEntry) -> float:
    """Tier preference among titles: 1.0 for tier 1, 0.95 tier 2, 0.9 below. Originals
    get no extra credit here: a lab's title is often just a product name ("Claude Code
    and Slack"), where the press states what happened."""
    return {1: 1.0, 2: 0.95}.get(entry.source.tier, 0.9)


class ExtractiveSummarizer:
    """The offline default :class:`~.base.Summarizer` (see the module docstring).

    ``weights`` are the score weights passed to :func:`pulseaugur.rank.score`;
    ``max_sentences`` caps the summary (2–4 is the product's range).
    """

    name: str = EXTRACTIVE

    def __init__(
        self, *, weights: ScoreWeights = DEFAULT_WEIGHTS, max_sentences: int = MAX_SENTENCES
    ) -> None:
        if not 1 <= max_sentences <= MAX_SENTENCES:
            raise ValueError(f"max_sentences must be 1–{MAX_SENTENCES}: {max_sentences}")
        self.weights = weights
        self.max_sentences = max_sentences

    def headline(self, features: EventFeatures) -> tuple[str, str]:
        """The event's headline and the id of the item whose title it came from."""
        outlets = outlet_names(features.sources)
        seen: dict[str, tuple[float, str]] = {}
        for entry in features.entries:
            cleaned = clean_title(item_title(entry), outlets, limit=MAX_HEADLINE_CHARS)
            if cleaned and cleaned not in seen:
                seen[cleaned] = (headline_prior(entry), entry.item.id)
        title = ""
        if seen:
            title = choose_headline([(t, p) for t, (p, _) in seen.items()], features.centroid)
        if len(title.split()) <= 1:  # "Company", "Alignment": a link text, not a headline
            lead = self._lead_sentence(features)
            if lead is not None:
                return lead
        if not title:
            return "Untitled event", features.primary.item.id
        return title, seen[title][1]

    def _lead_sentence(self, features: EventFeatures) -> tuple[str, str] | None:
        """The most central usable sentence, cut to a headline, with its item's id."""
        candidates = [c for c in _candidates(features, Counter()) if c.kind == "usable"]
        if not candidates:
            return None
        best = max(candidates, key=lambda c: (c.score, -c.rank, -c.position))
        text = clean_title(best.text.rstrip("."), limit=MAX_HEADLINE_CHARS)
        return (text, best.item_ids[0]) if len(text.split()) >= 3 else None

    def summary(
        self, features: EventFeatures, headline: str, headline_item: str
    ) -> tuple[SummarySentence, ...]:
        """The summary sentences, each citing its items (see the module docstring)."""
        headline_vec = _vector(content_words(headline))
        candidates = _candidates(features, headline_vec)
        chosen: list[_Candidate] = []
        for kind in ("usable", "repeat", "fragment"):
            chosen = _select([c for c in candidates if c.kind == kind], self.max_sentences)
            if chosen:
                break
        wanted = min(MIN_SENTENCES, self.max_sentences)
        for kind in ("fragment", "repeat"):  # fill up to two from the weaker kinds
            for cand in sorted(
                (c for c in candidates if c.kind == kind and c not in chosen),
                key=lambda c: (-c.score, c.rank, c.position),
            ):
                if len(chosen) >= wanted:
                    break
                if _cosine(cand.vector, headline_vec) >= HEADLINE_REPEAT:
                    continue  # it would only say the headline again
                if all(_cosine(cand.vector, c.vector) < REDUNDANCY for c in chosen):
                    chosen.append(cand)
        chosen.sort(key=lambda c: (c.rank, c.position))
        out = [SummarySentence(c.text, tuple(c.item_ids)) for c in chosen]
        if not out:
            out.append(SummarySentence(finish_sentence(headline), (headline_item,)))
        if len(out) < wanted:  # the items hold no second sentence: say who reports it
            cites = tuple(dict.fromkeys(e.item.id for e in distinct_sources(features.entries)))
            out.append(SummarySentence(coverage_sentence(features), cites))
        return tuple(out)

    def summarize(self, cluster: Cluster, entries: Sequence[CoverageEntry], now: datetime) -> Story:
        """The story of ``cluster``; raises ``ValueError`` for no entries."""
        features = event_features(cluster, entries, now, self.weights)
        return self.story(features)

    def story(self, features: EventFeatures) -> Story:
        """The story written from already computed features."""
        headline, headline_item = self.headline(features)
        return Story(
            cluster_id=features.cluster.id,
            headline=headline,
            summary=self.summary(features, headline, headline_item),
            impact=impact_line(features),
            rank_reason=rank_reason_line(features),
            tags=features.tags,
            event_type=features.event_type,
            score=features.score,
            primary_item_id=features.primary.item.id,
            summarizer=self.name,
            source_count=features.source_count,
            coverage_item_ids=tuple(e.item.id for e in features.entries),
            entities=features.entities,
        )
