"""The events as Atom 1.0 and JSON Feed 1.1, and the feed writers the Brief's feeds share.

    GET /feed.atom                    the newest FEED_EVENTS events, newest first
    GET /feed.json                    the same as JSON Feed 1.1
    GET /topics/{slug}/feed.atom      the newest events tagged with one topic (slug as in
    GET /topics/{slug}/feed.json      ``rank.topics.TOPIC_SLUGS``); 404 for an unknown one

An entry's id is ``<base>/cluster/<id>``: the event's id never changes, so the entry keeps
its id however often the event is updated (its ``updated`` date moves instead), and an
event that absorbs others in a merge keeps its own. That URL answers with a redirect to
the event page. Links are absolute, built on the ``public_url`` setting when it is set,
else on the request's own base URL.

Everything from a source is text: ``xml.etree`` escapes it in Atom elements, and the HTML
fragments (``content``, ``content_html``) escape it with ``html.escape`` before it is put
in markup, so a hostile headline reaches a feed reader as text, never as markup.

Each feed sends an ``ETag`` (a hash of the body) and ``Last-Modified`` (its newest
entry's date) and answers a matching conditional GET with 304.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pulseaugur import __version__
from pulseaugur.errors import NotFoundError
from pulseaugur.rank.topics import TOPIC_SLUGS
from pulseaugur.storage.base import EventFilter, EventView
from pulseaugur.web import present
from pulseaugur.web.context import web_context

router = APIRouter(tags=["feeds"])

FEED_EVENTS = 50
"""How many events, newest first, an event feed carries."""

ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
SITE_NAME = "PulseAugur"
EVENTS_DESCRIPTION = (
    "Live AI news clustered into events: each entry is one event, with its summary, "
    "why it matters, and how many sources report it."
)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed. ``summary`` is plain text, ``content_html`` an HTML fragment
    whose text is already escaped; ``extension`` is the JSON Feed item's ``_pulseaugur``
    object (None: no extension)."""

    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str
    tags: tuple[str, ...] = ()
    extension: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """A whole feed: ``id`` is its Atom id, ``home_url`` the page it mirrors,
    ``atom_url``/``json_url`` its own two addresses; ``updated`` is the Atom feed's
    ``updated`` (the newest entry's, or the present moment for an empty feed)."""

    id: str
    title: str
    description: str
    home_url: str
    atom_url: str
    json_url: str
    author_url: str
    updated: datetime
    entries: Sequence[FeedEntry] = field(default_factory=tuple)


def _stamp(moment: datetime) -> str:
    return present.iso(moment.replace(microsecond=0))


def atom_document(feed: Feed) -> bytes:
    """The Atom 1.0 document of ``feed``, UTF-8 with an XML declaration."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    sub(root, "title", feed.title)
    sub(root, "subtitle", feed.description)
    sub(root, "id", feed.id)
    sub(root, "link", rel="self", type="application/atom+xml", href=feed.atom_url)
    sub(root, "link", rel="alternate", type="text/html", href=feed.home_url)
    sub(root, "updated", _stamp(feed.updated))
    author = sub(root, "author")
    sub(author, "name", SITE_NAME)
    sub(author, "uri", feed.author_url)
    sub(root, "generator", SITE_NAME, version=__version__)
    for item in feed.entries:
        entry = sub(root, "entry")
        sub(entry, "title", item.title)
        sub(entry, "id", item.id)
        sub(entry, "link", rel="alternate", type="text/html", href=item.url)
        sub(entry, "published", _stamp(item.published))
        sub(entry, "updated", _stamp(item.updated))
        sub(entry, "summary", item.summary)
        sub(entry, "content", item.content_html, type="html")
        for tag in item.tags:
            sub(entry, "category", term=tag)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + document


def json_feed_document(feed: Feed) -> dict[str, Any]:
    """The JSON Feed 1.1 document of ``feed``."""
    items = []
    for entry in feed.entries:
        item: dict[str, Any] = {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
            "content_html": entry.content_html,
            "content_text": entry.summary,
            "date_published": _stamp(entry.published),
            "date_modified": _stamp(entry.updated),
            "tags": list(entry.tags),
        }
        if entry.extension is not None:
            item["_pulseaugur"] = dict(entry.extension)
        items.append(item)
    return {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.json_url,
        "description": feed.description,
        "language": "en",
        "authors": [{"name": SITE_NAME, "url": feed.author_url}],
        "items": items,
    }


def json_feed_bytes(feed: Feed) -> bytes:
    """``json_feed_document`` serialized (UTF-8, non-ASCII kept as is)."""
    return json.dumps(json_feed_document(feed), ensure_ascii=False, indent=1).encode()


def base_url(request: Request) -> str:
    """The site's absolute base URL, without a trailing slash: the ``public_url``
    setting the app runs with, else the request's."""
    configured = web_context(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def conditional_response(
    request: Request, body: bytes, media_type: str, modified: datetime | None
) -> Response:
    """``body`` with its validators (a strong ``ETag``, ``Last-Modified`` when
    ``modified`` is known), or 304 when the request's validators match them."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if modified is not None:
        modified = modified.astimezone(UTC).replace(microsecond=0)
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if not_modified(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        etag,
        modified,
    ):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, modified: datetime | None
) -> bool:
    """RFC 9110: ``If-None-Match`` decides when present (weak comparison); else
    ``If-Modified-Since`` against ``modified``."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if if_modified_since is None or modified is None:
        return False
    try:
        moment = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return modified <= moment


# ---- the event feeds ------------------------------------------------------------------


def event_entry_id(base: str, event_id: int) -> str:
    """The stable id of an event's feed entry (see the module docstring)."""
    return f"{base}/cluster/{event_id}"


def event_html(view: EventView, base: str) -> str:
    """An event as an HTML fragment for feed readers, every text escaped."""
    story = view.story
    assert story is not None
    lines = [f"<p>{escape(story.summary_text)}</p>"]
    if story.impact:
        lines.append(f"<p><strong>Why it matters:</strong> {escape(story.impact)}</p>")
    primary = present.primary_entry(view)
    url = present.item_url(primary.item) if primary is not None else None
    if primary is not None and url is not None:
        lines.append(
            f'<p><a href="{escape(url)}">Read on {escape(primary.source.display_name)}</a></p>'
        )
    lines.append(
        f"<p>Score {present.number(story.score.total)} · "
        f"{present.plural(story.source_count, 'source')} · "
        f'<a href="{escape(base + view.path)}">Coverage and timeline</a></p>'
    )
    return "\n".join(lines)


def event_entry(view: EventView, base: str) -> FeedEntry:
    """The feed entry of an event that has a story."""
    story = view.story
    assert story is not None
    return FeedEntry(
        id=event_entry_id(base, view.cluster.id),
        url=base + view.path,
        title=story.headline,
        published=view.cluster.first_seen,
        updated=view.cluster.last_updated,
        summary=story.summary_text,
        content_html=event_html(view, base),
        tags=tuple(story.tags),
        extension={
            "id": view.cluster.id,
            "api_url": f"{base}/api/v1/events/{view.cluster.id}",
            "score": story.score.total,
            "source_count": story.source_count,
            "event_type": story.event_type,
            "storyline_id": view.cluster.storyline_id,
        },
    )


def _event_feed(
    request: Request, where: EventFilter | None, title: str, home: str, stem: str
) -> Feed:
    web = web_context(request)
    base = base_url(request)
    page = web.storage.list_events(limit=FEED_EVENTS, order="newest", where=where)
    views = [view for view in page.events if view.story is not None]
    entries = [event_entry(view, base) for view in views]
    updated = max((e.updated for e in entries), default=web.clock())
    return Feed(
        id=base + home,
        title=title,
        description=EVENTS_DESCRIPTION,
        home_url=base + home,
        atom_url=f"{base}{stem}.atom",
        json_url=f"{base}{stem}.json",
        author_url=f"{base}/",
        updated=updated,
        entries=entries,
    )


def _modified(feed: Feed) -> datetime | None:
    return max((e.updated for e in feed.entries), default=None)


def _topic_tag(slug: str) -> str:
    tag = TOPIC_SLUGS.get(slug)
    if tag is None:
        raise NotFoundError(f"no topic {slug!r}")
    return tag


_ATOM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0"}
}
_JSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/feed+json": {}}, "description": "JSON Feed 1.1"}
}


@router.get("/feed.atom", responses=_ATOM_RESPONSE)
@router.head("/feed.atom", include_in_schema=False)
def events_atom(request: Request) -> Response:
    """The newest events as Atom 1.0."""
    feed = _event_feed(request, None, f"{SITE_NAME} — AI news events", "/", "/feed")
    return conditional_response(request, atom_document(feed), ATOM_TYPE, _modified(feed))


@router.get("/feed.json", responses=_JSON_RESPONSE)
@router.head("/feed.json", include_in_schema=False)
def events_json(request: Request) -> Response:
    """The newest events as JSON Feed 1.1."""
    feed = _event_feed(request, None, f"{SITE_NAME} — AI news events", "/", "/feed")
    return conditional_response(request, json_feed_bytes(feed), JSON_FEED_TYPE, _modified(feed))


def _topic_feed(request: Request, slug: str) -> Feed:
    tag = _topic_tag(slug)
    home = f"/topics/{slug}"
    return _event_feed(
        request, EventFilter(topic=tag), f"{SITE_NAME} — {tag}", home, home + "/feed"
    )


@router.get("/topics/{slug}/feed.atom", responses=_ATOM_RESPONSE)
@router.head("/topics/{slug}/feed.atom", include_in_schema=False)
def topic_atom(request: Request, slug: str) -> Response:
    """The newest events of one topic as Atom 1.0."""
    feed = _topic_feed(request, slug)
    return conditional_response(request, atom_document(feed), ATOM_TYPE, _modified(feed))


@router.get("/topics/{slug}/feed.json", responses=_JSON_RESPONSE)
@router.head("/topics/{slug}/feed.json", include_in_schema=False)
def topic_json(request: Request, slug: str) -> Response:
    """The newest events of one topic as JSON Feed 1.1."""
    feed = _topic_feed(request, slug)
    return conditional_response(request, json_feed_bytes(feed), JSON_FEED_TYPE, _modified(feed))
