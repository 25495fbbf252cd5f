"""arXiv documents → ``RawItem`` records.

:func:`parse` reads the three XML shapes arXiv publishes papers in:

* the **export API** Atom feed (``https://export.arxiv.org/api/query?…``, see
  :func:`query_url`): entries with a versioned abs id, ``arxiv:primary_category``,
  categories, abs and PDF links, ``arxiv:comment``, ``arxiv:journal_ref``, ``arxiv:doi``;
* the daily **announcement feeds** of rss.arxiv.org, as RSS 2.0 (:func:`rss_url`) or
  Atom (:func:`atom_url`): one entry per paper announced today, with
  ``arxiv:announce_type`` (``new``, ``cross``, ``replace``, ``replace-cross``), comma-
  separated ``dc:creator`` authors and a description that starts
  ``arXiv:<id>v<n> Announce Type: <type> Abstract:`` (the prefix is removed).

Each paper maps as:

* ``guid`` and ``url`` — ``https://arxiv.org/abs/<id>``, without the version, so that
  every version of a paper (and the API and RSS views of it) has the same identity;
* ``title`` and ``summary`` (the abstract) — plain text as arXiv writes it (TeX
  included), whitespace runs collapsed (the API hard-wraps lines);
* ``authors``; ``published`` — the API's v1 submission time, or the feed's announcement
  date; ``updated`` — the API's latest-version time (None for the daily feeds, whose
  ``updated`` is only the feed's build time); ``lang`` — the feed's declared language;
* ``raw`` — ``platform: "arxiv"``, ``arxiv_id``, ``version`` (int or None),
  ``primary_category`` (None in the daily feeds, which do not say), ``categories``,
  ``pdf_url`` (the document's PDF link, else derived from the versioned id),
  ``announce_type`` (daily feeds only), ``comment``, ``journal_ref``, ``doi``,
  ``license`` (daily feeds only).

An API error (an entry titled ``Error`` whose id is under ``/api/errors``, which arXiv
sends with HTTP 400 or, in older versions, 200) raises ``ParseError`` carrying arXiv's
message. XML that declares entities or refers to external ones raises
``UnsafeXMLError``; anything that is not one of the shapes above raises ``ParseError``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final
from urllib.parse import urlencode

from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped, unused-ignore]

from pulseaugur.errors import ParseError, UnsafeXMLError
from pulseaugur.sources import fields
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.types import JSONValue, RawItem

__all__ = ["API", "atom_url", "parse", "query_url", "rss_url"]

API: Final = "https://export.arxiv.org/api/query"
_ABS: Final = "https://arxiv.org/abs/"
_ATOM: Final = "{http://www.w3.org/2005/Atom}"
_ARXIV: Final = "{http://arxiv.org/schemas/atom}"
_DC: Final = "{http://purl.org/dc/elements/1.1/}"
_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
_CATEGORY: Final = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
_SORT_BY: Final = frozenset({"submittedDate", "lastUpdatedDate", "relevance"})
_MAX_RESULTS: Final = 2000
# An arXiv id with an optional version: 2202.12139v1, astro-ph/0601001, math.GT/0309136v2.
_ID: Final = re.compile(
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?"
)
_ABS_ID: Final = re.compile(r"^https?://(?:export\.)?arxiv\.org/abs/" + _ID.pattern + r"$")
_OAI_ID: Final = re.compile(r"^oai:arXiv\.org:" + _ID.pattern + r"$")
_ANNOUNCE_PREFIX: Final = re.compile(
    r"^\s*arXiv:(?P<vid>\S+?)\s+Announce Type:\s*(?P<type>[\w-]+)\.?\s*(?:Abstract:\s*)?",
    re.IGNORECASE,
)


# --- URL builders -----------------------------------------------------------------------


def query_url(
    category: str | Sequence[str],
    *,
    max_results: int = 100,
    start: int = 0,
    sort_by: str = "submittedDate",
) -> str:
    """The export API query for the newest papers in ``category`` (``cs.AI``) or any of
    several categories, newest first by ``sort_by`` (``submittedDate``,
    ``lastUpdatedDate`` or ``relevance``); ``max_results`` 1–2000 from offset ``start``.
    arXiv asks clients to wait 3 s between calls; a poll every few hours is plenty.
    Raises ``ValueError`` for a malformed category or out-of-range numbers."""
    cats = _categories(category)
    if not 1 <= max_results <= _MAX_RESULTS or start < 0:
        raise ValueError(f"max_results must be 1–{_MAX_RESULTS} and start not negative")
    if sort_by not in _SORT_BY:
        raise ValueError(f"sort_by must be one of {sorted(_SORT_BY)}")
    params = {
        "search_query": " OR ".join(f"cat:{c}" for c in cats),
        "sortBy": sort_by,
        "sortOrder": "descending",
        "start": start,
        "max_results": max_results,
    }
    return f"{API}?{urlencode(params)}"


def rss_url(category: str | Sequence[str]) -> str:
    """The daily announcement feed (RSS 2.0) of one or more categories:
    ``https://rss.arxiv.org/rss/cs.AI+cs.LG``. Rebuilt once a day around midnight US
    Eastern time, empty on weekends and holidays."""
    return "https://rss.arxiv.org/rss/" + "+".join(_categories(category))


def atom_url(category: str | Sequence[str]) -> str:
    """The same daily announcement feed as :func:`rss_url`, in Atom."""
    return "https://rss.arxiv.org/atom/" + "+".join(_categories(category))


def _categories(category: str | Sequence[str]) -> list[str]:
    cats = [category] if isinstance(category, str) else list(category)
    cats = [c.strip() for c in cats]
    if not cats or not all(_CATEGORY.fullmatch(c) for c in cats):
        raise ValueError(f"not arXiv categories: {category!r} (e.g. 'cs.AI', 'hep-th')")
    return cats


# --- parsing ----------------------------------------------------------------------------


def parse(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one arXiv API response or announcement feed.

    ``url`` names the document in errors; ``content_type`` is accepted for the common
    signature and unused (the XML declaration says the encoding). Pure: no I/O.
    Raises ``UnsafeXMLError`` for entity declarations or external references, and
    ``ParseError`` for an arXiv API error (with arXiv's message) or a document that is
    not an arXiv Atom/RSS feed.
    """
    root = _load_xml(content, url)
    if root.tag == f"{_ATOM}feed":
        return _parse_atom(root, url)
    if root.tag == "rss" and (channel := root.find("channel")) is not None:
        return _parse_rss(channel)
    raise ParseError(url, f"not an arXiv Atom or RSS feed (root element {_local(root.tag)})")


def _load_xml(content: bytes, url: str) -> ET.Element:
    if not content.strip():
        raise ParseError(url, "empty document, not an arXiv feed")
    try:
        root: ET.Element = SafeET.fromstring(
            content, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except (
        SafeET.DTDForbidden,
        SafeET.EntitiesForbidden,
        SafeET.ExternalReferenceForbidden,
    ) as exc:
        raise UnsafeXMLError(
            url,
            f"the document declares or references XML entities ({type(exc).__name__}), "
            "which we refuse (entity-expansion bombs and external-entity attacks use them)",
        ) from None
    except (ET.ParseError, ValueError, LookupError) as exc:
        raise ParseError(url, f"not an arXiv feed: malformed XML ({exc})") from None
    return root


def _parse_atom(feed: ET.Element, url: str) -> ParsedFeed:
    """The export API's feed, or rss.arxiv.org's Atom variant."""
    entries = feed.findall(f"{_ATOM}entry")
    for entry in entries:
        entry_id = _child_text(entry, f"{_ATOM}id") or ""
        title = _child_text(entry, f"{_ATOM}title")
        if "/api/errors" in entry_id or (title == "Error" and _paper_id(entry_id) is None):
            message = _child_text(entry, f"{_ATOM}summary") or entry_id
            raise ParseError(url, f"arXiv API error: {message}")
    lang = fields.normalize_lang(feed.get(_XML_LANG))
    items = (_atom_entry(entry, lang) for entry in entries)
    return ParsedFeed(
        title=_child_text(feed, f"{_ATOM}title"),
        link=_alternate(feed),
        lang=lang,
        items=tuple(item for item in items if item is not None),
    )


def _atom_entry(entry: ET.Element, lang: str | None) -> RawItem | None:
    ident = _paper_id(_child_text(entry, f"{_ATOM}id"))
    if ident is None:
        ident = _paper_id(_alternate(entry))
    summary = _child_text(entry, f"{_ATOM}summary")
    announce_type = _child_text(entry, f"{_ARXIV}announce_type")
    if ident is None or (announce_type is not None and ident[1] is None):
        # Daily feeds: the version is in the summary's "arXiv:<id>v<n>" prefix.
        ident = _paper_id(_announced_id(summary)) or ident
    if ident is None:
        return None
    authors = [_child_text(a, f"{_ATOM}name") for a in entry.findall(f"{_ATOM}author")]
    authors += _split_creators(_child_text(entry, f"{_DC}creator"))
    pdf = next(
        (
            link.get("href")
            for link in entry.findall(f"{_ATOM}link")
            if link.get("title") == "pdf" or link.get("type") == "application/pdf"
        ),
        None,
    )
    daily = announce_type is not None
    return _raw_item(
        ident,
        title=_child_text(entry, f"{_ATOM}title"),
        abstract=_strip_announce_prefix(summary),
        authors=authors,
        published=fields.parse_iso_date(_child_text(entry, f"{_ATOM}published")),
        updated=None if daily else fields.parse_iso_date(_child_text(entry, f"{_ATOM}updated")),
        lang=lang,
        primary_category=_attr(entry.find(f"{_ARXIV}primary_category"), "term"),
        categories=[c.get("term") for c in entry.findall(f"{_ATOM}category")],
        pdf_url=pdf,
        announce_type=announce_type,
        comment=_child_text(entry, f"{_ARXIV}comment"),
        journal_ref=_first_text(entry, f"{_ARXIV}journal_ref", f"{_ARXIV}journal_reference"),
        doi=_first_text(entry, f"{_ARXIV}doi", f"{_ARXIV}DOI"),
        license=_child_text(entry, f"{_DC}rights"),
    )


def _parse_rss(channel: ET.Element) -> ParsedFeed:
    """rss.arxiv.org's RSS 2.0 daily feed."""
    lang = fields.normalize_lang(_child_text(channel, "language"))
    items = []
    for item in channel.findall("item"):
        description = _child_text(item, "description")
        ident = (
            _paper_id(_child_text(item, "guid"))
            or _paper_id(_announced_id(description))
            or _paper_id(_child_text(item, "link"))
        )
        if ident is None:
            continue
        items.append(
            _raw_item(
                ident,
                title=_child_text(item, "title"),
                abstract=_strip_announce_prefix(description),
                authors=_split_creators(_child_text(item, f"{_DC}creator")),
                published=fields.parse_iso_date(_child_text(item, "pubDate")),
                updated=None,
                lang=lang,
                primary_category=None,
                categories=[c.text for c in item.findall("category")],
                pdf_url=None,
                announce_type=_child_text(item, f"{_ARXIV}announce_type"),
                comment=_child_text(item, f"{_ARXIV}comment"),
                journal_ref=_first_text(item, f"{_ARXIV}journal_reference", f"{_ARXIV}journal_ref"),
                doi=_first_text(item, f"{_ARXIV}DOI", f"{_ARXIV}doi"),
                license=_child_text(item, f"{_DC}rights"),
            )
        )
    return ParsedFeed(
        title=_child_text(channel, "title"),
        link=_child_text(channel, "link"),
        lang=lang,
        items=tuple(items),
    )


def _raw_item(
    ident: tuple[str, int | None],
    *,
    title: str | None,
    abstract: str | None,
    authors: Iterable[str | None],
    published: datetime | None,
    updated: datetime | None,
    lang: str | None,
    primary_category: str | None,
    categories: Iterable[str | None],
    pdf_url: str | None,
    announce_type: str | None,
    comment: str | None,
    journal_ref: str | None,
    doi: str | None,
    license: str | None,
) -> RawItem:
    arxiv_id, version = ident
    abs_url = _ABS + arxiv_id
    versioned = f"{arxiv_id}v{version}" if version is not None else arxiv_id
    raw: dict[str, JSONValue] = {
        "platform": "arxiv",
        "arxiv_id": arxiv_id,
        "version": version,
        "primary_category": _collapse(primary_category),
        "categories": list(dict.fromkeys(c for c in map(_collapse, categories) if c)),
        "pdf_url": _collapse(pdf_url) or f"https://arxiv.org/pdf/{versioned}",
        "announce_type": _collapse(announce_type),
        "comment": _collapse(comment),
        "journal_ref": _collapse(journal_ref),
        "doi": _collapse(doi),
        "license": _collapse(license),
    }
    return RawItem(
        guid=abs_url,
        url=abs_url,
        title=_collapse(title),
        summary=_collapse(abstract),
        content=None,
        authors=tuple(dict.fromkeys(a for a in map(_collapse, authors) if a)),
        published=published,
        updated=updated,
        lang=lang,
        raw=raw,
    )


# --- helpers ----------------------------------------------------------------------------


def _paper_id(value: str | None) -> tuple[str, int | None] | None:
    """``(id, version)`` from an abs URL, an ``oai:arXiv.org:`` id or a bare id."""
    if not value:
        return None
    value = value.strip()
    match = _ABS_ID.match(value) or _OAI_ID.match(value) or _ID.fullmatch(value)
    if match is None:
        return None
    version = match["version"]
    return match["id"], int(version) if version else None


def _announced_id(description: str | None) -> str | None:
    match = _ANNOUNCE_PREFIX.match(description or "")
    return match["vid"] if match else None


def _strip_announce_prefix(text: str | None) -> str | None:
    """The abstract of a daily-feed description (``arXiv:… Announce Type: … Abstract:``
    removed); other text unchanged."""
    if text is None:
        return None
    match = _ANNOUNCE_PREFIX.match(text)
    return text[match.end() :] if match else text


def _split_creators(value: str | None) -> list[str]:
    """``dc:creator`` lists all authors in one string, separated by commas."""
    return [name for name in (value or "").split(",") if name.strip()]


def _child_text(node: ET.Element, tag: str) -> str | None:
    child = node.find(tag)
    if child is None:
        return None
    text = "".join(child.itertext()).strip()
    return text or None


def _first_text(node: ET.Element, *tags: str) -> str | None:
    return next((t for tag in tags if (t := _child_text(node, tag))), None)


def _attr(node: ET.Element | None, name: str) -> str | None:
    return node.get(name) if node is not None else None


def _alternate(node: ET.Element) -> str | None:
    """The ``rel=alternate`` (or rel-less) HTML link of an Atom feed or entry."""
    for link in node.findall(f"{_ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("type") in (
            None,
            "text/html",
        ):
            return link.get("href")
    return None


def _collapse(text: str | None) -> str | None:
    """``text`` with whitespace runs made single spaces; None when empty."""
    collapsed = " ".join(text.split()) if text else ""
    return collapsed or None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
