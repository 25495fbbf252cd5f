"""The credit line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pulseaugur.summarize import ExtractiveSummarizer, attribution, is_extractive
from pulseaugur.types import Story

from coverage_factories import cluster, entry, source


@pytest.fixture
def story() -> Story:
    src = source("techcrunch", tier=1, outlet="TechCrunch")
    e = entry("a", src, title="OpenAI files for IPO", body="OpenAI filed for an IPO on Monday.")
    return ExtractiveSummarizer().summarize(cluster(), [e], cluster().last_updated)


def test_extractive_text_is_never_called_ai_generated(story: Story) -> None:
    assert story.summarizer == "extractive"
    assert is_extractive(story)
    assert attribution(story) == "Extractive summary from 1 source"
    assert "AI-generated" not in attribution(replace(story, source_count=4))
    assert attribution(replace(story, source_count=4)) == "Extractive summary from 4 sources"


def test_model_text_is_labelled_with_the_model(story: Story) -> None:
    llm = replace(story, summarizer="gemini-2.5-flash-lite", source_count=2)
    assert not is_extractive(llm)
    assert attribution(llm) == "AI-generated summary · gemini-2.5-flash-lite · from 2 sources"
