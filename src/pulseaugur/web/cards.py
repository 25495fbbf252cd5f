"""Events as lists show them: cards, with a busy storyline folded into one entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pulseaugur.storage.base import EventView


@dataclass(slots=True)
class Card:
    """An event as a list shows it; ``related`` holds the events of the same storyline
    folded under it."""

    id: int
    path: str
    headline: str
    score: float
    source_count: int
    tags: tuple[str, ...]
    updated: datetime
    storyline_id: int | None
    related: list[Card] = field(default_factory=list)


def card(view: EventView) -> Card:
    """The list card of an event that has a story."""
    story = view.story
    assert story is not None
    return Card(
        id=view.cluster.id,
        path=view.path,
        headline=story.headline,
        score=story.score.total,
        source_count=story.source_count,
        tags=story.tags,
        updated=view.cluster.last_updated,
        storyline_id=view.cluster.storyline_id,
    )


def fold_storylines(cards: Sequence[Card]) -> list[Card]:
    """The cards with each storyline folded into its first card (in the given order):
    the others of that storyline become its ``related`` cards."""
    leads: list[Card] = []
    by_storyline: dict[int, Card] = {}
    for item in cards:
        lead = by_storyline.get(item.storyline_id) if item.storyline_id is not None else None
        if lead is not None:
            lead.related.append(item)
            continue
        leads.append(item)
        if item.storyline_id is not None:
            by_storyline[item.storyline_id] = item
    return leads


def cards(views: Sequence[EventView]) -> list[Card]:
    """Cards of the events that have a story, storylines folded."""
    return fold_storylines([card(v) for v in views if v.story is not None])
