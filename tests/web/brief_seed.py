"""Editions of the Brief over the web tests' seeded events (see ``web_seed``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from web_seed import HOSTILE

from pulseaugur.storage.base import Storage
from pulseaugur.types import BriefEdition, BriefEntry

PUBLISHED = datetime(2025, 8, 7, 6, 2, 30, tzinfo=UTC)


def edition(day: str, entries: tuple[BriefEntry, ...], published: datetime) -> BriefEdition:
    end = datetime.fromisoformat(day).replace(hour=6, tzinfo=UTC)
    return BriefEdition(
        id=day,
        window_start=end - timedelta(days=1),
        window_end=end,
        published_at=published,
        min_score=50.0,
        min_sources=1,
        max_events=10,
        entries=entries,
    )


GPT5 = BriefEntry(
    rank=1,
    cluster_id=1,
    slug="openai-releases-gpt-5",
    headline="OpenAI releases GPT-5",
    lead="OpenAI on Thursday released GPT-5, its latest flagship model.",
    score=87.5,
    source_count=3,
    tags=("AI", "models"),
)
HONG_KONG = BriefEntry(
    rank=2,
    cluster_id=2,
    slug="hong-kong-ai-energy",
    headline="Hong Kong's AI ambitions challenged by energy constraints",
    lead="Hong Kong is positioning itself as a global AI hub.",
    score=55.0,
    source_count=2,
    tags=("AI", "policy"),
)
EVIL = BriefEntry(
    rank=1,
    cluster_id=3,
    slug="hostile-event",
    headline=f"Headline {HOSTILE}",
    lead=f"Summary {HOSTILE}",
    score=51.0,
    source_count=1,
    tags=(HOSTILE,),
)


def seed_briefs(storage: Storage) -> tuple[BriefEdition, BriefEdition]:
    """Two editions: 2025-08-06 (the hostile event) and 2025-08-07 (GPT-5, Hong Kong)."""
    older = edition("2025-08-06", (EVIL,), PUBLISHED - timedelta(days=1))
    newer = edition("2025-08-07", (GPT5, HONG_KONG), PUBLISHED)
    assert storage.save_brief(older)
    assert storage.save_brief(newer)
    return older, newer
