"""Feed documents → ``RawItem`` records.

One entry point, :func:`parse_feed`, reads every feed format we poll:

* RSS 0.9x, 1.0 (RDF) and 2.0, Atom 0.3 and 1.0 — through ``feedparser``, after a
  safety scan that refuses documents declaring XML entities (billion laughs,
  quadratic blowup, external entities / XXE) with ``UnsafeXMLError``;
* JSON Feed 1.0 and 1.1 — by the small typed mapper in this module.

The parser is lenient the way real feed readers are: a malformed ("bozo") XML document
that still yielded entries is accepted, and character encodings are detected by
``feedparser`` (HTTP charset, BOM, XML declaration, then utf-8 / windows-1252 fallbacks),
so a document declaring one encoding but written in another still parses where the
bytes allow it. A document that is not a feed at all (an HTML page, an OPML list,
garbage, nothing) raises ``ParseError`` naming the URL.

Parsing is synchronous and CPU-bound; async callers should run it in a worker thread.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

import feedparser
from feedparser.encodings import convert_to_utf8

from pulseaugur.errors import ParseError, UnsafeXMLError
from pulseaugur.sources import fields
from pulseaugur.types import JSONValue, RawItem

__all__ = ["ParsedFeed", "parse_feed"]


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed document.

    ``title`` and ``link`` (the site's home page, not the feed's own URL) are the
    feed-level values when the document has them; ``lang`` is the feed's language as a
    lower-case primary subtag (``en``); ``items`` are the entries in document order.
    """

    title: str | None
    link: str | None
    lang: str | None
    items: tuple[RawItem, ...]
    hub: str | None = None
    """A WebSub hub the feed names (``<link rel="hub">``, JSON Feed ``hubs``), if any."""
    self_url: str | None = None
    """The feed's own URL as it names it (``rel="self"``, ``feed_url``): the WebSub topic."""


def parse_feed(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one feed document.

    ``url`` is where the document came from: it names the document in errors and is
    the base against which relative links are resolved. ``content_type`` is the HTTP
    ``Content-Type`` header when there was one; its charset is honoured for XML, and a
    JSON media type selects the JSON Feed reader for documents that do not start with
    ``{`` or ``<``.

    Raises ``UnsafeXMLError`` for XML that declares entities, and ``ParseError`` for
    anything that is not a feed (never another exception for bad input).
    """
    if not content.strip():
        raise ParseError(url, "empty document, not a feed")
    if _looks_like_json(content, content_type):
        return _parse_json_feed(content, url)
    parsed = _parse_xml(content, url, content_type)
    if not _is_feed(parsed) and content_type:
        # A wrong charset or media type in the header can sink an otherwise good
        # document; try again trusting only the document itself.
        parsed = _parse_xml(content, url, None)
    if not _is_feed(parsed):
        raise ParseError(url, _not_a_feed_reason(parsed))
    # Plain dicts: FeedParserDict.get("updated_parsed") silently falls back to the
    # published date, which would invent an update time the document never gave.
    feed = dict(parsed.get("feed") or {})
    feed_lang = fields.normalize_lang(feed.get("language"))
    return ParsedFeed(
        title=fields.nonblank(feed.get("title")),
        link=fields.web_url(_alternate_link(feed), url),
        lang=feed_lang,
        items=tuple(
            _raw_item(dict(entry), url, feed_lang) for entry in parsed.get("entries") or []
        ),
        hub=fields.web_url(_rel_link(feed, "hub"), url),
        self_url=fields.web_url(_rel_link(feed, "self"), url),
    )


def _rel_link(node: Mapping[str, Any], rel: str) -> str | None:
    """The href of the first ``<link rel=…>`` of the feed with this relation."""
    for link in node.get("links") or []:
        if isinstance(link, Mapping) and link.get("rel") == rel and link.get("href"):
            return str(link["href"]).strip()
    return None


# --- XML ------------------------------------------------------------------------------


def _parse_xml(content: bytes, url: str, content_type: str | None) -> Any:
    """Run the safety scan and feedparser on ``content``; returns feedparser's result."""
    # Without a Content-Type feedparser must not be told "no Content-Type": it then
    # decodes as iso-8859-1 first, which turns every undeclared utf-8 document into
    # mojibake. application/xml means "trust the BOM / XML declaration, else utf-8".
    # No Content-Location either: feedparser would then "resolve" opaque guids such as
    # "1559104147038" into URLs under the feed's address; links are resolved below.
    headers = {"content-type": content_type or "application/xml"}
    try:
        # The exact bytes (re-encoded as utf-8) that feedparser's XML parsers will see.
        decoded = convert_to_utf8(headers, content, {})
    except Exception as exc:
        raise ParseError(url, f"could not decode the document ({exc})") from exc
    _refuse_entity_declarations(decoded, url)
    # No sanitizing or link rewriting inside HTML either: feedparser does both in pure
    # Python (half the parse time), and nothing renders this HTML — the normalizer turns
    # it into plain text (``normalize.text.html_to_text``) and pages escape that text.
    try:
        return feedparser.parse(
            io.BytesIO(content),
            response_headers=headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser on hostile input: any failure is a parse error
        raise ParseError(url, f"feed parser failed ({type(exc).__name__}: {exc})") from exc


def _refuse_entity_declarations(data: bytes, url: str) -> None:
    """Raise ``UnsafeXMLError`` if ``data`` (utf-8) declares an XML entity.

    Entity declarations are how billion-laughs, quadratic-blowup and external-entity
    (XXE) attacks work, and no real feed needs them. Declarations inside comments and
    CDATA sections are inert and skipped. DOCTYPEs without entity declarations (the old
    Netscape RSS 0.91 DOCTYPE) are allowed; external DTDs are never fetched. The scan is
    linear in the document size.
    """
    pos = 0
    cdata_closes = comments_close = True
    while (start := data.find(b"<!", pos)) >= 0:
        if cdata_closes and data.startswith(b"<![CDATA[", start):
            end = data.find(b"]]>", start + 9)
            if end >= 0:
                pos = end + 3
                continue
            cdata_closes = False  # no terminator anywhere after this point
        elif comments_close and data.startswith(b"<!--", start):
            end = data.find(b"-->", start + 4)
            if end >= 0:
                pos = end + 3
                continue
            comments_close = False
        elif data[start + 2 : start + 8].upper() == b"ENTITY":
            raise UnsafeXMLError(
                url,
                "the document declares XML entities (<!ENTITY>), which we refuse to expand "
                "(entity-expansion bombs and external-entity attacks use them)",
            )
        pos = start + 2


def _is_feed(parsed: Any) -> bool:
    """True when feedparser found a feed: entries, or a recognized empty feed.

    A malformed document with no entries counts only if it still has a feed title.
    """
    if parsed.get("entries"):
        return True
    if not parsed.get("version"):
        return False
    return not parsed.get("bozo") or bool(fields.nonblank((parsed.get("feed") or {}).get("title")))


def _not_a_feed_reason(parsed: Any) -> str:
    reason = "not an RSS, Atom or JSON feed"
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None:
        detail = " ".join(str(problem).split())[:200]
        reason += f" ({type(problem).__name__}: {detail})"
    return reason


def _raw_item(entry: Mapping[str, Any], base: str, feed_lang: str | None) -> RawItem:
    content = _pick_content(entry.get("content"))
    summary = fields.nonblank(entry.get("summary"))
    if summary is not None and summary == content:
        # feedparser copies content:encoded into summary when an item has no
        # description; keep the text once, where the document put it.
        summary = None
    return RawItem(
        guid=fields.nonblank(entry.get("id")),
        url=fields.web_url(_original_link(entry), base)
        or fields.web_url(_alternate_link(entry), base),
        title=fields.nonblank(entry.get("title")),
        summary=summary,
        content=content,
        authors=_entry_authors(entry),
        published=_utc_from_struct(entry.get("published_parsed")),
        updated=_utc_from_struct(entry.get("updated_parsed")),
        lang=_entry_lang(entry) or feed_lang,
        raw=_entry_raw(entry),
    )


def _original_link(entry: Mapping[str, Any]) -> str | None:
    """The article's own address where a feed proxy (FeedBurner, Pheedo) put a tracking
    redirect in ``<link>`` and the original in ``feedburner:origLink`` /
    ``pheedo:origLink``."""
    for key in ("feedburner_origlink", "pheedo_origlink"):
        value = fields.nonblank(entry.get(key))
        if value:
            return value
    return None


def _alternate_link(node: Mapping[str, Any]) -> str | None:
    """The ``rel=alternate`` link (HTML first); feedparser's ``link`` only when the node
    has no links at all (an RSS permalink guid). A node whose links are all ``self``,
    ``enclosure`` and the like has no web page."""
    links = node.get("links")
    candidates = [
        link
        for link in (links if isinstance(links, list) else [])
        if isinstance(link, Mapping)
        and fields.nonblank(link.get("href"))
        and (link.get("rel") or "alternate") == "alternate"
    ]
    html = [link for link in candidates if link.get("type") in _HTML_TYPES]
    if html or candidates:
        return fields.nonblank((html or candidates)[0].get("href"))
    if links:
        return None
    link = fields.nonblank(node.get("link"))
    if link and node.get("guidislink") and not urlsplit(link.strip()).netloc:
        # feedparser copied a permalink guid (isPermaLink defaults to true) into
        # ``link``. Unless it is an absolute URL it is an opaque id ("abc123"), and
        # resolving it against the feed's address would invent a page.
        return None
    return link


_HTML_TYPES: Final = (None, "", "text/html", "application/xhtml+xml")


def _pick_content(contents: Any) -> str | None:
    """The full content: the first HTML body, else the first body of any type."""
    if not isinstance(contents, list):
        return None
    bodies = [c for c in contents if isinstance(c, Mapping) and fields.nonblank(c.get("value"))]
    html = [c for c in bodies if c.get("type") in ("text/html", "application/xhtml+xml")]
    chosen = html or bodies
    return fields.nonblank(chosen[0].get("value")) if chosen else None


def _entry_lang(entry: Mapping[str, Any]) -> str | None:
    """The entry's own language: dc:language, then xml:lang on its content/summary/title."""
    candidates: list[Any] = [entry.get("language")]
    contents = entry.get("content")
    if isinstance(contents, list):
        candidates += [c.get("language") for c in contents if isinstance(c, Mapping)]
    for key in ("summary_detail", "title_detail"):
        detail = entry.get(key)
        if isinstance(detail, Mapping):
            candidates.append(detail.get("language"))
    for candidate in candidates:
        if lang := fields.normalize_lang(candidate):
            return lang
    return None


def _utc_from_struct(value: Any) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC ``struct_time``) → an aware UTC datetime."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:5], min(value.tm_sec, 59), tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _entry_raw(entry: Mapping[str, Any]) -> dict[str, JSONValue]:
    """The entry as plain JSON: every field except the ``*_parsed`` dates (the source
    strings are kept) and the ``*_detail`` duplicates of plain fields."""
    raw = _jsonable({k: v for k, v in entry.items() if not k.endswith(("_parsed", "_detail"))})
    return raw if isinstance(raw, dict) else {}


_OMIT: Final = object()


def _jsonable(value: Any) -> Any:
    """``value`` with everything ``json.dumps`` cannot take removed (``_OMIT`` if none)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else _OMIT
    if isinstance(value, Mapping):
        out = {str(k): _jsonable(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not _OMIT}
    if isinstance(value, list | tuple) and not isinstance(value, time.struct_time):
        return [v for v in map(_jsonable, value) if v is not _OMIT]
    return _OMIT


# --- JSON Feed ------------------------------------------------------------------------


def _looks_like_json(content: bytes, content_type: str | None) -> bool:
    """JSON when the document starts with ``{``, or with neither ``{`` nor ``<`` and the
    media type says JSON. Markup wins over a wrong header."""
    head = content[:1024].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        return True
    if head.startswith(b"<"):
        return False
    return content_type is not None and "json" in content_type.lower()


def _parse_json_feed(content: bytes, url: str) -> ParsedFeed:
    """Map a JSON Feed 1.0/1.1 document (https://jsonfeed.org/version/1.1)."""
    try:
        text = content.decode(json.detect_encoding(content), errors="replace")
        doc = json.loads(text, strict=False, parse_constant=fields.reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ParseError(url, f"not a feed: invalid JSON ({exc})") from None
    if not (
        isinstance(doc, dict)
        and isinstance(doc.get("version"), str)
        and isinstance(doc.get("items"), list)
    ):
        raise ParseError(url, "not a feed: JSON without a JSON Feed version and items list")
    feed_lang = fields.normalize_lang(doc.get("language"))
    feed_authors = _json_authors(doc)
    items = tuple(
        _json_item(item, url, feed_lang, feed_authors)
        for item in doc["items"]
        if isinstance(item, dict)
    )
    hubs = [
        h for h in doc.get("hubs") or [] if isinstance(h, dict) and fields.nonblank(h.get("url"))
    ]
    return ParsedFeed(
        title=fields.nonblank(doc.get("title")),
        link=fields.web_url(fields.nonblank(doc.get("home_page_url")), url),
        lang=feed_lang,
        items=items,
        hub=fields.web_url(fields.nonblank(hubs[0].get("url")), url) if hubs else None,
        self_url=fields.web_url(fields.nonblank(doc.get("feed_url")), url),
    )


def _json_item(
    item: dict[str, Any], base: str, feed_lang: str | None, feed_authors: tuple[str, ...]
) -> RawItem:
    """One JSON Feed item. Items without authors inherit the feed's (as the spec says);
    ``url`` falls back to ``external_url`` for link-only items."""
    ident = item.get("id")
    content = fields.nonblank(item.get("content_html")) or fields.nonblank(item.get("content_text"))
    return RawItem(
        guid=str(ident) if isinstance(ident, str | int) and not isinstance(ident, bool) else None,
        url=fields.web_url(
            fields.nonblank(item.get("url")) or fields.nonblank(item.get("external_url")), base
        ),
        title=fields.nonblank(item.get("title")),
        summary=fields.nonblank(item.get("summary")),
        content=content,
        authors=_json_authors(item) or feed_authors,
        published=fields.parse_iso_date(item.get("date_published")),
        updated=fields.parse_iso_date(item.get("date_modified")),
        lang=fields.normalize_lang(item.get("language")) or feed_lang,
        raw=item,
    )


def _json_authors(node: Mapping[str, Any]) -> tuple[str, ...]:
    """Names from 1.1 ``authors`` (preferred) or the 1.0 ``author`` object."""
    authors = node.get("authors")
    if not isinstance(authors, list) or not authors:
        author = node.get("author")
        authors = [author] if isinstance(author, dict) else []
    return _names(authors)


# --- authors --------------------------------------------------------------------------


_EMAIL_AND_NAME = re.compile(r"^\s*[^\s@()]+@[^\s()]+\s*\(([^()]+)\)\s*$")


def _entry_authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The entry's author names. RSS writes ``email (Name)``; feedparser splits that with
    a pattern that truncates long domain endings (``jane@lab.example (Jane Doe)`` gives
    the name ``ple (Jane Doe``), so that form is read from the raw string here."""
    raw = entry.get("author")
    match = _EMAIL_AND_NAME.match(raw) if isinstance(raw, str) else None
    if match is not None and len(entry.get("authors") or []) <= 1:
        return (match.group(1).strip(),)
    return _names(entry.get("authors"))


def _names(people: Any) -> tuple[str, ...]:
    """The distinct non-empty ``name`` fields of a list of person objects, in order."""
    if not isinstance(people, Sequence) or isinstance(people, str):
        return ()
    names: dict[str, None] = {}
    for person in people:
        if isinstance(person, Mapping) and (name := fields.nonblank(person.get("name"))):
            names.setdefault(name.strip(), None)
    return tuple(names)
