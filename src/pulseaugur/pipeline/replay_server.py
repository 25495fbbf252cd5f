"""The replay feed server: recorded items published as live feeds on 127.0.0.1.

Each replayed source gets one feed at ``/feeds/<source id>``, in RSS 2.0, Atom 1.0 or
JSON Feed 1.1 (fixed per source, so every parser runs), holding the newest
``FEED_WINDOW`` entries whose publication time has passed on the simulated clock — a
feed that grows as the clock advances, as a real one does. Responses carry an ETag and
Last-Modified and answer conditional requests with 304, so the real client's
conditional GET is exercised too.
"""

from __future__ import annotations

import bisect
import json
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Literal

FEED_WINDOW = 50
FeedFormat = Literal["rss", "atom", "json"]
FORMATS: tuple[FeedFormat, ...] = ("rss", "atom", "json")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ReplayEntry:
    """One recorded item, as the corpus holds it."""

    guid: str
    title: str
    url: str | None
    published: datetime | None
    reveal_at: datetime
    summary: str | None
    content_html: str | None
    authors: tuple[str, ...]


@dataclass(slots=True)
class ReplayFeed:
    """A source's entries in reveal order, and how it is rendered."""

    source_id: str
    title: str
    link: str
    fmt: FeedFormat
    entries: list[ReplayEntry]
    _reveal_times: list[datetime] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.entries.sort(key=lambda e: (e.reveal_at, e.guid))
        self._reveal_times = [e.reveal_at for e in self.entries]

    def visible_count(self, now: datetime) -> int:
        """How many entries are published at ``now``."""
        return bisect.bisect_right(self._reveal_times, now)

    def render(self, now: datetime) -> tuple[bytes, str, str, str | None]:
        """(body, content type, ETag, Last-Modified) of the feed at ``now``."""
        count = self.visible_count(now)
        window = list(reversed(self.entries[max(0, count - FEED_WINDOW) : count]))
        etag = f'"{self.source_id}-{count}"'
        modified = format_datetime(window[0].reveal_at, usegmt=True) if window else None
        if self.fmt == "json":
            return _render_json(self, window), "application/feed+json", etag, modified
        if self.fmt == "atom":
            return _render_atom(self, window, now), "application/atom+xml", etag, modified
        return _render_rss(self, window), "application/rss+xml", etag, modified


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _render_rss(feed: ReplayFeed, window: Sequence[ReplayEntry]) -> bytes:
    rss = ET.Element("rss", version="2.0")
    rss.set("xmlns:content", "http://purl.org/rss/1.0/modules/content/")
    rss.set("xmlns:dc", "http://purl.org/dc/elements/1.1/")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = feed.title
    ET.SubElement(channel, "link").text = feed.link
    ET.SubElement(channel, "description").text = f"Replay of {feed.title}"
    for entry in window:
        node = ET.SubElement(channel, "item")
        ET.SubElement(node, "title").text = entry.title
        if entry.url:
            ET.SubElement(node, "link").text = entry.url
        ET.SubElement(node, "guid", isPermaLink="false").text = entry.guid
        if entry.published is not None:
            ET.SubElement(node, "pubDate").text = format_datetime(entry.published, usegmt=True)
        if entry.summary:
            ET.SubElement(node, "description").text = entry.summary
        if entry.content_html:
            ET.SubElement(node, "content:encoded").text = entry.content_html
        for author in entry.authors:
            ET.SubElement(node, "dc:creator").text = author
    return bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True))


def _render_atom(feed: ReplayFeed, window: Sequence[ReplayEntry], now: datetime) -> bytes:
    root = ET.Element("feed", xmlns="http://www.w3.org/2005/Atom")
    ET.SubElement(root, "title").text = feed.title
    ET.SubElement(root, "id").text = feed.link
    ET.SubElement(root, "link", href=feed.link, rel="alternate")
    ET.SubElement(root, "updated").text = _iso(window[0].reveal_at if window else now)
    for entry in window:
        node = ET.SubElement(root, "entry")
        ET.SubElement(node, "title").text = entry.title
        ET.SubElement(node, "id").text = entry.guid
        if entry.url:
            ET.SubElement(node, "link", href=entry.url, rel="alternate")
        if entry.published is not None:
            ET.SubElement(node, "published").text = _iso(entry.published)
            ET.SubElement(node, "updated").text = _iso(entry.published)
        if entry.summary:
            ET.SubElement(node, "summary", type="html").text = entry.summary
        if entry.content_html:
            ET.SubElement(node, "content", type="html").text = entry.content_html
        for author in entry.authors:
            ET.SubElement(ET.SubElement(node, "author"), "name").text = author
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _render_json(feed: ReplayFeed, window: Sequence[ReplayEntry]) -> bytes:
    items: list[dict[str, Any]] = []
    for entry in window:
        item: dict[str, Any] = {"id": entry.guid, "title": entry.title}
        if entry.url:
            item["url"] = entry.url
        if entry.published is not None:
            item["date_published"] = _iso(entry.published)
        if entry.content_html:
            item["content_html"] = entry.content_html
        if entry.summary:
            item["summary"] = entry.summary
        if entry.authors:
            item["authors"] = [{"name": a} for a in entry.authors]
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.link,
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


class FeedServerApp:
    """An ASGI app serving ``feeds`` at ``/feeds/<source id>`` as of ``clock()``."""

    def __init__(self, feeds: Mapping[str, ReplayFeed], clock: Callable[[], datetime]) -> None:
        self.feeds = feeds
        self.clock = clock
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        self.requests += 1
        path: str = scope["path"]
        feed = self.feeds.get(path.removeprefix("/feeds/")) if path.startswith("/feeds/") else None
        if feed is None or scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 404, b"not found", [(b"content-type", b"text/plain")])
            return
        body, content_type, etag, modified = feed.render(self.clock())
        headers = [(b"etag", etag.encode()), (b"content-type", content_type.encode())]
        if modified:
            headers.append((b"last-modified", modified.encode()))
        request_headers = dict(scope["headers"])
        if request_headers.get(b"if-none-match") == etag.encode():
            await _respond(send, 304, b"", headers)
            return
        await _respond(send, 200, body if scope["method"] == "GET" else b"", headers)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
