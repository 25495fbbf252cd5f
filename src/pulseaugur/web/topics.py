"""The topic pages.

    GET /topics              every topic of the taxonomy with how many events were first
                             seen under it in the last 48 hours, and a small chart of them
                             in 6-hour slices
    GET /topics/<slug>       one topic's events, newest first (``?cursor=`` pages on), its
                             chart and its feeds; the tag itself is accepted too
                             (``/topics/open%20source``); any other name is a 404

The feeds (``/topics/<slug>/feed.atom`` and ``.json``) are served by the feeds module.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pulseaugur.errors import NotFoundError
from pulseaugur.rank.topics import TOPIC_SLUGS, topic_slug
from pulseaugur.storage.base import EventFilter, TopicActivity
from pulseaugur.web import charts, present
from pulseaugur.web.cards import cards
from pulseaugur.web.context import BadRequest, render_page, request_text, web_context
from pulseaugur.web.i18n import UiText

router = APIRouter(include_in_schema=False)

WINDOW: Final = timedelta(hours=48)
SLICES: Final = 8
"""The charts count events in this many equal slices of the window (6 hours each)."""
PAGE_SIZE: Final = 20


def _moments(activity: list[TopicActivity]) -> dict[str, list[datetime]]:
    by_tag: dict[str, list[datetime]] = {}
    for event in activity:
        for tag in event.tags:
            by_tag.setdefault(tag, []).append(event.first_seen)
    return by_tag


def _spark(
    chart_id: str, label: str, moments: list[datetime], now: datetime, text: UiText
) -> object:
    counts = charts.buckets(moments, now - WINDOW, now, SLICES)
    return charts.sparkline(
        chart_id,
        counts,
        title=text.gettext("%(topic)s: events per 6 hours, last 48 hours") % {"topic": label},
        desc=", ".join(str(c) for c in counts),
    )


@router.api_route("/topics", methods=["GET", "HEAD"], response_class=HTMLResponse)
def topics_page(request: Request) -> HTMLResponse:
    """Every topic with its volume over the last 48 hours."""
    web = web_context(request)
    now = web.clock()
    text = request_text(request)
    by_tag = _moments(web.storage.topic_activity(now - WINDOW))
    rows = []
    for slug, tag in TOPIC_SLUGS.items():
        label = present.topic_label(tag, text)
        moments = by_tag.get(tag, [])
        rows.append(
            {
                "slug": slug,
                "label": label,
                "count": len(moments),
                "chart": _spark(f"spark-{slug}", label, moments, now, text),
            }
        )
    rows.sort(key=lambda r: (-int(str(r["count"])), str(r["label"]).lower()))
    return render_page(request, "topics.html", {"rows": rows})


@router.api_route("/topics/{name}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def topic_page(request: Request, name: str, cursor: str | None = None) -> HTMLResponse:
    """One topic's events, newest first."""
    tag = TOPIC_SLUGS.get(name) or (name if name in TOPIC_SLUGS.values() else None)
    if tag is None:
        raise NotFoundError(f"no topic {name!r}")
    slug = topic_slug(tag)
    web = web_context(request)
    now = web.clock()
    text = request_text(request)
    try:
        page = web.storage.list_events(
            limit=PAGE_SIZE, cursor=cursor or None, order="newest", where=EventFilter(topic=tag)
        )
    except ValueError:
        raise BadRequest("That page link is not valid any more.") from None
    label = present.topic_label(tag, text)
    moments = _moments(web.storage.topic_activity(now - WINDOW)).get(tag, [])
    return render_page(
        request,
        "topic.html",
        {
            "slug": slug,
            "label": label,
            "count": len(moments),
            "chart": _spark("topic-spark", label, moments, now, text),
            "events": cards(page.events),
            "next_cursor": page.next_cursor,
            "paged": bool(cursor),
        },
    )
