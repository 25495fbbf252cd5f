"""Feed discovery: the feeds a web page announces with ``<link rel="alternate">``.

``discover_feeds(html, base_url)`` returns every announced RSS, Atom, RDF or JSON Feed
link, made absolute against the page's URL (and its ``<base href>``), in document order,
without duplicates. Links to other media (a mobile page, an app URL) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "text/xml",
        "application/xml",
    }
)


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page points to."""

    url: str
    type: str
    title: str | None


def discover_feeds(html: bytes | str, base_url: str) -> list[FeedLink]:
    """The feeds announced by ``html`` (served from ``base_url``); empty when none."""
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    tree = LexborHTMLParser(text)
    base = base_url
    base_node = tree.css_first("base[href]")
    if base_node is not None and base_node.attributes.get("href"):
        base = urljoin(base_url, (base_node.attributes.get("href") or "").strip())
    found: list[FeedLink] = []
    seen: set[str] = set()
    for node in tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rels or kind not in FEED_TYPES:
            continue
        url = urljoin(base, (node.attributes.get("href") or "").strip())
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        title = (node.attributes.get("title") or "").strip() or None
        found.append(FeedLink(url=url, type=kind, title=title))
    return found
