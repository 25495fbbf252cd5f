"""Pulse: the events surfacing on social platforms in the last 48 hours.

    GET /pulse?platform=&topic=     events with at least one post from Mastodon, Bluesky,
                                    Hacker News, Reddit or Lobsters (``platform`` narrows
                                    to one; ``topic`` is a slug or a tag), re-ranked

The ranking (``pulse_rank``) starts from the event's score, adds ``ORIGINAL_BONUS`` when
a source other than a social platform (a lab, a paper, a newsroom) reports it too, and
adds up to ``ENGAGEMENT_CAP`` for the posts' engagement (points, likes, boosts,
comments), on a log scale so one viral thread cannot drown the rest. An unknown
``platform`` or ``topic`` is a 400.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pulseaugur.rank.topics import TOPIC_SLUGS
from pulseaugur.storage.base import EventFilter, EventView
from pulseaugur.types import SourceKind
from pulseaugur.web import present
from pulseaugur.web.cards import Card, card
from pulseaugur.web.context import BadRequest, render_page, request_text, web_context

router = APIRouter(include_in_schema=False)

WINDOW: Final = timedelta(hours=48)
LIMIT: Final = 200
"""At most this many events are read and re-ranked."""
ORIGINAL_BONUS: Final = 15.0
ENGAGEMENT_CAP: Final = 15.0
ENGAGEMENT_SCALE: Final = 5.0
"""Engagement adds ``ENGAGEMENT_SCALE × log10(1 + engagement)``, at most the cap."""


@dataclass(frozen=True, slots=True)
class PulseEntry:
    """An event in Pulse: its card, its Pulse rank, the platforms it surfaced on, its
    posts' total engagement and whether a non-social source reports it."""

    card: Card
    rank: float
    platforms: tuple[str, ...]
    engagement: int
    original: bool


def pulse_rank(view: EventView) -> PulseEntry:
    """Score plus ``ORIGINAL_BONUS`` for original (non-social) coverage plus the capped
    log of the social posts' engagement."""
    assert view.story is not None
    social = [e for e in view.coverage if e.source.kind in present.SOCIAL_KINDS]
    original = any(e.source.kind not in present.SOCIAL_KINDS for e in view.coverage)
    engagement = sum(present.engagement(e.item) for e in social)
    rank = view.story.score.total
    rank += ORIGINAL_BONUS if original else 0.0
    rank += min(ENGAGEMENT_CAP, ENGAGEMENT_SCALE * math.log10(1 + engagement))
    platforms = sorted({present.PLATFORM_NAMES[e.source.kind] for e in social})
    return PulseEntry(card(view), rank, tuple(platforms), engagement, original)


def ranked(views: tuple[EventView, ...]) -> list[PulseEntry]:
    """The events with a story, best Pulse rank first (ties: most recently updated)."""
    entries = [pulse_rank(v) for v in views if v.story is not None]
    entries.sort(key=lambda e: (-e.rank, -e.card.updated.timestamp(), -e.card.id))
    return entries


@router.api_route("/pulse", methods=["GET", "HEAD"], response_class=HTMLResponse)
def pulse_page(request: Request, platform: str = "", topic: str = "") -> HTMLResponse:
    """Events surfacing on social platforms in the last 48 hours, re-ranked."""
    web = web_context(request)
    platforms: tuple[SourceKind, ...] = tuple(sorted(present.SOCIAL_KINDS))
    if platform:
        if platform not in present.PLATFORM_NAMES:
            raise BadRequest(f"platform: one of {', '.join(sorted(present.PLATFORM_NAMES))}")
        platforms = tuple(k for k in present.PLATFORM_NAMES if k == platform)
    tag = None
    if topic:
        tag = present.topic_tag(topic)
        if tag is None:
            raise BadRequest("topic: not a topic; the topics are listed at /topics")
    page = web.storage.list_events(
        limit=LIMIT,
        order="newest",
        where=EventFilter(since=web.clock() - WINDOW, platforms=platforms, topic=tag),
    )
    text = request_text(request)
    return render_page(
        request,
        "pulse.html",
        {
            "entries": ranked(page.events),
            "platform": platform,
            "topic": topic,
            "platform_names": sorted(present.PLATFORM_NAMES.items(), key=lambda p: p[1]),
            "topic_options": sorted(
                ((slug, present.topic_label(t, text)) for slug, t in TOPIC_SLUGS.items()),
                key=lambda pair: pair[1].lower(),
            ),
            "original_bonus": text.number(ORIGINAL_BONUS),
            "engagement_cap": text.number(ENGAGEMENT_CAP),
        },
    )
