"""No two live events carry the same headline (``pipeline/headlines.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from pulseaugur.pipeline.headlines import HeadlineIndex, distinct_headline
from pulseaugur.summarize import ExtractiveSummarizer
from pulseaugur.summarize.quality import story_ungrounded

from coverage_factories import T0, cluster, entry, source

TC = source("techcrunch", tier=1, outlet="TechCrunch")
TITLE = "ChatGPT: Everything you need to know about the AI-powered chatbot"


def test_a_second_event_with_the_same_title_gets_a_grounded_variant() -> None:
    index = HeadlineIndex()
    first = [entry("a", TC, title=TITLE, body="OpenAI released GPT-5 to every user.")]
    second = [
        entry(
            "b",
            TC,
            minutes=60 * 24 * 90,
            title=TITLE,
            body="OpenAI added Sora video tools for Plus subscribers in Europe.",
        )
    ]
    one, two = replace(cluster(), id=1), replace(cluster(), id=2)
    now = T0 + timedelta(days=91)
    story1 = ExtractiveSummarizer().summarize(one, first, now)
    story2 = replace(ExtractiveSummarizer().summarize(two, second, now), cluster_id=2)
    assert story1.headline == story2.headline == TITLE
    kept = distinct_headline(story1, one, first, now, index)
    assert kept.headline == TITLE
    changed = distinct_headline(story2, two, second, now, index)
    assert changed.headline != TITLE
    assert changed.headline.startswith("ChatGPT: Everything you need to know")
    assert len(changed.headline) <= 110
    assert story_ungrounded(changed, two, second) == {}
    # Re-summarizing the first event keeps its headline; the second keeps its variant.
    assert distinct_headline(story1, one, first, now, index).headline == TITLE
    assert distinct_headline(story2, two, second, now, index).headline == changed.headline


def test_a_released_headline_is_free_again() -> None:
    index = HeadlineIndex()
    index.claim("Same words", 1)
    assert not index.is_free("same  WORDS", 2)
    assert index.is_free("Same words", 1)
    index.release(1)
    assert index.is_free("Same words", 2)
    index.claim("Other", 2)
    index.claim("Changed", 2)  # a new headline releases the old one
    assert index.is_free("Other", 3)
