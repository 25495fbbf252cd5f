"""The grounding check."""

from __future__ import annotations

from pulseaugur.summarize import ungrounded_facts

SOURCES = [
    "OpenAI raised $6.6 billion from Thrive Capital, valuing it at $157 billion.",
    "Sam Altman said “we are grateful” to investors. The app has 1,247 routes.",
    "Hong Kong should lean on the Greater Bay Area for energy.",
]


def test_copied_text_is_grounded() -> None:
    assert (
        ungrounded_facts("OpenAI raised $6.6 billion, valuing it at $157 billion.", SOURCES) == []
    )


def test_invented_numbers_names_and_quotes_are_reported() -> None:
    text = 'OpenAI raised $7 billion from SoftBank; Altman said "we are thrilled".'
    assert ungrounded_facts(text, SOURCES) == ["7", "SoftBank", '"we are thrilled"']


def test_quotes_match_across_quote_styles_and_case() -> None:
    assert ungrounded_facts('Altman said "We are grateful".', SOURCES) == []


def test_thousands_separators_do_not_matter() -> None:
    assert ungrounded_facts("It has 1247 routes.", SOURCES) == []
    assert ungrounded_facts("It has 1,248 routes.", SOURCES) == ["1,248"]


def test_a_name_passes_whole_or_word_by_word() -> None:
    assert ungrounded_facts("Hong Kong Greater Bay Area plans.", SOURCES) == []
    assert ungrounded_facts("Hong Kong Macau plans.", SOURCES) == ["Hong Kong Macau"]


def test_sentence_opening_common_words_are_not_names() -> None:
    assert ungrounded_facts("Research involving OpenAI; relevant to investors.", SOURCES) == []
    assert ungrounded_facts("Meanwhile OpenAI waits. AI is generic.", SOURCES) == []


def test_allowed_record_facts_pass() -> None:
    text = "Funding news covered by 3 sources including 2 tier-1 sources (TechCrunch)."
    assert ungrounded_facts(text, SOURCES) == ["3", "2", "1", "TechCrunch"]
    assert ungrounded_facts(text, SOURCES, ["TechCrunch", "3", "2", "tier-1"]) == []


def test_model_versions_are_checked() -> None:
    assert ungrounded_facts("GPT-4o beat Qwen3.", ["GPT-4o and Qwen3 were compared."]) == []
    assert ungrounded_facts("GPT-5 beat Qwen3.", ["GPT-4o and Qwen3 were compared."]) == [
        "5",
        "GPT-5",
    ]


def test_trademark_signs_do_not_break_names() -> None:
    assert ungrounded_facts("The Forrester Wave ranks vendors.", ["The Forrester Wave™: Q2"]) == []
