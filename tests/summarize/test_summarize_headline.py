"""Neutral headlines from titles."""

from __future__ import annotations

import pytest

from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS, choose_headline, clean_title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("OpenAI files for IPO | TechCrunch", "OpenAI files for IPO"),
        ("OpenAI files for IPO - The Verge", "OpenAI files for IPO"),
        ("OpenAI files for IPO — VentureBeat", "OpenAI files for IPO"),
        (
            "Opinion | For Hong Kong to succeed in AI, energy cannot be an afterthought",
            "For Hong Kong to succeed in AI, energy cannot be an afterthought",
        ),
        ("Exclusive: Positron raises $230M Series B", "Positron raises $230M Series B"),
        (
            "Show HN: A local merge queue for parallel Claude Code agents",
            "A local merge queue for parallel Claude Code agents",
        ),
        ("#7: Cognition AI launches Devin Fusion", "Cognition AI launches Devin Fusion"),
        (
            "This new ChatGPT trick saves PDFs in seconds - here's how",
            "This new ChatGPT trick saves PDFs in seconds",
        ),
        ("Gemini 3 launches - and it's free", "Gemini 3 launches"),
        (
            "The Download: unnerving AI avatars, and a climate gift",
            "Unnerving AI avatars, and a climate gift",
        ),
        ("The Forrester Landscape, Q2 2026 Is Out!", "The Forrester Landscape, Q2 2026 Is Out"),
        ("Changelist: August 2024", "Changelist: August 2024"),  # a label alone stays
        ("Acme\xa0ships   a thing", "Acme ships a thing"),
        ("The Forrester Wave™: Zero Trust Platforms", "The Forrester Wave™: Zero Trust Platforms"),
    ],
)
def test_clean_title(title: str, expected: str) -> None:
    assert clean_title(title) == expected


def test_tail_naming_a_covering_source_is_stripped() -> None:
    assert (
        clean_title("Acme ships a thing - Example Daily", ["Example Daily"]) == "Acme ships a thing"
    )
    assert clean_title("Acme ships a thing - Part 2") == "Acme ships a thing - Part 2"


def test_long_titles_are_cut_at_a_boundary() -> None:
    title = (
        "Sam Altman calls for ‘AI privilege’ as OpenAI clarifies court order to retain "
        "temporary and deleted ChatGPT sessions"
    )
    cut = clean_title(title)
    assert len(cut) <= MAX_HEADLINE_CHARS
    assert cut == "Sam Altman calls for ‘AI privilege’"
    words = " ".join(["word"] * 40)
    assert len(clean_title(words)) <= MAX_HEADLINE_CHARS
    assert clean_title(words).endswith("…")


def test_choose_prefers_central_statements() -> None:
    centroid = {"openai": 5.0, "ipo": 5.0, "file": 3.0, "s-1": 1.0}
    candidates = [
        ("Is OpenAI's IPO a bubble?", 1.0),
        ("OpenAI files for IPO after Anthropic", 1.0),
        ("I tried the new ChatGPT and you should too", 1.0),
    ]
    assert choose_headline(candidates, centroid) == "OpenAI files for IPO after Anthropic"
    with pytest.raises(ValueError, match="at least one"):
        choose_headline([], centroid)
