"""Managing sources: checking a URL, adding it, importing an OPML list.

``inspect_url`` fetches a URL with the production client and parser. When the URL is a
web page rather than a feed, it follows the first feed the page announces
(``<link rel="alternate">``, see ``discovery``). What it returns is enough to show an
operator what they are about to add, and to build the ``Source``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pulseaugur.errors import ParseError
from pulseaugur.sources.discovery import FeedLink, discover_feeds
from pulseaugur.sources.feeds import ParsedFeed, parse_feed
from pulseaugur.sources.http import HttpClient
from pulseaugur.sources.opml import OpmlFeed
from pulseaugur.sources.registry import url_key
from pulseaugur.types import SOURCE_KINDS, Source


@dataclass(frozen=True, slots=True)
class Inspection:
    """What a URL turned out to be: the feed's final URL, its parse, and the feeds the
    page announced when the URL was a page (empty when it was a feed itself)."""

    feed_url: str
    feed: ParsedFeed
    discovered: tuple[FeedLink, ...]


async def inspect_url(client: HttpClient, url: str) -> Inspection:
    """Fetch ``url`` and read it as a feed, discovering the feed of a web page.

    Raises ``FetchError`` when a fetch fails and ``ParseError`` when neither the URL nor
    a feed it announces can be read.
    """
    result = await client.fetch(url)
    try:
        feed = parse_feed(result.content, url=result.url, content_type=result.content_type)
        return Inspection(result.url, feed, ())
    except ParseError as not_a_feed:
        links = discover_feeds(result.content, result.url)
        if not links:
            raise ParseError(
                url, f"not a feed, and the page announces no feed ({not_a_feed})"
            ) from None
    found = await client.fetch(links[0].url)
    feed = parse_feed(found.content, url=found.url, content_type=found.content_type)
    return Inspection(found.url, feed, tuple(links))


def new_source_id(name: str, taken: Iterable[str]) -> str:
    """A slug for ``name`` not in ``taken`` (``-2``, ``-3`` … appended when needed)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:90] or "source"
    used = set(taken)
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def source_for_feed(
    feed_url: str,
    *,
    taken: Iterable[str],
    title: str | None,
    home: str | None = None,
    source_id: str | None = None,
    outlet: str | None = None,
    section: str | None = None,
    tier: int = 2,
    languages: Sequence[str] = (),
    poll_interval_s: int = 900,
    kind: str = "feed",
) -> Source:
    """A ``Source`` for a feed, with sensible defaults: the feed's title as its name and
    outlet, the site's host as its domain."""
    name = (title or "").strip() or urlsplit(feed_url).hostname or feed_url
    domain = url_key(home) if home else None
    domain = domain or (urlsplit(feed_url).hostname or "").removeprefix("www.")
    return Source(
        id=source_id or new_source_id(name, taken),
        kind=kind if kind in SOURCE_KINDS else "feed",
        url=feed_url,
        name=name,
        outlet=outlet or name,
        section=section,
        tier=tier,
        languages=tuple(languages) or ("en",),
        poll_interval_s=poll_interval_s,
        domains=(domain,) if domain else (),
    )


def sources_from_opml(
    feeds: Iterable[OpmlFeed],
    existing: Iterable[Source],
    *,
    tier: int = 2,
    poll_interval_s: int = 900,
) -> tuple[list[Source], list[OpmlFeed]]:
    """The sources to add for an OPML list, and the feeds skipped because a source
    already reads them (same URL)."""
    existing = list(existing)
    taken = {s.id for s in existing}
    known_urls = {s.url.rstrip("/") for s in existing}
    added: list[Source] = []
    skipped: list[OpmlFeed] = []
    for entry in feeds:
        if entry.xml_url.rstrip("/") in known_urls or urlsplit(entry.xml_url).scheme not in (
            "http",
            "https",
        ):
            skipped.append(entry)
            continue
        source = source_for_feed(
            entry.xml_url,
            taken=taken,
            title=entry.title,
            home=entry.html_url,
            source_id=entry.source_id if entry.source_id not in taken else None,
            section=entry.category,
            tier=entry.tier or tier,
            languages=entry.languages,
            poll_interval_s=poll_interval_s,
            kind=entry.kind or "feed",
        )
        taken.add(source.id)
        known_urls.add(entry.xml_url.rstrip("/"))
        added.append(source)
    return added, skipped
