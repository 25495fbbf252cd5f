"""What a summarizer knows about an event before writing a word.

:func:`event_features` gathers, once per event, everything the extractive summarizer
(and later an LLM summarizer) builds its text from: the coverage in authority order,
the primary item, the event type, topic tags, the score, the distinct sources and
their tiers, the word centroid of the event and the names involved.

Names (:func:`extract_entities`) are runs of capitalized words that occur in the
items' own text: bodies always, titles when written in sentence case (a Title Case
Headline capitalizes every word and says nothing about names, so from such titles only
name-shaped words like ``DeltaDB`` or ``GPT-5`` count). A name counts when it
appears mid-sentence, or when it is name-shaped even at a sentence start (several
words, or mixed case like ``OpenAI``); a plain word opening a sentence ("Reddit filed
…") counts only when the same name also occurs mid-sentence somewhere. Never names:
outlet names and runs containing one, month and day names, common words, ``AI``,
generic acronyms (``IPO``, ``GPU``), figures (``650M``, ``Q2``), runs with a capitalized
function word inside (``Things That Matter``), and single words the items also use in
lower case (a changelog's "Improvements"). Names are ranked by how many items mention
them, then how often, then whether a title does.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pulseaugur.rank import (
    DEFAULT_WEIGHTS,
    ScoreWeights,
    choose_primary,
    classify_event_type,
    distinct_sources,
    order_coverage,
    score,
    tag_topics,
)
from pulseaugur.summarize.text import (
    COMMON_WORDS,
    GENERIC_CAPS,
    STOPWORDS,
    capitalized_spans,
    clean_text,
    content_words,
)
from pulseaugur.types import Cluster, CoverageEntry, ScoreParts, Source


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


MONTHS_AND_DAYS = _wordset(
    """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday
    thursday friday saturday sunday"""
)
_ARTICLES = frozenset({"The", "A", "An", "This", "That", "These", "Those"})
GENERIC_ACRONYMS = _wordset(
    "IPO CEO CTO CFO COO API LLM GPU CPU TPU SDK PDF FAQ AGI ASI ML NLP RAG UI UX IT HR"
)
"""Acronyms that name a kind of thing, not a party to the event."""
MAX_ENTITY_TOKENS = 4


@dataclass(frozen=True, slots=True)
class EventFeatures:
    """Everything known about one event, computed once (see the module docstring)."""

    cluster: Cluster
    entries: tuple[CoverageEntry, ...]
    """The coverage in authority order (originals, then tier, then earliest)."""
    primary: CoverageEntry
    event_type: str
    tags: tuple[str, ...]
    score: ScoreParts
    sources: tuple[Source, ...]
    """The distinct sources, in authority order."""
    entities: tuple[str, ...]
    """Names involved, most prominent first (at most 3)."""
    centroid: Mapping[str, float]
    """Content word → weight: how central each word is to the event."""

    @property
    def source_count(self) -> int:
        """How many distinct sources cover the event."""
        return len(self.sources)

    @property
    def item_count(self) -> int:
        """How many items cover the event."""
        return len(self.entries)

    @property
    def tier1_count(self) -> int:
        """How many distinct tier-1 sources cover the event."""
        return sum(1 for s in self.sources if s.tier <= 1)

    @property
    def has_original(self) -> bool:
        """True when a first-party publisher (``Source.primary``) covers the event."""
        return any(s.primary for s in self.sources)


def source_prior(entry: CoverageEntry) -> float:
    """A multiplier favouring text from originals and higher tiers (≈0.9–1.15)."""
    if entry.source.primary:
        return 1.15
    return {1: 1.08, 2: 1.0}.get(entry.source.tier, 0.92)


def item_title(entry: CoverageEntry) -> str:
    """The item's English title (``title_en``, else ``title``)."""
    return entry.item.title_en or entry.item.title


def item_text(entry: CoverageEntry) -> str:
    """The item's plain-text body, else its excerpt."""
    return entry.item.body or entry.item.excerpt


def sources_text(entries: Iterable[CoverageEntry]) -> list[str]:
    """The texts a summary may draw on, for the grounding check: every item's title,
    English title, body and excerpt."""
    out: list[str] = []
    for entry in entries:
        item = entry.item
        out.extend(t for t in (item.title, item.title_en, item.body, item.excerpt) if t)
    return out


def outlet_names(sources: Iterable[Source]) -> list[str]:
    """Every name a source goes by (outlet, name, ``Outlet — Section``), deduplicated."""
    names: list[str] = []
    for source in sources:
        names.extend(n for n in (source.outlet, source.name, source.display_name) if n)
    return list(dict.fromkeys(names))


def centroid(entries: Sequence[CoverageEntry]) -> dict[str, float]:
    """Content word → weight over the event: ``df^1.5 · (1 + ln tf)``, where ``df`` is the
    number of items using the word (titles count twice towards ``tf``). Words many items
    share dominate; for one item it is its own word profile."""
    df: Counter[str] = Counter()
    tf: Counter[str] = Counter()
    for entry in entries:
        words = content_words(item_title(entry)) * 2 + content_words(item_text(entry))
        tf.update(words)
        df.update(set(words))
    return {w: math.pow(df[w], 1.5) * (1.0 + math.log(tf[w])) for w in tf}


def _is_title_case(title: str) -> bool:
    words = [w for w in title.split()[1:] if len(w) >= 3 and w[:1].isalpha()]
    if not words:
        return False
    return sum(1 for w in words if w[:1].isupper()) / len(words) >= 0.6


def _name_tokens(tokens: Sequence[str], sentence_initial: bool) -> tuple[str, ...]:
    """The tokens without leading articles, without common words opening a sentence
    ("After Nvidia" → Nvidia; mid-sentence "The New York Times" keeps "New"), nor a
    sentence-opening verb or adverb ("Redesigning Claude Code" → Claude Code)."""
    out = list(tokens)
    while out and (out[0] in _ARTICLES or (sentence_initial and out[0].lower() in COMMON_WORDS)):
        out.pop(0)
    if (
        sentence_initial
        and len(out) > 1
        and not _name_shaped(out[:1])
        and out[0].lower().endswith(("ing", "ed", "ly", "s"))
    ):
        out.pop(0)
    return tuple(out)


def _not_a_name(tokens: Sequence[str]) -> bool:
    """Generic acronyms, figures (``650M``, ``Q2``) and labels (``Series B``)."""
    first = tokens[0]
    if not first[:1].isalpha() or re.fullmatch(r"[A-Z]\d+", first):
        return True
    if len(tokens) == 1 and re.fullmatch(r"[A-Z]{2,4}-[a-z][a-z-]*", first):  # AI-generated
        return True
    if len(tokens) == 1 and first.rstrip("s") in GENERIC_ACRONYMS:
        return True
    return len(tokens) == 2 and first == "Series" and len(tokens[1]) == 1


def _name_shaped(tokens: Sequence[str]) -> bool:
    if len(tokens) > 1:
        return True
    token = tokens[0]
    return any(c.isupper() for c in token[1:]) or any(c.isdigit() for c in token)


def extract_entities(
    entries: Sequence[CoverageEntry], exclude: Iterable[str] = (), *, limit: int = 3
) -> tuple[str, ...]:
    """The names involved in the event, most prominent first (see the module docstring);
    ``exclude`` are names never returned (the covering outlets)."""
    excluded = [e.lower().removeprefix("the ") for e in exclude if e]
    lower_words: set[str] = set()
    for entry in entries:
        for text in (item_title(entry), item_text(entry)):
            lower_words.update(w for w in re.findall(r"\b[a-z][a-z'-]+\b", text))
    item_freq: Counter[str] = Counter()
    count: Counter[str] = Counter()
    in_title: set[str] = set()
    items_of: defaultdict[str, set[str]] = defaultdict(set)
    unconfirmed: Counter[str] = Counter()
    unconfirmed_items: defaultdict[str, set[str]] = defaultdict(set)
    unconfirmed_title: set[str] = set()
    for entry in entries:
        texts = [clean_text(item_text(entry))]
        title = item_title(entry)
        if not _is_title_case(title):
            texts.append(title)
        else:  # only name-shaped words of a Title Case title: "Zed DeltaDB" → DeltaDB
            texts.append(" , ".join(w for w in title.split() if _name_shaped([w.strip(",:;")])))
        seen: set[str] = set()
        for i, text in enumerate(texts):
            for span in capitalized_spans(text):
                tokens = _name_tokens(span.tokens, span.sentence_initial)
                if not tokens or len(tokens) > MAX_ENTITY_TOKENS or _not_a_name(tokens):
                    continue
                name = " ".join(tokens)
                if span.sentence_initial and not _name_shaped(tokens):
                    # "Reddit filed …": a name only if it also occurs mid-sentence
                    unconfirmed[name] += 1
                    unconfirmed_items[name].add(entry.item.id)
                    if i == 1:
                        unconfirmed_title.add(name)
                    continue
                low = name.lower()
                if (
                    any(f" {e} " in f" {low} " for e in excluded)
                    or any(t.lower() in STOPWORDS for t in tokens[1:])  # Things That Matter
                    or (len(tokens) == 1 and not _name_shaped(tokens) and low in lower_words)
                    or low in COMMON_WORDS
                    or low in MONTHS_AND_DAYS
                    or all(t in GENERIC_CAPS for t in tokens)
                    or (name.isupper() and len(name) > 5 and " " not in name)
                ):
                    continue
                count[name] += 1
                seen.add(name)
                items_of[name].add(entry.item.id)
                if i == 1:
                    in_title.add(name)
        item_freq.update(seen)
    for name in list(count):
        count[name] += unconfirmed[name]
        item_freq[name] = len(items_of[name] | unconfirmed_items[name])
        if name in unconfirmed_title:
            in_title.add(name)
    ranked = sorted(count, key=lambda n: (-item_freq[n], -count[n], n not in in_title, -len(n), n))
    chosen: list[str] = []
    for name in ranked:
        words = set(name.split())
        if any(words <= set(c.split()) or set(c.split()) <= words for c in chosen):
            continue
        chosen.append(name)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def event_features(
    cluster: Cluster,
    entries: Sequence[CoverageEntry],
    now: datetime,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> EventFeatures:
    """The features of the event ``entries`` report. Raises ``ValueError`` for no
    entries."""
    if not entries:
        raise ValueError(f"cluster {cluster.id} has no coverage entries")
    ordered = tuple(order_coverage(entries))
    sources = tuple(e.source for e in distinct_sources(ordered))
    event_type = classify_event_type(ordered)
    return EventFeatures(
        cluster=cluster,
        entries=ordered,
        primary=choose_primary(ordered),
        event_type=event_type,
        tags=tag_topics(ordered),
        score=score(ordered, cluster, now, weights, event_type=event_type),
        sources=sources,
        entities=extract_entities(ordered, exclude=outlet_names(sources)),
        centroid=centroid(ordered),
    )
