"""The story checks of ``summarize/quality.py`` and the headline variants that keep
headlines unique."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from pulseaugur.summarize import ExtractiveSummarizer, event_features, record_terms
from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS, headline_variants
from pulseaugur.summarize.lines import record_dates
from pulseaugur.summarize.quality import duplicate_headlines, limit_problems, story_ungrounded
from pulseaugur.types import CoverageEntry, Story, SummarySentence

from coverage_factories import T0, cluster, entry, source

TC = source("techcrunch", tier=1, outlet="TechCrunch")
NOW = T0 + timedelta(hours=2)
BODY = "OpenAI launched GPT-5 on Thursday. It is available to all ChatGPT users."


def _story(
    headline: str = "OpenAI launches GPT-5", body: str = BODY
) -> tuple[Story, list[CoverageEntry]]:
    e = entry("tc-1", TC, title=headline, body=body)
    return ExtractiveSummarizer().summarize(cluster(), [e], NOW), [e]


def test_a_grounded_story_passes_and_an_invented_fact_is_named() -> None:
    story, entries = _story()
    assert story_ungrounded(story, cluster(), entries) == {}
    assert limit_problems(story) == []
    bad = replace(story, impact="Microsoft paid 900 million for it.")
    assert story_ungrounded(bad, cluster(), entries) == {"impact": ["900", "Microsoft"]}


def test_the_items_dates_are_facts_of_our_records() -> None:
    story, entries = _story()
    features = event_features(cluster(), entries, NOW)
    day = T0.date().isoformat()
    assert record_dates(features) == (day,)
    assert day in record_terms(features)
    dated = replace(story, headline=f"{story.headline} ({day})")
    assert story_ungrounded(dated, cluster(), entries) == {}


def test_limits() -> None:
    story, _ = _story()
    long = replace(story, headline="x" * (MAX_HEADLINE_CHARS + 1))
    assert limit_problems(long) == ["headline of 111 characters (> 110)"]
    one = replace(story, summary=(SummarySentence("Only this.", ("tc-1",)),))
    assert limit_problems(one) == ["summary of 1 sentence (not 2-4)"]
    five = replace(story, summary=story.summary[:1] * 5)
    assert limit_problems(five) == ["summary of 5 sentences (not 2-4)"]


def test_duplicate_headlines_fold_case_and_space() -> None:
    story, _ = _story()
    stories = [
        replace(story, cluster_id=1),
        replace(story, cluster_id=2, headline="openai  launches GPT-5"),
        replace(story, cluster_id=3, headline="Something else"),
    ]
    assert duplicate_headlines(stories) == {"OpenAI launches GPT-5": [1, 2]}


def test_headline_variants_add_names_then_dates_within_the_limit() -> None:
    assert headline_variants(
        "Sharing new research from Meta FAIR", ["Meta", "V-JEPA 2"], ["2025-06-11"]
    ) == [
        "Sharing new research from Meta FAIR: V-JEPA 2",
        "Sharing new research from Meta FAIR (2025-06-11)",
    ]
    long = "ChatGPT: Everything you need to know about the AI-powered chatbot, " * 2
    variants = headline_variants(long, ["GPT-5"], ["2025-08-07"])
    assert len(variants) == 2
    assert all(len(v) <= MAX_HEADLINE_CHARS for v in variants)
    assert variants[0].endswith(": GPT-5")
    assert variants[1].endswith(" (2025-08-07)")
    assert headline_variants("A headline", [], []) == []
