"""Sentence splitting, boilerplate removal and name spans."""

from __future__ import annotations

import pytest

from pulseaugur.summarize.text import (
    capitalized_spans,
    clean_text,
    shorten,
    split_sentences,
    usable_sentence,
)


def test_split_keeps_abbreviations_initials_and_decimals_together() -> None:
    text = (
        "The U.S. Securities and Exchange Commission got a filing from Dr. J. Smith. "
        "It raised $4.5 billion. Was it worth it? Yes!"
    )
    assert [s.text for s in split_sentences(text)] == [
        "The U.S. Securities and Exchange Commission got a filing from Dr. J. Smith.",
        "It raised $4.5 billion.",
        "Was it worth it?",
        "Yes!",
    ]


def test_hard_wrapped_lines_join_but_paragraphs_do_not() -> None:
    text = "So it is pretty\nwell established now\n\nA new paragraph starts here"
    assert [s.text for s in split_sentences(text)] == [
        "So it is pretty well established now",
        "A new paragraph starts here",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Google launched Gemini 3. The post Gemini 3 is here appeared first on Example Blog.",
        "Google launched Gemini 3. Continue reading the full story on our site",
        "Google launched Gemini 3. Read more at https://example.com/x",
    ],
)
def test_boilerplate_is_removed(text: str) -> None:
    assert clean_text(text) == "Google launched Gemini 3."


def test_sign_up_lines_are_removed() -> None:
    assert clean_text("Sign up for our weekly newsletter to get the latest news.") == ""


def test_a_feed_cut_marks_the_last_sentence_truncated() -> None:
    cut = split_sentences("OpenAI filed for an IPO. Google initially responded to […]")
    assert [(s.text, s.truncated) for s in cut] == [
        ("OpenAI filed for an IPO.", False),
        ("Google initially responded to", True),
    ]
    whole = split_sentences("OpenAI filed for an IPO on Monday. […]")
    assert [(s.text, s.truncated) for s in whole] == [("OpenAI filed for an IPO on Monday.", False)]
    ellipsis = split_sentences("The connection was patchy during one…")
    assert ellipsis[0].truncated


@pytest.mark.parametrize(
    ("text", "usable"),
    [
        ("OpenAI released a new reasoning model on Thursday.", True),
        ("Too short.", False),
        ("mp4 showing a carousel of images with text like Gemini 3", False),
        ("Image credits: Getty Images for a photo of the event", False),
        ("Subscribe to the podcast to hear every new episode first.", False),
        ("# AI # AISupercomputingCentre # Apple # Beijing # China", False),
        ("in History , Photography , Science | December 21st, 2017", False),
        ("iPhone sales rose sharply after the new assistant launched.", True),
    ],
)
def test_usable_sentence(text: str, usable: bool) -> None:
    [sentence] = split_sentences(text)
    assert usable_sentence(sentence) is usable


def test_shorten_cuts_at_a_clause_boundary() -> None:
    long = "OpenAI announced a reasoning model on Thursday, " + "which is " * 40 + "done"
    cut = shorten(long, 100)
    assert cut is not None
    assert len(cut) <= 100
    assert cut == "OpenAI announced a reasoning model on Thursday…"
    assert shorten("short", 100) == "short"
    assert shorten("x" * 200, 100) is None  # no boundary: cannot cut honestly


def test_capitalized_spans() -> None:
    spans = capitalized_spans(
        "OpenAI on Monday met Sam Altman's team. Grok 3 and Gemini 2.5 Pro beat GPT-4o."
    )
    assert [(s.text, s.sentence_initial) for s in spans] == [
        ("OpenAI", True),
        ("Monday", False),
        ("Sam Altman", False),
        ("Grok 3", True),
        ("Gemini 2.5 Pro", False),
        ("GPT-4o", False),
    ]
