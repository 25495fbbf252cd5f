"""The Brief on the web: the daily editions as pages and as Atom and JSON feeds.

    GET /brief                 the latest edition (a page saying there is none yet before
                               the first one)
    GET /brief/YYYY-MM-DD      one edition; 404 when none was published that day, 400 for
                               a date that does not exist (2025-02-30), 404 for any other
                               path
    GET /brief/feed.atom       Atom 1.0, one entry per edition (newest FEED_EDITIONS)
    GET /brief/feed.json       JSON Feed 1.1, the same entries

A feed entry is a whole edition — what a reader subscribing to a daily brief expects: one
new entry a day, whose content lists the edition's events in rank order, each linking to
its event page. The documents are written by ``feeds.py`` (shared with the event feeds).
Links in feeds are absolute: built on the ``public_url`` setting when it is set, else on
the request's own base URL. The feeds send an
``ETag`` (a hash of the body) and ``Last-Modified`` (the newest edition's publication
time) and answer a matching conditional GET with 304.

Editions are shown as they were published (``BriefEdition``): an event merged since
still links to its old address, which redirects to the event that absorbed it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pulseaugur.brief import parse_edition_id
from pulseaugur.errors import NotFoundError
from pulseaugur.types import BriefEdition
from pulseaugur.web import present
from pulseaugur.web.context import BadRequest, render_page, request_text, web_context
from pulseaugur.web.feeds import (
    ATOM_TYPE,
    JSON_FEED_TYPE,
    Feed,
    FeedEntry,
    atom_document,
    base_url,
    conditional_response,
    json_feed_document,
)

router = APIRouter(include_in_schema=False)

FEED_EDITIONS = 20
"""How many editions, newest first, the feeds carry."""

FEED_TITLE = "PulseAugur — the Brief"
FEED_DESCRIPTION = (
    "The day's most important AI news events, clustered from many sources and scored 0–100: "
    "one edition a day."
)
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def long_date(edition: BriefEdition) -> str:
    """``Friday 8 August 2025``."""
    day = parse_edition_id(edition.id)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _page(request: Request, edition: BriefEdition | None) -> HTMLResponse:
    web = web_context(request)
    earlier = later = None
    if edition is not None:
        earlier, later = web.storage.brief_neighbours(edition.id)
    day = parse_edition_id(edition.id) if edition is not None else None
    return render_page(
        request,
        "brief.html",
        {
            "edition": edition,
            "long_date": request_text(request).long_date(day) if day is not None else "",
            "earlier": earlier,
            "later": later,
        },
    )


@router.api_route("/brief", methods=["GET", "HEAD"], response_class=HTMLResponse)
def brief_latest(request: Request) -> HTMLResponse:
    """The latest edition of the Brief, or a page saying there is none yet."""
    latest = web_context(request).storage.list_briefs(limit=1)
    return _page(request, latest[0] if latest else None)


@router.api_route("/brief/feed.atom", methods=["GET", "HEAD"])
def brief_atom(request: Request) -> Response:
    """The Brief as an Atom 1.0 feed, one entry per edition."""
    editions = web_context(request).storage.list_briefs(limit=FEED_EDITIONS)
    body = atom_feed(editions, base_url(request), web_context(request).clock())
    return conditional_response(request, body, ATOM_TYPE, _modified(editions))


@router.api_route("/brief/feed.json", methods=["GET", "HEAD"])
def brief_json(request: Request) -> Response:
    """The Brief as a JSON Feed 1.1, one item per edition."""
    editions = web_context(request).storage.list_briefs(limit=FEED_EDITIONS)
    document = json_feed(editions, base_url(request), web_context(request).clock())
    body = json.dumps(document, ensure_ascii=False, indent=1).encode()
    return conditional_response(request, body, JSON_FEED_TYPE, _modified(editions))


@router.api_route("/brief/{day}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def brief_edition(request: Request, day: str) -> HTMLResponse:
    """One edition, by its date."""
    if not _DATE_SHAPE.fullmatch(day):
        raise NotFoundError(f"no page /brief/{day}")
    try:
        parse_edition_id(day)
    except ValueError:
        raise BadRequest(f"{day} is not a date: editions are at /brief/YYYY-MM-DD.") from None
    return _page(request, web_context(request).storage.get_brief(day))


# ---- the feeds ------------------------------------------------------------------------


def edition_html(edition: BriefEdition, base: str) -> str:
    """An edition as an HTML fragment for feed readers: its events in rank order."""
    lines = [
        f"<p>{len(edition.entries)} events scoring {present.number(edition.min_score)} or "
        f"more, from {present.plural(edition.min_sources, 'source')} or more, in the 24 hours "
        f"to {escape(present.utc_text(edition.window_end))}.</p>",
        "<ol>",
    ]
    for entry in edition.entries:
        lines.append(
            f'<li><p><strong><a href="{escape(base + entry.path)}">{escape(entry.headline)}'
            f"</a></strong></p><p>{escape(entry.lead)}</p><p>Score "
            f"{present.number(entry.score)} · {present.plural(entry.source_count, 'source')}"
            "</p></li>"
        )
    lines.append("</ol>")
    return "\n".join(lines)


def edition_text(edition: BriefEdition) -> str:
    """An edition as plain text: one numbered line per event."""
    return "\n".join(
        f"{e.rank}. {e.headline} ({present.number(e.score)}, "
        f"{present.plural(e.source_count, 'source')})"
        for e in edition.entries
    )


def edition_title(edition: BriefEdition) -> str:
    """``The Brief — Friday 8 August 2025``."""
    return f"The Brief — {long_date(edition)}"


def edition_feed(editions: Sequence[BriefEdition], base: str, now: datetime) -> Feed:
    """The feed of these editions (newest first), one entry per edition; ``now`` is its
    ``updated`` only when there is no edition yet. Each JSON Feed item also carries the
    edition's events as data under ``_pulseaugur`` (a JSON Feed extension)."""
    entries = []
    for edition in editions:
        url = f"{base}/brief/{edition.id}"
        entries.append(
            FeedEntry(
                id=url,
                url=url,
                title=edition_title(edition),
                published=edition.published_at,
                updated=edition.published_at,
                summary=edition_text(edition),
                content_html=edition_html(edition, base),
                tags=tuple(sorted({t for e in edition.entries for t in e.tags})),
                extension={
                    "edition": edition.id,
                    "window_start": present.iso(edition.window_start),
                    "window_end": present.iso(edition.window_end),
                    "events": [
                        {
                            "rank": e.rank,
                            "id": e.cluster_id,
                            "url": base + e.path,
                            "headline": e.headline,
                            "lead": e.lead,
                            "score": e.score,
                            "source_count": e.source_count,
                        }
                        for e in edition.entries
                    ],
                },
            )
        )
    return Feed(
        id=f"{base}/brief",
        title=FEED_TITLE,
        description=FEED_DESCRIPTION,
        home_url=f"{base}/brief",
        atom_url=f"{base}/brief/feed.atom",
        json_url=f"{base}/brief/feed.json",
        author_url=f"{base}/",
        updated=editions[0].published_at if editions else now,
        entries=entries,
    )


def atom_feed(editions: Sequence[BriefEdition], base: str, now: datetime) -> bytes:
    """The Atom 1.0 document of these editions (newest first)."""
    return atom_document(edition_feed(editions, base, now))


def json_feed(editions: Sequence[BriefEdition], base: str, now: datetime) -> dict[str, Any]:
    """The JSON Feed 1.1 document of these editions (newest first)."""
    return json_feed_document(edition_feed(editions, base, now))


def _modified(editions: Sequence[BriefEdition]) -> datetime | None:
    return max((e.published_at for e in editions), default=None)
