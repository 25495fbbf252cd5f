"""The extractive summarizer over real replay items (../shared/data/replay).

A few hundred rough groups (see ``replay_groups``) go through the summarizer; every
story must keep the contracts: a headline of 1–110 characters, 2–4 summary sentences
(the last written from our records when the items hold no second one), every
sentence citing its items, no fact (number, name, quotation) in the headline, summary,
IMPACT or RANK_REASON that the items or our own records (outlet names, counts) do not
hold, and no "AI-generated" label on text no model wrote.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
import replay_groups
from replay_groups import cluster_for, replay_path, sample_groups

from pulseaugur.summarize import (
    ExtractiveSummarizer,
    attribution,
    event_features,
    record_terms,
    sources_text,
    ungrounded_facts,
)
from pulseaugur.summarize.extractive import HEADLINE_REPEAT, REDUNDANCY
from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS
from pulseaugur.summarize.lines import coverage_sentence
from pulseaugur.summarize.text import (
    MAX_SENTENCE_CHARS,
    content_words,
    shorten,
    split_sentences,
    usable_sentence,
)
from pulseaugur.types import CoverageEntry, Story

SINGLES = 150
MULTIS = 250


def _cosine(a: Sequence[str], b: Sequence[str]) -> float:
    ca, cb = Counter(a), Counter(b)
    dot = sum(v * cb[k] for k, v in ca.items())
    norm = math.sqrt(sum(v * v for v in ca.values())) * math.sqrt(sum(v * v for v in cb.values()))
    return dot / norm if norm else 0.0


def _usable(entries: Sequence[CoverageEntry], headline: str) -> list[list[str]]:
    """Word lists of the usable, non-title-repeating sentences, computed independently."""
    out: list[list[str]] = []
    head = content_words(headline)
    for e in entries:
        title = content_words(e.item.title_en or e.item.title)
        for s in split_sentences(e.item.body or e.item.excerpt):
            if not usable_sentence(s) or shorten(s.text, MAX_SENTENCE_CHARS - 1) is None:
                continue
            words = content_words(s.text)
            if words and max(_cosine(words, head), _cosine(words, title)) < HEADLINE_REPEAT:
                out.append(words)
    return out


@pytest.fixture(scope="module")
def stories() -> list[tuple[list[CoverageEntry], Story]]:
    path = replay_path()
    summarizer = ExtractiveSummarizer()
    out = []
    for i, group in enumerate(sample_groups(path, SINGLES, MULTIS)):
        cluster = cluster_for(group, i)
        out.append((group, summarizer.summarize(cluster, group, cluster.last_updated)))
    return out


def test_enough_real_groups(stories: list[tuple[list[CoverageEntry], Story]]) -> None:
    assert len(stories) >= 300
    assert sum(1 for g, _ in stories if len({e.source.id for e in g}) > 1) >= 50


def test_shape_contracts(stories: list[tuple[list[CoverageEntry], Story]]) -> None:
    problems = []
    for group, story in stories:
        ids = {e.item.id for e in group}
        where = f"{story.headline!r} ({len(group)} items)"
        if not story.headline.strip() or len(story.headline) > MAX_HEADLINE_CHARS:
            problems.append(f"headline length {len(story.headline)}: {where}")
        if not 2 <= len(story.summary) <= 4:
            problems.append(f"{len(story.summary)} summary sentences: {where}")
        event = cluster_for(group, 0)
        records = coverage_sentence(event_features(event, group, event.last_updated))
        if any(s.text == records for s in story.summary):
            usable = _usable(group, story.headline)
            pairs = [
                (a, b)
                for i, a in enumerate(usable)
                for b in usable[i + 1 :]
                if _cosine(a, b) < REDUNDANCY
            ]
            if pairs:
                problems.append(f"records sentence though 2 distinct usable ones exist: {where}")
        for s in story.summary:
            if not s.item_ids or not set(s.item_ids) <= ids:
                problems.append(f"bad citation {s.item_ids}: {where}")
            if len(s.text) > MAX_SENTENCE_CHARS:
                problems.append(f"sentence of {len(s.text)} chars: {where}")
            for junk in ("appeared first on", "Continue reading", "[…]", "[...]"):
                if junk in s.text:
                    problems.append(f"boilerplate {junk!r}: {where}")
        if set(story.coverage_item_ids) != ids or len(story.coverage_item_ids) != len(ids):
            problems.append(f"coverage ids: {where}")
        if story.source_count != len({e.source.id for e in group}):
            problems.append(f"source count: {where}")
        if story.primary_item_id != story.coverage_item_ids[0]:
            problems.append(f"primary not first in coverage: {where}")
        if story.summarizer != "extractive" or "AI-generated" in attribution(story):
            problems.append(f"labelled as model text: {where}")
        if not story.tags or not story.impact or not story.rank_reason:
            problems.append(f"missing tags/impact/rank_reason: {where}")
    assert not problems, "\n".join(problems[:20])


def test_no_ungrounded_facts(stories: list[tuple[list[CoverageEntry], Story]]) -> None:
    problems = []
    for i, (group, story) in enumerate(stories):
        cluster = cluster_for(group, i)
        allowed = record_terms(event_features(cluster, group, cluster.last_updated))
        texts = sources_text(group)
        for field, text in (
            ("headline", story.headline),
            ("summary", story.summary_text),
            ("impact", story.impact),
            ("rank_reason", story.rank_reason),
        ):
            facts = ungrounded_facts(text, texts, allowed)
            if facts:
                problems.append(f"{field} {facts}: {text[:160]!r}")
    assert not problems, "\n".join(problems[:20])


def test_impact_and_rank_reason_are_not_boilerplate(
    stories: list[tuple[list[CoverageEntry], Story]],
) -> None:
    impacts = Counter(s.impact for _, s in stories)
    reasons = Counter(s.rank_reason for _, s in stories)
    assert len(impacts) >= 0.6 * len(stories)
    assert len(reasons) >= 0.15 * len(stories)
    # no single line on more than a tenth of the stories
    assert impacts.most_common(1)[0][1] <= 0.1 * len(stories)
    assert reasons.most_common(1)[0][1] <= 0.1 * len(stories)


def test_absent_shared_data_skips_or_fails_as_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_groups, "REPLAY_ITEMS", Path("/nonexistent/items.jsonl"))
    monkeypatch.delenv("PULSEAUGUR_REQUIRE_SHARED_DATA", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent"):
        replay_groups.replay_path()
    monkeypatch.setenv("PULSEAUGUR_REQUIRE_SHARED_DATA", "1")
    with pytest.raises(pytest.fail.Exception, match="PULSEAUGUR_REQUIRE_SHARED_DATA=1"):
        replay_groups.replay_path()
