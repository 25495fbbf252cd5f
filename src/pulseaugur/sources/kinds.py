"""One parser per kind of source, behind one signature.

``parse_document(kind, content, url=..., content_type=...)`` reads a fetched document
with the parser of the source's kind: RSS/Atom/RDF/JSON Feed for ``feed``, and each
platform's API for the others. Every parser is pure and raises ``ParseError`` for a
document it cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pulseaugur.sources import arxiv, bluesky, hackernews, lobsters, mastodon, reddit
from pulseaugur.sources.feeds import ParsedFeed, parse_feed
from pulseaugur.types import SourceKind


class Parser(Protocol):
    """The shape every kind's parser has."""

    def __call__(
        self, content: bytes, *, url: str, content_type: str | None = None
    ) -> ParsedFeed: ...


PARSERS: Mapping[SourceKind, Parser] = {
    "feed": parse_feed,
    "mastodon": mastodon.parse,
    "bluesky": bluesky.parse,
    "hackernews": hackernews.parse,
    "reddit": reddit.parse,
    "arxiv": arxiv.parse,
    "lobsters": lobsters.parse,
}


FALLBACK_STATUSES = frozenset({401, 403, 404, 410})
"""API answers after which a source with an RSS fallback is read through its feed."""


def parse_document(
    kind: SourceKind, content: bytes, *, url: str, content_type: str | None = None
) -> ParsedFeed:
    """Parse a document fetched from a source of ``kind``. A ``mastodon`` source may
    also be read through the RSS feed Mastodon publishes (an account's ``/@name.rss``,
    or the fallback of a hashtag timeline): XML is read as a feed."""
    if kind == "mastodon" and content.lstrip()[:1] == b"<":
        return parse_feed(content, url=url, content_type=content_type)
    return PARSERS[kind](content, url=url, content_type=content_type)


def fallback_url(kind: SourceKind, url: str) -> str | None:
    """The feed to read instead when the platform's API refuses ``url``
    (``FALLBACK_STATUSES``); None for kinds without one."""
    return mastodon.rss_fallback_url(url) if kind == "mastodon" else None
