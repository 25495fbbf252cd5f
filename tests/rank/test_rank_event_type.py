"""Event types from keyword rules."""

from __future__ import annotations

import pytest

import pulseaugur.rank.event_type as event_type_module
from pulseaugur.rank import EVENT_RULES, EVENT_TYPES, Rule, classify_event_type

from coverage_factories import entry, source

TC = source("techcrunch", tier=1, outlet="TechCrunch")


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Getty Images sues Stability AI over copyright", "", "legal"),
        ("Court rules training on books is fair use", "A federal judge ruled.", "legal"),
        ("Positron raises $230M Series B to take on Nvidia", "", "funding"),
        ("Perplexity valuation hits $20 billion in new funding round", "", "funding"),
        ("Nvidia acquires Run:ai", "The acquisition closed on Monday.", "deal"),
        ("Anthropic partners with the UK government", "", "deal"),
        ("ChatGPT outage hits millions of users", "", "incident"),
        (
            "Researchers find a jailbreak in Claude",
            "A prompt injection bypassed filters.",
            "incident",
        ),
        ("Rahul Patil steps down as CEO", "", "people"),
        ("Meta hires a former OpenAI researcher", "", "people"),
        ("EU lawmakers finalize the AI Act", "", "policy"),
        ("White House issues executive order on AI", "", "policy"),
        ("OpenAI launches GPT-5", "It is available today.", "launch"),
        ("Introducing Claude Opus 4.7", "", "launch"),
        ("Show HN: A local merge queue for agents", "", "launch"),
        ("Windsurf Next 1.12.163", "", "launch"),
        ("A new paper on scaling laws", "We propose a method and show results on arXiv.", "paper"),
        ("Opinion | Energy cannot be an afterthought", "", "opinion"),
        ("The case for audit trails in AI systems", "", "opinion"),
        ("Why OpenAI really shut down Sora", "", "analysis"),
        ("I tried the new Gemini app for Mac", "", "analysis"),
        ("Black Swan Farming", "Startups are hard to pick.", "other"),
    ],
)
def test_classifies_by_keywords(title: str, body: str, expected: str) -> None:
    assert classify_event_type([entry("x", TC, title=title, body=body)]) == expected


def test_raises_concerns_is_not_funding() -> None:
    e = entry("x", TC, title="Deepfake tool raises concerns among artists")
    assert classify_event_type([e]) != "funding"


def test_votes_add_up_across_items() -> None:
    # One launch-ish title and two reports of a lawsuit: the lawsuit wins.
    entries = [
        entry("a", TC, title="Acme unveils a new chatbot"),
        entry("b", TC, title="Authors sue Acme over its chatbot"),
        entry("c", TC, title="Acme hit with class action lawsuit"),
    ]
    assert classify_event_type(entries) == "legal"


def test_ties_go_to_the_more_specific_type() -> None:
    # "acquires" (deal) and "launches" (launch) score the same; deal is listed first.
    e = entry("x", TC, title="Acme acquires Initech and launches Gamma")
    assert classify_event_type([e]) == "deal"


def test_opinion_section_counts() -> None:
    opinion = source("scmp-opinion", tier=1, outlet="SCMP", section="Opinion")
    e = entry("x", opinion, title="For Hong Kong to succeed in AI, energy matters")
    assert classify_event_type([e]) == "opinion"


def test_nothing_is_other() -> None:
    assert classify_event_type([]) == "other"


def test_custom_rules_replace_the_defaults() -> None:
    rules = [Rule("weather", strong=(r"rain", r"storm"))]
    e = entry("x", TC, title="Storm and rain hit the data center")
    assert classify_event_type([e], rules) == "weather"


def test_types_are_documented_and_ruled() -> None:
    doc = event_type_module.__doc__ or ""
    for kind in EVENT_TYPES:
        assert f"\n{kind} " in doc, kind
    assert [r.label for r in EVENT_RULES] == [t for t in EVENT_TYPES if t != "other"]
    assert EVENT_TYPES[-1] == "other"
