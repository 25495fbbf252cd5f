"""Topic tags from the taxonomy."""

from __future__ import annotations

import pytest

import pulseaugur.rank.topics as topics_module
from pulseaugur.rank import FALLBACK_TAG, TOPICS, tag_topics

from coverage_factories import entry, source

TC = source("techcrunch", tier=1, outlet="TechCrunch")


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("OpenAI launches GPT-5", "The new language model beats GPT-4o.", "models"),
        ("Positron raises $230M Series B", "Investors include a16z.", "funding"),
        ("EU finalizes AI Act regulation", "Lawmakers agreed on the rules.", "policy & regulation"),
        (
            "Hong Kong's AI ambitions face energy limits",
            "Data centers need power.",
            "compute & energy",
        ),
        ("Meta releases open-weights Llama 4", "Available on Hugging Face.", "open source"),
        ("Anthropic publishes alignment research", "Interpretability results.", "safety"),
        ("Opinion: an essay on AI", "", "opinion"),
    ],
)
def test_tags_by_keywords(title: str, body: str, expected: str) -> None:
    assert expected in tag_topics([entry("x", TC, title=title, body=body)])


def test_at_least_one_tag() -> None:
    assert tag_topics([entry("x", TC, title="Black Swan Farming", body="Picking winners.")]) == (
        FALLBACK_TAG,
    )
    assert tag_topics([]) == (FALLBACK_TAG,)


def test_at_most_max_tags_strongest_first() -> None:
    e = entry(
        "x",
        TC,
        title="OpenAI raises $6.6 billion to build GPUs and data centers for GPT-5 agents",
        body="The funding values the company at $157 billion. Nvidia chips power the models.",
    )
    tags = tag_topics([e])
    assert 1 <= len(tags) <= 3
    assert len(tag_topics([e], max_tags=1)) == 1
    assert tags[0] == tag_topics([e], max_tags=1)[0]


def test_taxonomy_is_documented() -> None:
    doc = topics_module.__doc__ or ""
    for tag in TOPICS:
        assert f"\n{tag} " in doc, tag
    assert {"models", "research", "products", "funding", "policy & regulation", "safety"} <= set(
        TOPICS
    )
    assert {"compute & energy", "open source", "opinion"} <= set(TOPICS)
