"""The HTML pages.

    GET /                        Top and Newest events; ``?cursor=`` pages through Newest
    GET /cluster/<id>-<slug>     one event (a wrong or missing slug redirects, 301; so does
                                 a merged event, to the event that absorbed it)

The methods pages (``/methods/...``) are in ``methods.py``.

Handlers are plain ``def`` because storage is synchronous.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pulseaugur.errors import NotFoundError
from pulseaugur.storage.base import EventView
from pulseaugur.summarize import attribution, is_extractive
from pulseaugur.web import present
from pulseaugur.web.context import BadRequest, web_context

router = APIRouter(include_in_schema=False)

TOP_LIMIT = 10
NEWEST_LIMIT = 20
_EVENT_REF = re.compile(r"(?P<id>[0-9]{1,18})(?:-(?P<slug>.*))?", re.ASCII | re.DOTALL)


def _summary_card(view: EventView) -> dict[str, object]:
    story = view.story
    assert story is not None
    return {
        "path": view.path,
        "headline": story.headline,
        "score": present.number(story.score.total),
        "sources": present.plural(story.source_count, "source"),
        "tags": story.tags,
        "event_type": story.event_type,
        "updated": view.cluster.last_updated,
    }


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def home(request: Request, cursor: str | None = None) -> HTMLResponse:
    """The front page: the top events, then the newest."""
    web = web_context(request)
    now = web.clock()
    try:
        newest = web.storage.list_events(limit=NEWEST_LIMIT, cursor=cursor or None, order="newest")
    except ValueError:
        raise BadRequest("That page link is not valid any more.") from None
    top = web.storage.list_events(limit=TOP_LIMIT, order="top") if not cursor else None
    return web.render(
        "home.html",
        {
            "top": [_summary_card(v) for v in (top.events if top else ()) if v.story is not None],
            "newest": [_summary_card(v) for v in newest.events if v.story is not None],
            "next_cursor": newest.next_cursor,
            "paged": bool(cursor),
            "ago": lambda moment: present.ago(moment, now),
        },
    )


@router.api_route("/cluster/{ref}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def event_page(request: Request, ref: str) -> Response:
    """One event, at its canonical ``/cluster/<id>-<slug>`` path."""
    web = web_context(request)
    match = _EVENT_REF.fullmatch(ref)
    if match is None:
        raise NotFoundError(f"no event {ref!r}")
    view = web.storage.get_event(int(match["id"]))
    if view.cluster.merged_into is not None:
        target = web.storage.get_event(view.cluster.merged_into)
        return RedirectResponse(target.path, status_code=301)
    if view.story is None:
        raise NotFoundError(f"event {view.cluster.id} has no story yet")
    if match["slug"] != view.cluster.slug:
        return RedirectResponse(view.path, status_code=301)
    now = web.clock()
    story = view.story
    return web.render(
        "event.html",
        {
            "view": view,
            "story": story,
            "sentences": present.citations(view),
            "primary": present.primary_entry(view),
            "attribution": attribution(story),
            "extractive": is_extractive(story),
            "ago": lambda moment: present.ago(moment, now),
        },
    )
