"""The JSON API, version 1: reads (the writes are in ``admin.py``).

    GET /api/v1/events          events with a story; filters ``since``, ``topic``,
                                ``entity``, ``source``, ``min_score``, ``min_sources``;
                                ``order=newest|top``; ``limit`` and ``cursor`` paging
    GET /api/v1/events/{id}     one event with every field its page shows (coverage,
                                score parts, citations, entities, storyline, timeline);
                                301 to the survivor's URL when it was merged into another
    GET /api/v1/search?q=       events matching the words of ``q``, best match first
    GET /api/v1/sources         every source with its tier and polling health
    GET /api/v1/brief           the latest edition of the Brief (404 before the first)
    GET /api/v1/brief/{date}    the edition of a day, ``YYYY-MM-DD``

Every error is ``{"error": {"status": <code>, "message": "..."}}`` (see ``app.py``), and
so is the body of the 301 a merged event answers (its ``Location`` names the survivor).
A cursor is only valid with the ``order`` and filters of the request that returned it.
Storage is synchronous, so the endpoints are plain ``def``: FastAPI runs them in its
thread pool.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from pulseaugur.brief import parse_edition_id
from pulseaugur.errors import NotFoundError
from pulseaugur.rank.topics import TOPIC_SLUGS
from pulseaugur.storage.base import EventFilter, EventPage
from pulseaugur.web.api_models import (
    BriefOut,
    ErrorBody,
    ErrorDetail,
    EventList,
    EventOut,
    SourceList,
    brief_out,
    event_out,
    source_out,
)
from pulseaugur.web.context import BadRequest, web_context

router = APIRouter(prefix="/api/v1", tags=["api"])

MAX_LIMIT = 100
DEFAULT_LIMIT = 20

ERRORS: dict[int, dict[str, Any]] = {
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
    400: {"model": ErrorBody, "description": "Bad request: a parameter or body is invalid"},
    401: {
        "model": ErrorBody,
        "description": "No admin token, or a wrong one",
        "headers": {
            "WWW-Authenticate": {"description": "``Bearer``", "schema": {"type": "string"}}
        },
    },
    403: {"model": ErrorBody, "description": "Writes are off: no admin token is configured"},
    404: {"model": ErrorBody, "description": "Not found"},
    409: {"model": ErrorBody, "description": "Conflict with the current state"},
    503: {"model": ErrorBody, "description": "The database does not answer"},
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of an endpoint that may answer these error statuses."""
    return {code: ERRORS[code] for code in codes}


def parse_event_id(text: str) -> int:
    """An event id from a URL; ``NotFoundError`` when it cannot be one."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise NotFoundError(f"no event {text!r}")
    return int(text)


def parse_since(text: str) -> datetime:
    """An ISO 8601 date or date-time; a time without an offset is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(
            "since: expected an ISO 8601 date-time such as 2025-08-07T12:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def resolve_topic(text: str) -> str:
    """The tag a ``topic`` parameter names: a slug (``policy``) or the tag itself
    (``policy & regulation``, any case); ``BadRequest`` for anything else."""
    key = text.strip()
    if key in TOPIC_SLUGS:
        return TOPIC_SLUGS[key]
    for tag in TOPIC_SLUGS.values():
        if tag.lower() == key.lower():
            return tag
    slugs = ", ".join(sorted(TOPIC_SLUGS))
    raise BadRequest(f"topic: no topic {key!r}; topics are {slugs}")


def _page(storage_call: Any) -> EventList:
    try:
        page: EventPage = storage_call()
    except ValueError:
        raise BadRequest("cursor: not a cursor this API gave out") from None
    return EventList(
        events=[event_out(view) for view in page.events if view.story is not None],
        next_cursor=page.next_cursor,
    )


@router.get("/events", response_model=EventList, responses=errors(400))
def list_events(
    request: Request,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="events per page"),
    cursor: str | None = Query(None, description="next_cursor from the previous page"),
    order: Literal["newest", "top"] = Query(
        "newest", description="newest: last updated first; top: highest score first"
    ),
    since: str | None = Query(
        None,
        description="only events updated at or after this ISO 8601 date-time (UTC when "
        "it has no offset)",
        examples=["2025-08-07T12:00:00Z"],
    ),
    topic: str | None = Query(
        None,
        max_length=100,
        description="a topic slug (" + ", ".join(sorted(TOPIC_SLUGS)) + ") or its tag",
    ),
    entity: str | None = Query(
        None, max_length=200, description="a name the event involves (any case)"
    ),
    source: str | None = Query(
        None, max_length=100, description="the id of a source that reports the event"
    ),
    min_score: float | None = Query(None, ge=0, le=100, description="lowest score, 0-100"),
    min_sources: int = Query(1, ge=1, le=1000, description="fewest distinct sources"),
) -> EventList:
    """Events that have a story, filtered, in ``order``, ``limit`` at a time."""
    where = EventFilter(
        since=parse_since(since) if since else None,
        topic=resolve_topic(topic) if topic else None,
        entity=entity.strip() or None if entity else None,
        source_id=source or None,
        min_score=min_score,
        min_sources=min_sources,
    )
    storage = web_context(request).storage
    return _page(
        lambda: storage.list_events(limit=limit, cursor=cursor or None, order=order, where=where)
    )


def event_api_path(event_id: int) -> str:
    """The API URL of one event."""
    return f"/api/v1/events/{event_id}"


@router.get("/events/{event_id}", response_model=EventOut, responses=errors(301, 404))
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


@router.get("/search", response_model=EventList, responses=errors(400))
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=200, description="the words to look for"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="events per page"),
    cursor: str | None = Query(None, description="next_cursor from the previous page"),
) -> EventList:
    """Events matching the words of ``q`` (full text over headlines, summaries, tags,
    entities and the reports' titles), best match first. ``q`` is plain words: quotes
    and operators in it are only words."""
    storage = web_context(request).storage
    return _page(lambda: storage.search_events(q, limit=limit, cursor=cursor or None))


@router.get("/sources", response_model=SourceList)
def list_sources(request: Request) -> SourceList:
    """Every source (removed ones aside), by tier then name, with its polling health."""
    rows = web_context(request).storage.source_health()
    return SourceList(sources=[source_out(row.source, row) for row in rows])


def _edition(request: Request, edition_id: str | None) -> BriefOut:
    storage = web_context(request).storage
    if edition_id is None:
        latest = storage.list_briefs(limit=1)
        if not latest:
            raise NotFoundError("no edition of the Brief was published yet")
        edition = latest[0]
    else:
        edition = storage.get_brief(edition_id)
    earlier, later = storage.brief_neighbours(edition.id)
    return brief_out(edition, earlier, later)


@router.get("/brief", response_model=BriefOut, responses=errors(404))
def latest_brief(request: Request) -> BriefOut:
    """The latest edition of the Brief."""
    return _edition(request, None)


@router.get("/brief/{day}", response_model=BriefOut, responses=errors(400, 404))
def brief_edition(request: Request, day: str) -> BriefOut:
    """The edition of ``day`` (``YYYY-MM-DD``, the UTC date it closed)."""
    try:
        parse_edition_id(day)
    except ValueError:
        raise BadRequest(f"day: {day!r} is not a date written YYYY-MM-DD") from None
    return _edition(request, day)
