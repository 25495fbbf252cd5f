"""The JSON shapes of API version 1 (pydantic models; they are the OpenAPI schemas too)
and the functions that build them from storage records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pulseaugur.errors import NotFoundError
from pulseaugur.storage.base import EventView, SourceHealth, SourceStatus
from pulseaugur.types import BriefEdition, CoverageEntry, Source
from pulseaugur.web import present


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    """The one error shape of the API: ``{"error": {"status": 404, "message": "..."}}``."""

    error: ErrorDetail


class ScorePartsOut(BaseModel):
    authority: float
    cluster_strength: float
    headline_signal: float
    time_decay: float


class SentenceOut(BaseModel):
    """A summary sentence and the ids of the coverage items it cites."""

    text: str
    item_ids: list[str]


class PrimaryOut(BaseModel):
    source_name: str
    outlet: str
    section: str | None
    tier: int
    url: str | None
    title: str


class CoverageOut(BaseModel):
    source_name: str
    outlet: str
    section: str | None
    tier: int
    lang: str
    authors: list[str]
    title: str
    excerpt: str
    url: str | None
    published_at: str


class TimelineOut(BaseModel):
    """One report in the event's timeline: when its source published it
    (``published_at``) and when PulseAugur fetched it and added it to the event
    (``seen_at``); ``first`` marks the earliest report."""

    item_id: str
    source_name: str
    tier: int
    title: str
    url: str | None
    published_at: str
    seen_at: str
    first: bool


class EventOut(BaseModel):
    id: int
    url: str
    headline: str
    summary: str
    summary_sentences: list[SentenceOut]
    impact: str
    rank_reason: str
    tags: list[str]
    entities: list[str]
    event_type: str
    score: float
    score_parts: ScorePartsOut
    summarizer: str
    source_count: int
    primary: PrimaryOut | None
    first_seen: str
    last_updated: str
    storyline_id: int | None
    coverage: list[CoverageOut]
    timeline: list[TimelineOut]


class EventList(BaseModel):
    events: list[EventOut]
    next_cursor: str | None


class SourceHealthOut(BaseModel):
    """How polling a source goes. ``status``: ``ok`` (its last poll worked),
    ``failing`` (its last polls failed), ``paused`` (polling stopped after days of
    failures: ``paused_reason`` says why), ``disabled`` (an operator turned it off),
    ``pending`` (never polled yet)."""

    status: SourceStatus
    items: int
    last_item_at: str | None
    last_ok_at: str | None
    last_error: str | None
    last_error_at: str | None
    consecutive_failures: int
    next_poll_at: str | None
    paused_reason: str | None


class SourceOut(BaseModel):
    id: str
    kind: str
    url: str
    name: str
    outlet: str
    section: str | None
    display_name: str
    tier: int
    languages: list[str]
    poll_interval_s: int
    domains: list[str]
    enabled: bool
    primary: bool
    health: SourceHealthOut | None


class SourceList(BaseModel):
    sources: list[SourceOut]


SourceId = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
        description="a stable slug: lower-case letters, digits and inner hyphens (1-64)",
        examples=["example-ai-blog"],
    ),
]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code")]
Domain = Annotated[
    str,
    Field(
        max_length=253,
        pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$",
        description="a web host whose articles belong to the source",
    ),
]
Line = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class SourceIn(BaseModel):
    """A feed source to add (RSS, Atom, RDF or JSON Feed at ``url``)."""

    model_config = ConfigDict(extra="forbid")

    id: SourceId
    url: Annotated[
        str, Field(min_length=8, max_length=2000, examples=["https://example.org/feed.xml"])
    ]
    name: Line
    outlet: Line
    section: Line | None = None
    tier: Annotated[int, Field(ge=1, le=3)] = 2
    languages: Annotated[list[Language], Field(min_length=1, max_length=20)] = ["en"]
    poll_interval_s: Annotated[int, Field(ge=30, le=7 * 24 * 3600)] = 900
    domains: Annotated[list[Domain], Field(max_length=50)] = []
    enabled: bool = True
    primary: bool = False


class SourcePatch(BaseModel):
    """What an operator may change on a source: whether it is polled, and its tier."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    tier: Annotated[int, Field(ge=1, le=3)] | None = None


class BriefEntryOut(BaseModel):
    rank: int
    id: int
    url: str
    headline: str
    lead: str
    score: float
    source_count: int
    tags: list[str]


class BriefOut(BaseModel):
    """An edition of the Brief as published; ``earlier``/``later`` name the editions
    next to it (None where there is none)."""

    id: str
    url: str
    window_start: str
    window_end: str
    published_at: str
    min_score: float
    min_sources: int
    max_events: int
    entries: list[BriefEntryOut]
    earlier: str | None
    later: str | None


class Health(BaseModel):
    status: str


# ---- from records ---------------------------------------------------------------------


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else present.iso(moment)


def coverage_out(entry: CoverageEntry) -> CoverageOut:
    item, source = entry.item, entry.source
    return CoverageOut(
        source_name=source.display_name,
        outlet=source.outlet,
        section=source.section,
        tier=source.tier,
        lang=item.lang,
        authors=list(item.authors),
        title=item.title,
        excerpt=item.excerpt,
        url=present.item_url(item),
        published_at=present.iso(item.published_at),
    )


def timeline_out(view: EventView) -> list[TimelineOut]:
    """The event's reports in the order they were published (then fetched)."""
    entries = sorted(view.coverage, key=lambda e: (e.item.published_at, e.item.fetched_at))
    return [
        TimelineOut(
            item_id=entry.item.id,
            source_name=entry.source.display_name,
            tier=entry.source.tier,
            title=entry.item.title,
            url=present.item_url(entry.item),
            published_at=present.iso(entry.item.published_at),
            seen_at=present.iso(entry.item.fetched_at),
            first=n == 0,
        )
        for n, entry in enumerate(entries)
    ]


def event_out(view: EventView) -> EventOut:
    """The API's view of an event that has a story (``NotFoundError`` without one)."""
    story = view.story
    if story is None:
        raise NotFoundError(f"event {view.cluster.id} has no story yet")
    primary = present.primary_entry(view)
    return EventOut(
        id=view.cluster.id,
        url=view.path,
        headline=story.headline,
        summary=story.summary_text,
        summary_sentences=[
            SentenceOut(text=s.text, item_ids=list(s.item_ids)) for s in story.summary
        ],
        impact=story.impact,
        rank_reason=story.rank_reason,
        tags=list(story.tags),
        entities=list(story.entities),
        event_type=story.event_type,
        score=story.score.total,
        score_parts=ScorePartsOut(
            authority=story.score.authority,
            cluster_strength=story.score.cluster_strength,
            headline_signal=story.score.headline_signal,
            time_decay=story.score.time_decay,
        ),
        summarizer=story.summarizer,
        source_count=story.source_count,
        primary=None
        if primary is None
        else PrimaryOut(
            source_name=primary.source.display_name,
            outlet=primary.source.outlet,
            section=primary.source.section,
            tier=primary.source.tier,
            url=present.item_url(primary.item),
            title=primary.item.title,
        ),
        first_seen=present.iso(view.cluster.first_seen),
        last_updated=present.iso(view.cluster.last_updated),
        storyline_id=view.cluster.storyline_id,
        coverage=[coverage_out(entry) for entry in view.coverage],
        timeline=timeline_out(view),
    )


def source_out(source: Source, health: SourceHealth | None) -> SourceOut:
    state = health.state if health is not None else None
    return SourceOut(
        id=source.id,
        kind=source.kind,
        url=source.url,
        name=source.name,
        outlet=source.outlet,
        section=source.section,
        display_name=source.display_name,
        tier=source.tier,
        languages=list(source.languages),
        poll_interval_s=source.poll_interval_s,
        domains=list(source.domains),
        enabled=source.enabled,
        primary=source.primary,
        health=None
        if health is None
        else SourceHealthOut(
            status=health.status,
            items=health.items,
            last_item_at=_when(health.last_item_at),
            last_ok_at=_when(state.last_ok_at if state else None),
            last_error=state.last_error if state else None,
            last_error_at=_when(state.last_error_at if state else None),
            consecutive_failures=state.consecutive_failures if state else 0,
            next_poll_at=_when(state.next_poll_at if state else None),
            paused_reason=state.paused_reason if state else None,
        ),
    )


def brief_out(edition: BriefEdition, earlier: str | None, later: str | None) -> BriefOut:
    return BriefOut(
        id=edition.id,
        url=f"/brief/{edition.id}",
        window_start=present.iso(edition.window_start),
        window_end=present.iso(edition.window_end),
        published_at=present.iso(edition.published_at),
        min_score=edition.min_score,
        min_sources=edition.min_sources,
        max_events=edition.max_events,
        entries=[
            BriefEntryOut(
                rank=e.rank,
                id=e.cluster_id,
                url=e.path,
                headline=e.headline,
                lead=e.lead,
                score=e.score,
                source_count=e.source_count,
                tags=list(e.tags),
            )
            for e in edition.entries
        ],
        earlier=earlier,
        later=later,
    )
