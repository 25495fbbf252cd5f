"""Hacker News documents → ``RawItem`` records.

:func:`parse` reads the two JSON shapes Hacker News is polled in:

* **Algolia search responses** (``https://hn.algolia.com/api/v1/search…``), an object
  with a ``hits`` list. This is what a source should poll: one request returns a whole
  page of stories (:func:`algolia_front_page_url`, :func:`algolia_search_url`).
* **Official Firebase API item documents** (``https://hacker-news.firebaseio.com/v0/
  item/<id>.json``): one item object, or a JSON array of item objects. The official API
  needs one request per item, so it suits looking items up rather than polling.

Stories, Ask/Show HN text posts, jobs and polls (with a title) become items; comments
and poll options are discussion, not news, and are skipped inside lists and search
hits. Deleted and dead (flagged) items are skipped. Documents that hold no items by
design (a user profile, ``maxitem``, ``updates``, a bare list of story ids, a single
comment) raise ``ParseError`` naming what they are, so a misconfigured source fails
loudly instead of yielding nothing forever.

Each item maps as:

* ``guid`` — ``https://news.ycombinator.com/item?id=<id>``;
* ``url`` — the HN item page (the discussion): the post is a reaction to the article it
  links, which ``linked_url`` names, so it joins that article's event instead of
  being taken for a copy of it;
* ``title``; ``summary`` — the post's own text (HTML, as HN stores it) or None;
* ``authors`` — ``(username,)``; ``published`` — the submission time, UTC;
  ``updated`` and ``lang`` — None (HN records neither);
* ``raw`` — ``platform: "hackernews"``, ``api`` (``firebase``/``algolia``), ``hn_id``,
  ``item_type``, ``engagement: {points, comments}`` (None where the document has no
  count), ``linked_url`` (None for text posts), ``discussion_url``, and for Algolia hits
  their ``tags``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

from pulseaugur.errors import ParseError
from pulseaugur.sources import fields
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.types import JSONValue, RawItem

__all__ = [
    "ALGOLIA_API",
    "FIREBASE_API",
    "algolia_front_page_url",
    "algolia_search_url",
    "discussion_url",
    "item_api_url",
    "parse",
]

ALGOLIA_API: Final = "https://hn.algolia.com/api/v1"
FIREBASE_API: Final = "https://hacker-news.firebaseio.com/v0"
_SITE: Final = "https://news.ycombinator.com/"
_ITEM_TYPES: Final = frozenset({"story", "job", "poll"})
"""Official ``type`` values that become items (``comment`` and ``pollopt`` do not)."""
_SKIPPED_ALGOLIA_TAGS: Final = frozenset({"comment", "pollopt"})
_MAX_HITS_PER_PAGE: Final = 1000


# --- URL builders -----------------------------------------------------------------------


def algolia_front_page_url(*, hits_per_page: int = 30) -> str:
    """The Algolia search URL listing the stories on the HN front page right now
    (``tags=front_page``), ``hits_per_page`` of them (1–1000; the front page holds 30).
    This is the URL to poll for a "Hacker News front page" source."""
    return _algolia("search", {"tags": "front_page", "hitsPerPage": _page(hits_per_page)})


def algolia_search_url(
    query: str,
    *,
    tags: str = "story",
    hits_per_page: int = 50,
    min_points: int | None = None,
    by_date: bool = True,
) -> str:
    """The Algolia search URL for stories matching ``query`` (Algolia's full-text search
    over titles, URLs and text).

    ``tags`` filters by Algolia tag (``story``, ``ask_hn``, ``show_hn``, ``front_page``;
    ``(story,poll)`` for either); ``min_points`` keeps stories with at least that many
    points; ``by_date`` (the default, right for polling) sorts newest first through the
    ``search_by_date`` endpoint, else by relevance. Raises ``ValueError`` for an empty
    query or out-of-range numbers.
    """
    if not query.strip():
        raise ValueError("query must not be empty")
    params: dict[str, str | int] = {"query": query.strip(), "tags": tags}
    if min_points is not None:
        if min_points < 0:
            raise ValueError("min_points must not be negative")
        params["numericFilters"] = f"points>={min_points}"
    params["hitsPerPage"] = _page(hits_per_page)
    return _algolia("search_by_date" if by_date else "search", params)


def item_api_url(item_id: int) -> str:
    """The official API document of one item (``…/v0/item/<id>.json``)."""
    if item_id < 1:
        raise ValueError("item ids are positive")
    return f"{FIREBASE_API}/item/{item_id}.json"


def discussion_url(item_id: int | str) -> str:
    """The item's page on Hacker News (its ``guid``)."""
    return f"{_SITE}item?id={item_id}"


def _page(hits_per_page: int) -> int:
    if not 1 <= hits_per_page <= _MAX_HITS_PER_PAGE:
        raise ValueError(f"hits_per_page must be 1–{_MAX_HITS_PER_PAGE}")
    return hits_per_page


def _algolia(endpoint: str, params: Mapping[str, str | int]) -> str:
    return f"{ALGOLIA_API}/{endpoint}?{urlencode(params)}"


# --- parsing ----------------------------------------------------------------------------


def parse(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one Hacker News API response (Algolia search or official item(s)).

    ``url`` names the document in errors; ``content_type`` is accepted for the common
    parser signature and not needed (the body is always JSON). Pure: no I/O.

    Raises ``ParseError`` for anything that is not a document holding HN items: invalid
    JSON, an Algolia error, a user profile, ``maxitem``, ``updates``, a list of ids, a
    single comment or poll option.
    """
    doc = fields.load_json_lenient(content, url=url, what="a Hacker News API response")
    if isinstance(doc, Mapping) and "hits" in doc:
        return _feed(_algolia_items(doc, url))
    if isinstance(doc, list):
        if doc and all(_is_int(v) for v in doc):
            raise ParseError(
                url,
                "a list of Hacker News item ids (topstories/newstories/…), not items; "
                "poll the Algolia search API instead",
            )
        return _feed(tuple(i for d in doc if isinstance(d, Mapping) and (i := _item(d))))
    if isinstance(doc, Mapping):
        return _feed(_single(doc, url))
    raise ParseError(url, _not_items_reason(doc))


def _feed(items: tuple[RawItem, ...]) -> ParsedFeed:
    return ParsedFeed(title="Hacker News", link=_SITE, lang=None, items=items)


def _single(doc: Mapping[str, Any], url: str) -> tuple[RawItem, ...]:
    """One official item document: its item, or nothing if deleted/dead."""
    if "type" not in doc or "id" not in doc:
        raise ParseError(url, _not_items_reason(doc))
    kind = doc.get("type")
    if kind not in _ITEM_TYPES:
        raise ParseError(
            url, f"a Hacker News {kind} (item {doc.get('id')}), not a story; it holds no news"
        )
    item = _item(doc)
    return (item,) if item else ()


def _not_items_reason(doc: Any) -> str:
    if _is_int(doc):
        return "a bare number (the official API's maxitem?), not Hacker News items"
    if doc is None:
        return "JSON null (the official API's answer for a missing item), not items"
    if isinstance(doc, Mapping):
        if "karma" in doc or "submitted" in doc:
            return f"a Hacker News user profile ({doc.get('id')}), not items"
        if "profiles" in doc and "items" in doc:
            return "the official API's updates document (changed ids), not items"
        if "message" in doc:
            return f"Algolia error: {_one_line(doc.get('message'))}"
        return "a JSON object that is neither an Algolia search response nor an HN item"
    return f"JSON {type(doc).__name__}, not a Hacker News API document"


def _item(doc: Mapping[str, Any]) -> RawItem | None:
    """An official item (``by``/``score``/``descendants``/``time``), or an Algolia
    ``items/<id>`` document (``author``/``points``/``created_at_i``); None for comments,
    poll options, deleted and dead items, and items without a title."""
    if (
        doc.get("type") not in _ITEM_TYPES
        or doc.get("deleted")
        or doc.get("dead")
        or not fields.nonblank(doc.get("title"))
    ):
        return None
    return _raw_item(
        hn_id=doc.get("id"),
        api="firebase" if "by" in doc or "time" in doc else "algolia",
        item_type=str(doc["type"]),
        title=doc.get("title"),
        link=doc.get("url"),
        text=doc.get("text"),
        author=doc.get("by", doc.get("author")),
        unix_time=doc.get("time", doc.get("created_at_i")),
        iso_time=doc.get("created_at"),
        points=doc.get("score", doc.get("points")),
        comments=doc.get("descendants"),
        extra={},
    )


def _algolia_items(doc: Mapping[str, Any], url: str) -> tuple[RawItem, ...]:
    hits = doc.get("hits")
    if not isinstance(hits, list):
        raise ParseError(url, "an Algolia response whose hits is not a list")
    items = []
    for hit in hits:
        if not isinstance(hit, Mapping):
            continue
        raw_tags = hit.get("_tags")
        tags = [t for t in raw_tags if isinstance(t, str)] if isinstance(raw_tags, list) else []
        if _SKIPPED_ALGOLIA_TAGS.intersection(tags) or not fields.nonblank(hit.get("title")):
            continue  # comments and poll options: discussion, not news
        item_type = next((t for t in tags if t in _ITEM_TYPES), "story")
        item = _raw_item(
            hn_id=hit.get("objectID"),
            api="algolia",
            item_type=item_type,
            title=hit.get("title"),
            link=hit.get("url"),
            text=hit.get("story_text"),
            author=hit.get("author"),
            unix_time=hit.get("created_at_i"),
            iso_time=hit.get("created_at"),
            points=hit.get("points"),
            comments=hit.get("num_comments"),
            extra={"tags": tags},
        )
        if item:
            items.append(item)
    return tuple(items)


def _raw_item(
    *,
    hn_id: Any,
    api: str,
    item_type: str,
    title: Any,
    link: Any,
    text: Any,
    author: Any,
    unix_time: Any,
    iso_time: Any,
    points: Any,
    comments: Any,
    extra: Mapping[str, JSONValue],
) -> RawItem | None:
    """The common mapping; None when the id is not a positive integer."""
    ident = _item_id(hn_id)
    if ident is None:
        return None
    discussion = discussion_url(ident)
    linked = _web_url(link)
    name = fields.nonblank(author)
    return RawItem(
        guid=discussion,
        url=discussion,
        title=fields.nonblank(title),
        summary=fields.nonblank(text),
        content=None,
        authors=(name.strip(),) if name else (),
        published=_from_unix(unix_time) or _from_iso(iso_time),
        updated=None,
        lang=None,
        raw={
            "platform": "hackernews",
            "api": api,
            "hn_id": ident,
            "item_type": item_type,
            "engagement": {"points": _count(points), "comments": _count(comments)},
            "linked_url": linked,
            "discussion_url": discussion,
            **extra,
        },
    )


# --- helpers ----------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _item_id(value: Any) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if _is_int(value) and value > 0 else None


def _count(value: Any) -> int | None:
    return value if _is_int(value) and value >= 0 else None


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())[:200]


def _web_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host (HN stores ``""`` for
    text posts and jobs without a link)."""
    link = fields.nonblank(value)
    if link is None:
        return None
    link = link.strip()
    parts = urlsplit(link)
    return link if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _from_unix(value: Any) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError):
        return None
