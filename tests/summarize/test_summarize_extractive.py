"""The extractive summarizer on hand-built events."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from pulseaugur.rank import score
from pulseaugur.summarize import (
    ExtractiveSummarizer,
    Summarizer,
    event_features,
    record_terms,
    sources_text,
    ungrounded_facts,
)
from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS
from pulseaugur.summarize.text import MAX_SENTENCE_CHARS
from pulseaugur.types import CoverageEntry

from coverage_factories import T0, cluster, entry, source

LAB = source("openai-news", tier=1, primary=True, outlet="OpenAI")
TC = source("techcrunch", tier=1, outlet="TechCrunch")
ZD = source("zdnet", tier=2, outlet="ZDNET")
DIGG = source("digg", tier=3, outlet="Digg")
NOW = T0 + timedelta(hours=2)


def gpt5_event() -> list[CoverageEntry]:
    return [
        entry(
            "zd-1",
            ZD,
            minutes=40,
            title="GPT-5 is here - here's how to try it",
            body="OpenAI launched GPT-5 on Thursday. It is available to all ChatGPT users, "
            "including free users, and it is rolling out […]",
        ),
        entry(
            "tc-1",
            TC,
            minutes=20,
            title="OpenAI launches GPT-5, its new flagship model | TechCrunch",
            body="OpenAI on Thursday launched GPT-5, the company's new flagship AI model. "
            "The model will be available to free and paid ChatGPT users. "
            "Sam Altman called it a significant step toward more useful assistants. "
            "Continue reading",
        ),
        entry(
            "lab-1",
            LAB,
            minutes=0,
            title="Introducing GPT-5",
            body="Today we are releasing GPT-5, our smartest and fastest model yet. "
            "GPT-5 sets new records on coding benchmarks such as SWE-bench Verified. "
            "The post Introducing GPT-5 appeared first on OpenAI.",
        ),
    ]


def summarize(entries: list[CoverageEntry]) -> object:
    return ExtractiveSummarizer().summarize(cluster(last_updated=T0), entries, NOW)


def test_the_story_of_a_three_source_launch() -> None:
    entries = gpt5_event()
    story = ExtractiveSummarizer().summarize(cluster(last_updated=T0), entries, NOW)
    assert story.cluster_id == 1
    assert story.summarizer == "extractive"
    assert story.source_count == 3
    assert story.coverage_item_ids == ("lab-1", "tc-1", "zd-1")
    assert story.primary_item_id == "lab-1"
    assert story.event_type == "launch"
    assert "models" in story.tags
    assert story.score == score(entries, cluster(last_updated=T0), NOW)
    assert story.version == 1

    assert story.headline == "OpenAI launches GPT-5, its new flagship model"
    assert 2 <= len(story.summary) <= 4
    bodies = {e.item.id: e.item.body for e in entries}
    for sentence in story.summary:
        assert sentence.item_ids
        assert set(sentence.item_ids) <= set(story.coverage_item_ids)
        assert len(sentence.text) <= MAX_SENTENCE_CHARS
        for item_id in sentence.item_ids:
            assert sentence.text.rstrip(".") in bodies[item_id]
    for junk in ("appeared first", "Continue reading", "[…]", "rolling out"):
        assert junk not in story.summary_text


def test_impact_and_rank_reason_are_specific_and_grounded() -> None:
    entries = gpt5_event()
    story = ExtractiveSummarizer().summarize(cluster(last_updated=T0), entries, NOW)
    features = event_features(cluster(last_updated=T0), entries, NOW)
    allowed = record_terms(features)
    for text in (story.headline, story.summary_text, story.impact, story.rank_reason):
        assert ungrounded_facts(text, sources_text(entries), allowed) == [], text
    assert "OpenAI" in story.impact or "GPT-5" in story.impact
    assert "3 sources" in story.rank_reason
    assert "2 tier-1 sources" in story.rank_reason
    assert "original from OpenAI" in story.rank_reason
    assert story.rank_reason.startswith("Product or model release")
    assert "AI-generated" not in story.impact + story.rank_reason


def test_different_events_get_different_lines() -> None:
    launch = ExtractiveSummarizer().summarize(cluster(), gpt5_event(), NOW)
    lawsuit = ExtractiveSummarizer().summarize(
        cluster(),
        [
            entry(
                "d-1",
                DIGG,
                title="Reddit sues Anthropic over scraping",
                body="Reddit filed a lawsuit against Anthropic in a California court. "
                "The complaint says Anthropic's bots accessed Reddit without permission.",
            )
        ],
        NOW,
    )
    assert lawsuit.event_type == "legal"
    assert lawsuit.impact != launch.impact
    assert lawsuit.rank_reason != launch.rank_reason
    assert "Reddit" in lawsuit.impact
    assert "Anthropic" in lawsuit.impact
    assert "single tier-3 source (Digg)" in lawsuit.rank_reason


def test_a_sentence_several_items_carry_cites_them_all() -> None:
    shared = "Nvidia agreed to buy Run:ai for an undisclosed sum on Wednesday."
    entries = [
        entry("tc-1", TC, title="Nvidia buys Run:ai", body=shared + " The deal was rumored."),
        entry("zd-1", ZD, title="Nvidia to acquire Run:ai", body=shared),
    ]
    story = ExtractiveSummarizer().summarize(cluster(), entries, NOW)
    cited = {s.text: s.item_ids for s in story.summary}
    assert cited[shared] == ("tc-1", "zd-1")


def _grounded(story_entries: list[CoverageEntry], texts: list[str]) -> bool:
    features = event_features(cluster(), story_entries, NOW)
    sources, allowed = sources_text(story_entries), record_terms(features)
    return all(not ungrounded_facts(t, sources, allowed) for t in texts)


def test_one_usable_sentence_is_followed_by_who_reports_it() -> None:
    e = entry(
        "tc-1",
        TC,
        title="Anthropic opens an office in Tokyo",
        body="The company plans to hire local engineers this year. Read more",
    )
    story = ExtractiveSummarizer().summarize(cluster(), [e], NOW)
    assert [(s.text, s.item_ids) for s in story.summary] == [
        ("The company plans to hire local engineers this year.", ("tc-1",)),
        ("So far only TechCrunch, a tier-1 source, reports this.", ("tc-1",)),
    ]
    assert _grounded([e], [s.text for s in story.summary])


def test_the_second_place_never_repeats_the_headline() -> None:
    entries = [
        entry(
            "lab-1",
            LAB,
            title="Perplexity joins the NVIDIA Nemotron Coalition",
            body="Perplexity joins the NVIDIA Nemotron Coalition. Read more",
        ),
        entry(
            "tc-1",
            TC,
            minutes=5,
            title="Perplexity joins Nvidia's open model coalition",
            body="As a founding member, Perplexity will contribute search data to the models.",
        ),
    ]
    story = ExtractiveSummarizer().summarize(cluster(), entries, NOW)
    assert len(story.summary) == 2
    texts = [s.text.rstrip(".").lower() for s in story.summary]
    assert story.headline.rstrip(".").lower() not in texts
    assert _grounded(entries, [s.text for s in story.summary])


def test_a_cut_off_sentence_fills_the_second_place_before_our_records() -> None:
    e = entry(
        "tc-1",
        TC,
        title="Anthropic opens an office in Tokyo",
        body="The company plans to hire local engineers this year. "
        "Its first hires will work on models for Japanese customers in finance and […]",
    )
    story = ExtractiveSummarizer().summarize(cluster(), [e], NOW)
    assert len(story.summary) == 2
    assert story.summary[1].text.endswith("…")
    assert "So far" not in story.summary_text


def test_no_usable_sentence_falls_back_to_the_headline_and_our_records() -> None:
    e = entry("lab-1", LAB, title="Anthropic opens an office in Tokyo", body="Tokyo")
    story = ExtractiveSummarizer().summarize(cluster(), [e], NOW)
    assert [(s.text, s.item_ids) for s in story.summary] == [
        ("Anthropic opens an office in Tokyo.", ("lab-1",)),
        ("So far the only source on this is the original publisher, OpenAI.", ("lab-1",)),
    ]


def test_several_sources_without_a_second_sentence_are_named() -> None:
    entries = [
        entry("tc-1", TC, title="Interactive maps of any Hugging Face model", body=""),
        entry("zd-1", ZD, minutes=5, title="Interactive maps of any Hugging Face model", body=""),
    ]
    story = ExtractiveSummarizer().summarize(cluster(), entries, NOW)
    assert [(s.text, s.item_ids) for s in story.summary] == [
        ("Interactive maps of any Hugging Face model.", ("tc-1",)),
        ("It is reported by 2 sources: TechCrunch and ZDNET.", ("tc-1", "zd-1")),
    ]
    assert _grounded(entries, [s.text for s in story.summary])


def test_a_body_that_repeats_the_title_is_used_only_as_a_fallback() -> None:
    e = entry(
        "hn-1",
        ZD,
        title="Interactive maps of any Hugging Face model",
        body="Interactive maps of any Hugging Face model",
    )
    story = ExtractiveSummarizer().summarize(cluster(), [e], NOW)
    assert story.summary_text == (
        "Interactive maps of any Hugging Face model. "
        "So far only ZDNET, a tier-2 source, reports this."
    )


def test_long_sentences_are_cut_honestly() -> None:
    body = (
        "Hong Kong is positioning itself as a global AI hub, "
        + "and its strategy covers compute, talent, capital and data, " * 8
        + "but energy is missing. Energy is the constraint that matters most."
    )
    e = entry("scmp-1", TC, title="Hong Kong's AI ambitions meet energy limits", body=body)
    story = ExtractiveSummarizer().summarize(cluster(), [e], NOW)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in story.summary)
    assert story.summary[0].text.endswith("…")
    assert story.summary[0].text.rstrip("…") in body


def test_a_single_word_title_gives_way_to_the_lead_sentence() -> None:
    e = entry(
        "lab-1",
        LAB,
        title="Company",
        body="Today we are publishing an update to our Responsible Scaling Policy. "
        "It introduces new capability thresholds for our safeguards.",
    )
    story = ExtractiveSummarizer().summarize(cluster(), [e], NOW)
    assert story.headline == "Today we are publishing an update to our Responsible Scaling Policy"
    assert len(story.headline) <= MAX_HEADLINE_CHARS


def test_input_order_does_not_matter_and_inputs_are_untouched() -> None:
    entries = gpt5_event()
    before = list(entries)
    stories = {
        ExtractiveSummarizer().summarize(cluster(), list(p), NOW)
        for p in itertools.permutations(entries)
    }
    assert len(stories) == 1
    assert entries == before


def test_contract_errors() -> None:
    with pytest.raises(ValueError, match="no coverage entries"):
        ExtractiveSummarizer().summarize(cluster(), [], NOW)
    with pytest.raises(ValueError, match="max_sentences"):
        ExtractiveSummarizer(max_sentences=5)


def test_it_is_a_summarizer() -> None:
    summarizer: Summarizer = ExtractiveSummarizer(max_sentences=2)
    assert summarizer.name == "extractive"
    story = summarizer.summarize(cluster(), gpt5_event(), NOW)
    assert len(story.summary) <= 2
