"""Who wrote a story's text, as the story page credits it."""

from __future__ import annotations

from pulseaugur.summarize.base import EXTRACTIVE
from pulseaugur.types import Story


def is_extractive(story: Story) -> bool:
    """True when no model wrote the story's text."""
    return story.summarizer.strip().lower() == EXTRACTIVE


def attribution(story: Story) -> str:
    """``Extractive summary from N sources`` (``from 1 source``) for text no model wrote;
    ``AI-generated summary · <model> · from N sources`` otherwise. Extractive text is
    never labelled AI-generated."""
    count = story.source_count
    sources = f"{count} source" if count == 1 else f"{count} sources"
    if is_extractive(story):
        return f"Extractive summary from {sources}"
    return f"AI-generated summary · {story.summarizer.strip()} · from {sources}"
