"""The JSON API, version 1.

    GET /api/v1/events?limit=N&cursor=C   events newest first, ``next_cursor`` to page on
    GET /api/v1/events/{id}               one event; 301 to the survivor's URL when the
                                          event was merged into another
    GET /healthz                          ``{"status": "ok"}``

Every error is ``{"error": {"status": <code>, "message": "..."}}`` (see ``app.py``), and
so is the body of the 301 a merged event answers (its ``Location`` names the survivor).
Storage is synchronous, so the endpoints are plain ``def``: FastAPI runs them in its
thread pool.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from pulseaugur.errors import NotFoundError
from pulseaugur.storage.base import EventView
from pulseaugur.types import CoverageEntry
from pulseaugur.web import present
from pulseaugur.web.context import BadRequest, web_context

router = APIRouter()

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


class ScorePartsOut(BaseModel):
    authority: float
    cluster_strength: float
    headline_signal: float
    time_decay: float


class SentenceOut(BaseModel):
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


class EventOut(BaseModel):
    id: int
    url: str
    headline: str
    summary: str
    summary_sentences: list[SentenceOut]
    impact: str
    rank_reason: str
    tags: list[str]
    event_type: str
    score: float
    score_parts: ScorePartsOut
    summarizer: str
    source_count: int
    primary: PrimaryOut | None
    first_seen: str
    last_updated: str
    coverage: list[CoverageOut]


class EventList(BaseModel):
    events: list[EventOut]
    next_cursor: str | None


class Health(BaseModel):
    status: str


def _coverage(entry: CoverageEntry) -> CoverageOut:
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


def event_out(view: EventView) -> EventOut:
    """The API's view of an event that has a story."""
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
        coverage=[_coverage(entry) for entry in view.coverage],
    )


def parse_event_id(text: str) -> int:
    """An event id from a URL; ``NotFoundError`` when it cannot be one."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise NotFoundError(f"no event {text!r}")
    return int(text)


_ERRORS: dict[int | str, dict[str, object]] = {
    301: {
        "model": ErrorBody,
        "description": "Merged into another event, which ``Location`` names",
        "headers": {
            "Location": {
                "description": "the API URL of the event that now holds this one's items",
                "schema": {"type": "string"},
            }
        },
    },
    400: {"model": ErrorBody, "description": "Bad request"},
    404: {"model": ErrorBody, "description": "Not found"},
}


@router.get("/api/v1/events", response_model=EventList, responses={400: _ERRORS[400]})
def list_events(
    request: Request,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="events per page"),
    cursor: str | None = Query(None, description="next_cursor from the previous page"),
) -> EventList:
    """Events that have a story, most recently updated first."""
    storage = web_context(request).storage
    try:
        page = storage.list_events(limit=limit, cursor=cursor or None, order="newest")
    except ValueError:
        raise BadRequest("cursor: not a cursor this API gave out") from None
    return EventList(
        events=[event_out(view) for view in page.events if view.story is not None],
        next_cursor=page.next_cursor,
    )


def event_api_path(event_id: int) -> str:
    """The API URL of one event."""
    return f"/api/v1/events/{event_id}"


@router.get(
    "/api/v1/events/{event_id}",
    response_model=EventOut,
    responses={301: _ERRORS[301], 404: _ERRORS[404]},
)
def get_event(request: Request, event_id: str) -> EventOut | Response:
    """One event by id. An event merged into another answers 301 with ``Location``
    the survivor's API URL (storage keeps that the final event, never a chain)."""
    view = web_context(request).storage.get_event(parse_event_id(event_id))
    survivor = view.cluster.merged_into
    if survivor is not None:
        location = event_api_path(survivor)
        message = f"event {view.cluster.id} was merged into event {survivor}, at {location}"
        body = ErrorBody(error=ErrorDetail(status=301, message=message))
        return JSONResponse(body.model_dump(), 301, headers={"Location": location})
    return event_out(view)


@router.get("/healthz", response_model=Health)
@router.head("/healthz", include_in_schema=False)
def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")
