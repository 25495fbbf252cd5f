"""Near-duplicates: SimHash over shingles, banded lookup, a bounded window, real copies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from pulseaugur.dedup.near import MIN_TOKENS, NearDuplicateIndex, distance, simhash
from pulseaugur.normalize.text import html_to_text

from support import require_shared, shared_data_dir

T0 = datetime(2025, 8, 7, tzinfo=UTC)
STORY = (
    "OpenAI on Thursday released GPT-5, its newest flagship model, to all ChatGPT users. "
    "The company says the model is faster, makes fewer factual errors and is better at "
    "writing code than its predecessors, and it will replace the older models in the app. "
    "Developers can reach three sizes of the model through the API starting today, with "
    "prices lower than those of the previous generation."
)


def test_short_texts_are_not_fingerprinted() -> None:
    assert simhash("OpenAI launches GPT-5") is None
    assert simhash(" ".join(["word"] * (MIN_TOKENS - 1))) is None


def test_copies_are_close_and_other_stories_are_far() -> None:
    original = simhash(STORY)
    copy = simhash(STORY + " Read more.")
    other = simhash(
        "Anthropic raised thirteen billion dollars in a Series F round led by ICONIQ, valuing "
        "the company at one hundred eighty three billion dollars after the money. The startup "
        "said it will spend the funds on compute, safety research and international expansion "
        "as demand for its Claude models grows among enterprises and developers worldwide."
    )
    assert original is not None
    assert copy is not None
    assert other is not None
    assert distance(original, copy) <= 3
    assert distance(original, other) > 10
    assert simhash(STORY.upper()) == original, "case does not matter"


def test_index_finds_copies_and_forgets_old_items() -> None:
    index = NearDuplicateIndex(window=timedelta(days=7))
    value = simhash(STORY)
    assert value is not None
    assert index.find(value) is None
    index.add("a", value, T0)
    assert index.find(value) == "a"
    assert index.find(value ^ 0b111) == "a"
    assert index.find(value ^ 0b1111) is None
    later = simhash(STORY + " An unrelated sentence about weather follows here.")
    assert later is not None
    index.add("b", later ^ (1 << 63), T0 + timedelta(days=8))
    assert len(index) == 1, "items older than the window are dropped"
    assert index.find(value) is None


def test_replay_corpus_copies() -> None:
    """On the real corpus, the copies found are republished articles, not merely similar
    news: every pair shares its title or its link's path stem."""
    path = require_shared(shared_data_dir() / "replay" / "ai-news-items.jsonl")
    index = NearDuplicateIndex(window=timedelta(days=30))
    titles: dict[str, str] = {}
    pairs = []
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        value = simhash(html_to_text(row.get("content_html") or row.get("summary") or ""))
        if value is None or not row["published_at"]:
            continue
        key = row["url"]
        match = index.find(value)
        if match is not None:
            pairs.append((titles[match], row["title"]))
        titles[key] = row["title"]
        index.add(key, value, datetime.fromisoformat(row["published_at"]))
    assert 10 <= len(pairs) <= 200
