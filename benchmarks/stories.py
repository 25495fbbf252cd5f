"""Benchmark: story quality over the whole replay corpus.

Replays the corpus (``pulseaugur replay … --instant``) into a fresh SQLite file — or
reads the database given with ``--db`` — then, over every live story:

* runs the grounding check (``summarize/quality.py``: headline, each summary sentence,
  IMPACT and RANK_REASON against the event's items, our records allowed) and prints
  each failure with its unsupported facts;
* prints the groups of stories sharing a headline;
* checks the limits: headline 1–110 characters, summary 2–4 sentences;
* reports the share of events whose primary link is an original (``Source.primary``:
  the lab's post, the paper) or from a tier-1 source, overall and among events with two
  or more sources;
* prints a sample of 10 multi-source events, evenly spaced by id, with their headline,
  summary, IMPACT, RANK_REASON and sources.

Exits 1 when any grounding failure, duplicate headline or limit breach is found.

    scripts/bench stories [--corpus PATH] [--db URL] [--sample N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

from pulseaugur.config import load_settings
from pulseaugur.pipeline.replay_cli import replay_corpus
from pulseaugur.storage import SqlStorage, open_storage
from pulseaugur.storage.base import EventView
from pulseaugur.summarize.quality import duplicate_headlines, limit_problems, story_ungrounded
from pulseaugur.web.present import primary_entry

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/data/replay/ai-news-items.jsonl"


def all_events(storage: SqlStorage) -> Iterator[EventView]:
    """Every live event with a story, paged through the storage contract."""
    cursor: str | None = None
    while True:
        page = storage.list_events(limit=1000, cursor=cursor)
        yield from page.events
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def share(part: int, whole: int) -> str:
    """``part/whole (pp.p%)``."""
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def sample(events: list[EventView], count: int) -> list[EventView]:
    """``count`` events evenly spaced through ``events`` (sorted by id)."""
    ordered = sorted(events, key=lambda e: e.cluster.id)
    if len(ordered) <= count:
        return ordered
    step = len(ordered) / count
    return [ordered[int(step * n + step / 2)] for n in range(count)]


def report(storage: SqlStorage, sample_size: int) -> int:
    """Print the report for every story in ``storage``; the number of problems found."""
    events = list(all_events(storage))
    stories = [e.story for e in events if e.story is not None]
    if not stories:
        print("no stories in the database: nothing was checked")
        return 1
    grounding_failures = 0
    limit_breaches = 0
    primary_good = multi_good = multi = 0
    originals = tier1 = 0
    for event in events:
        story = event.story
        assert story is not None
        facts = story_ungrounded(story, event.cluster, event.coverage)
        if facts:
            grounding_failures += 1
            print(f"UNGROUNDED event {event.cluster.id} {event.path}")
            for name, found in facts.items():
                print(f"    {name}: {', '.join(found)}")
                print(f"        {dict(_fields(event))[name]}")
        problems = limit_problems(story)
        if problems:
            limit_breaches += 1
            print(f"LIMITS event {event.cluster.id}: {'; '.join(problems)}")
        primary = primary_entry(event)
        assert primary is not None
        is_original = primary.source.primary
        is_tier1 = primary.source.tier <= 1
        originals += is_original
        tier1 += is_tier1
        primary_good += is_original or is_tier1
        if story.source_count >= 2:
            multi += 1
            multi_good += is_original or is_tier1
    duplicates = duplicate_headlines(stories)
    for headline, ids in sorted(duplicates.items()):
        print(f"DUPLICATE headline on events {', '.join(map(str, ids))}: {headline}")
    print()
    print(f"stories: {len(stories)} ({multi} with 2+ sources)")
    print(f"grounding failures: {grounding_failures} stories")
    on = sum(len(ids) for ids in duplicates.values())
    print(f"duplicate headlines: {len(duplicates)} headlines on {on} stories")
    print(f"limit breaches: {limit_breaches} stories")
    print(f"primary link original or tier 1: {share(primary_good, len(events))}")
    print(f"    original: {share(originals, len(events))}; tier 1: {share(tier1, len(events))}")
    print(f"    among events with 2+ sources: {share(multi_good, multi)}")
    print()
    print(f"Sample: {sample_size} events with 2+ sources, evenly spaced by id")
    for event in sample(
        [e for e in events if len({c.source.id for c in e.coverage}) >= 2], sample_size
    ):
        story = event.story
        assert story is not None
        print()
        print(f"## event {event.cluster.id} — score {story.score.total}, {story.event_type}")
        print(f"HEADLINE: {story.headline}")
        print(textwrap.fill(f"SUMMARY: {story.summary_text}", 100, subsequent_indent="    "))
        print(textwrap.fill(f"IMPACT: {story.impact}", 100, subsequent_indent="    "))
        print(textwrap.fill(f"RANK_REASON: {story.rank_reason}", 100, subsequent_indent="    "))
        outlets = dict.fromkeys(f"{c.source.outlet} (tier {c.source.tier})" for c in event.coverage)
        print(textwrap.fill(f"SOURCES: {', '.join(outlets)}", 100, subsequent_indent="    "))
    return grounding_failures + len(duplicates) + limit_breaches


def _fields(event: EventView) -> list[tuple[str, str]]:
    from pulseaugur.summarize.quality import story_fields

    assert event.story is not None
    return story_fields(event.story)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--db", help="read this database instead of replaying into a new one")
    parser.add_argument("--sample", type=int, default=10, help="events in the sample (10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db
        if url is None:
            if not args.corpus.is_file():
                print(f"stories benchmark: corpus {args.corpus} not found", file=sys.stderr)
                return 2
            url = f"sqlite:///{tmp}/replay.sqlite3"
            settings = load_settings(
                environ=dict(os.environ),
                overrides={
                    "database_url": url,
                    "allow_private_addresses": True,
                    "log_level": "ERROR",
                },
            )
            started = time.perf_counter()
            summary = replay_corpus(settings, args.corpus, quiet=True)
            print(f"replay: {time.perf_counter() - started:.1f} s — {summary}")
        storage = open_storage(url)
        try:
            problems = report(storage, args.sample)
        finally:
            storage.close()
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
