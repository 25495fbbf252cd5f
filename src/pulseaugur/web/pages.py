"""The HTML pages: the front page, event pages and the language switch.

    GET /                        Top and Newest events, a busy storyline folded into one
                                 entry, the volume by topic; ``?cursor=`` pages through
                                 Newest; ``?entity=`` and ``?topic=`` (slug or tag) filter
    GET /cluster/<id>-<slug>     one event (a wrong or missing slug redirects, 301; so does
                                 a merged event, to the event that absorbed it)
    GET /lang/<en|zh>?next=      sets the ``lang`` cookie (a year, SameSite=Lax) and
                                 answers 303 to ``next`` when it is a local path, else
                                 to ``/``

The other pages live in their own modules (``pulse``, ``topics``, ``sources_page``,
``search``, ``methods``, ``brief``, ``mail``); ``ROUTERS`` lists every page router, in
the order the app includes them.

Handlers are plain ``def`` because storage is synchronous.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pulseaugur.errors import NotFoundError
from pulseaugur.storage.base import EventFilter, EventView
from pulseaugur.summarize import is_extractive
from pulseaugur.types import CoverageEntry
from pulseaugur.web import (
    brief,
    charts,
    mail,
    methods,
    present,
    pulse,
    search,
    sources_page,
    topics,
)
from pulseaugur.web.cards import cards
from pulseaugur.web.context import BadRequest, render_page, request_text, web_context
from pulseaugur.web.i18n import (
    LANG_COOKIE,
    LANG_COOKIE_MAX_AGE,
    N_,
    language_of,
)

router = APIRouter(include_in_schema=False)

TOP_LIMIT = 10
NEWEST_LIMIT = 20
STORYLINE_LIMIT = 50
"""At most this many events of a storyline are listed on an event page."""
CHART_HOURS = 48
"""The home page's topic chart counts events first seen in this many hours."""
CHART_TOPICS = 8
"""… and shows this many of the busiest topics."""
MAX_FILTER_CHARS = 200
_EVENT_REF = re.compile(r"(?P<id>[0-9]{1,18})(?:-(?P<slug>.*))?", re.ASCII | re.DOTALL)

ERROR_TEXTS: tuple[str, ...] = (
    N_("Bad request"),
    N_("Not found"),
    N_("Method not allowed"),
    N_("Something went wrong"),
    N_("Error"),
    N_("There is nothing at this address."),
    N_("There is no such event or page."),
    N_("The server hit an error. Please try again later."),
)
"""What the app's error handler says (``app.py``), marked so the error page can show it
in the reader's language."""


def topic_bars(request: Request, since: datetime, limit: int) -> list[charts.Bar]:
    """The busiest topics of events first seen since ``since``, busiest first."""
    text = request_text(request)
    counts: dict[str, int] = {}
    for activity in web_context(request).storage.topic_activity(since):
        for tag in activity.tags:
            counts[tag] = counts.get(tag, 0) + 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    return [
        charts.Bar(present.topic_label(tag, text), count, present.topic_path(tag))
        for tag, count in ranked
    ]


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())[:MAX_FILTER_CHARS]
    return value or None


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def home(
    request: Request,
    cursor: str | None = None,
    entity: str | None = None,
    topic: str | None = None,
) -> HTMLResponse:
    """The front page: the top events, then the newest."""
    web = web_context(request)
    now = web.clock()
    entity, topic = _clean(entity), _clean(topic)
    tag = present.topic_tag(topic) if topic else None
    where = None
    if entity or topic:
        where = EventFilter(entity=entity, topic=tag or topic)
    try:
        newest = web.storage.list_events(
            limit=NEWEST_LIMIT, cursor=cursor or None, order="newest", where=where
        )
    except ValueError:
        raise BadRequest("That page link is not valid any more.") from None
    top = web.storage.list_events(limit=TOP_LIMIT, order="top", where=where) if not cursor else None
    text = request_text(request)
    bars = topic_bars(request, now - timedelta(hours=CHART_HOURS), CHART_TOPICS)
    chart = None
    if not cursor and not where and bars:
        chart = charts.bar_chart(
            "topic-chart",
            bars,
            title=text.gettext("Events by topic, last 48 hours"),
            desc=", ".join(
                text.gettext("%(topic)s: %(count)s") % {"topic": b.label, "count": b.value}
                for b in bars
            ),
        )
    filters: dict[str, str] = {}
    if entity:
        filters["entity"] = entity
    if topic:
        filters["topic"] = topic
    return render_page(
        request,
        "home.html",
        {
            "top": cards(top.events) if top else [],
            "newest": cards(newest.events),
            "next_cursor": newest.next_cursor,
            "paged": bool(cursor),
            "entity": entity,
            "topic": topic,
            "topic_name": present.topic_label(tag, text) if tag else topic,
            "filters": filters,
            "chart": chart,
            "live": not cursor and where is None,
        },
    )


def timeline(view: EventView) -> list[dict[str, object]]:
    """The event's own timeline: its items by publication time, the first marked as the
    first report, each later one with how long after the first it came, whether its
    outlet joined then (its first item in the event) and whether it is a reaction."""
    ordered = sorted(view.coverage, key=lambda e: (e.item.published_at, e.item.id))
    rows: list[dict[str, object]] = []
    seen_sources: set[str] = set()
    first = ordered[0].item.published_at if ordered else None
    for n, entry in enumerate(ordered):
        joined = entry.source.id not in seen_sources
        seen_sources.add(entry.source.id)
        rows.append(
            {
                "entry": entry,
                "first": n == 0,
                "joined": joined,
                "social": entry.source.kind in present.SOCIAL_KINDS,
                "after": (entry.item.published_at - first).total_seconds() if first else 0.0,
            }
        )
    return rows


def storyline(request: Request, view: EventView) -> tuple[list[EventView], list[EventView]]:
    """The other events of this event's storyline: those first seen before it and those
    after it, each in story order."""
    storyline_id = view.cluster.storyline_id
    if storyline_id is None:
        return [], []
    page = web_context(request).storage.list_events(
        limit=STORYLINE_LIMIT,
        order="timeline",
        where=EventFilter(storyline_id=storyline_id),
    )
    others = [v for v in page.events if v.cluster.id != view.cluster.id and v.story is not None]
    before = [v for v in others if v.cluster.first_seen <= view.cluster.first_seen]
    after = [v for v in others if v.cluster.first_seen > view.cluster.first_seen]
    return before, after


def coverage_chart(request: Request, view: EventView) -> object:
    """Coverage over time: the count of items rising as each was published."""
    text = request_text(request)
    moments = [e.item.published_at for e in view.coverage] or [view.cluster.first_seen]
    start = min([*moments, view.cluster.first_seen])
    end = max([*moments, view.cluster.last_updated, start + timedelta(hours=1)])
    count = len(view.coverage)
    return charts.step_chart(
        "coverage-chart",
        moments if view.coverage else [],
        start=start,
        end=end,
        title=text.gettext("Coverage over time"),
        desc=text.ngettext(
            "%(num)s item from the first report to the latest update",
            "%(num)s items from the first report to the latest update",
            count,
        )
        + f" ({text.datetime_text(start)} – {text.datetime_text(end)})",
        start_label=text.datetime_text(start),
        end_label=text.datetime_text(end),
    )


def reactions(view: EventView) -> list[CoverageEntry]:
    """The coverage entries that are posts on social platforms."""
    return [e for e in view.coverage if e.source.kind in present.SOCIAL_KINDS]


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
    story = view.story
    before, after = storyline(request, view)
    return render_page(
        request,
        "event.html",
        {
            "view": view,
            "story": story,
            "sentences": present.citations(view),
            "primary": present.primary_entry(view),
            "extractive": is_extractive(story),
            "timeline": timeline(view),
            "before": before,
            "after": after,
            "chart": coverage_chart(request, view),
            "reactions": reactions(view),
        },
    )


def local_target(value: str | None) -> str:
    """``value`` when it is a path on this site (one leading ``/``, no scheme, host,
    backslash or control character), else ``/``."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
        or len(value) > 2000
    ):
        return "/"
    return value


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    """Remember the UI language in the ``lang`` cookie, then go back to ``next``."""
    language = language_of(code)
    if language is None:
        raise NotFoundError(f"no interface language {code!r}")
    response = RedirectResponse(local_target(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, language, max_age=LANG_COOKIE_MAX_AGE, path="/", samesite="lax"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTERS: tuple[APIRouter, ...] = (
    router,
    methods.router,
    brief.router,
    mail.router,
    pulse.router,
    topics.router,
    sources_page.router,
    search.router,
)
"""Every router of HTML pages, in the order the app includes them."""
