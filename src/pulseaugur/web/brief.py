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
its event page. Links in feeds are absolute: built on the ``public_url`` setting when it
is set, else on the request's own base URL. The feeds send an
``ETag`` (a hash of the body) and ``Last-Modified`` (the newest edition's publication
time) and answer a matching conditional GET with 304.

Editions are shown as they were published (``BriefEdition``): an event merged since
still links to its old address, which redirects to the event that absorbed it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pulseaugur import __version__
from pulseaugur.brief import parse_edition_id
from pulseaugur.errors import NotFoundError
from pulseaugur.types import BriefEdition
from pulseaugur.web import present
from pulseaugur.web.context import BadRequest, web_context

router = APIRouter(include_in_schema=False)

FEED_EDITIONS = 20
"""How many editions, newest first, the feeds carry."""

ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"
FEED_TITLE = "PulseAugur — the Brief"
FEED_DESCRIPTION = (
    "The day's most important AI news events, clustered from many sources and scored 0–100: "
    "one edition a day."
)
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
ATOM_NS = "http://www.w3.org/2005/Atom"


def base_url(request: Request) -> str:
    """The site's absolute base URL, without a trailing slash: the ``public_url``
    setting the app runs with, else the request's."""
    configured = web_context(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def long_date(edition: BriefEdition) -> str:
    """``Friday 8 August 2025``."""
    day = parse_edition_id(edition.id)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _page(request: Request, edition: BriefEdition | None) -> HTMLResponse:
    web = web_context(request)
    earlier = later = None
    if edition is not None:
        earlier, later = web.storage.brief_neighbours(edition.id)
    return web.render(
        "brief.html",
        {
            "edition": edition,
            "long_date": long_date(edition) if edition is not None else "",
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
    return _conditional(request, body, ATOM_TYPE, editions)


@router.api_route("/brief/feed.json", methods=["GET", "HEAD"])
def brief_json(request: Request) -> Response:
    """The Brief as a JSON Feed 1.1, one item per edition."""
    editions = web_context(request).storage.list_briefs(limit=FEED_EDITIONS)
    body = json.dumps(json_feed(editions, base_url(request)), ensure_ascii=False, indent=1)
    return _conditional(request, body.encode(), JSON_FEED_TYPE, editions)


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


def atom_feed(editions: Sequence[BriefEdition], base: str, now: datetime) -> bytes:
    """The Atom 1.0 document of these editions (newest first); ``now`` is its
    ``updated`` only when there is no edition yet."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    sub(feed, "title", FEED_TITLE)
    sub(feed, "subtitle", FEED_DESCRIPTION)
    sub(feed, "id", f"{base}/brief")
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/brief/feed.atom")
    sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/brief")
    updated = editions[0].published_at if editions else now
    sub(feed, "updated", present.iso(updated.replace(microsecond=0)))
    author = sub(feed, "author")
    sub(author, "name", "PulseAugur")
    sub(author, "uri", f"{base}/")
    sub(feed, "generator", "PulseAugur", version=__version__)
    for edition in editions:
        url = f"{base}/brief/{edition.id}"
        published = present.iso(edition.published_at.replace(microsecond=0))
        entry = sub(feed, "entry")
        sub(entry, "title", edition_title(edition))
        sub(entry, "id", url)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", published)
        sub(entry, "updated", published)
        sub(entry, "summary", edition_text(edition))
        sub(entry, "content", edition_html(edition, base), type="html")
        for tag in sorted({t for e in edition.entries for t in e.tags}):
            sub(entry, "category", term=tag)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + document


def json_feed(editions: Sequence[BriefEdition], base: str) -> dict[str, Any]:
    """The JSON Feed 1.1 document of these editions (newest first). Each item also
    carries its events as data under ``_pulseaugur`` (a JSON Feed extension)."""
    items = []
    for edition in editions:
        url = f"{base}/brief/{edition.id}"
        published = present.iso(edition.published_at.replace(microsecond=0))
        items.append(
            {
                "id": url,
                "url": url,
                "title": edition_title(edition),
                "content_html": edition_html(edition, base),
                "content_text": edition_text(edition),
                "date_published": published,
                "date_modified": published,
                "tags": sorted({t for e in edition.entries for t in e.tags}),
                "_pulseaugur": {
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
            }
        )
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": FEED_TITLE,
        "home_page_url": f"{base}/brief",
        "feed_url": f"{base}/brief/feed.json",
        "description": FEED_DESCRIPTION,
        "language": "en",
        "authors": [{"name": "PulseAugur", "url": f"{base}/"}],
        "items": items,
    }


def _conditional(
    request: Request, body: bytes, media_type: str, editions: Sequence[BriefEdition]
) -> Response:
    """``body`` with its validators, or 304 when the request's validators match them."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    modified: datetime | None = None
    if editions:
        modified = max(e.published_at for e in editions).astimezone(UTC).replace(microsecond=0)
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _not_modified(request: Request, etag: str, modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return modified <= moment
