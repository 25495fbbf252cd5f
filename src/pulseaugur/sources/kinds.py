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


def parse_document(
    kind: SourceKind, content: bytes, *, url: str, content_type: str | None = None
) -> ParsedFeed:
    """Parse a document fetched from a source of ``kind``."""
    return PARSERS[kind](content, url=url, content_type=content_type)
