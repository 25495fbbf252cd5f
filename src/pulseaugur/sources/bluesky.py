"""Bluesky (AT Protocol AppView) documents → ``RawItem`` records.

:func:`parse` reads the wire JSON (camelCase, ``$type``) of these XRPC answers:

* ``app.bsky.feed.getAuthorFeed`` / ``getFeed`` / ``getListFeed`` →
  ``{"feed": [{"post": PostView, "reason"?: ...}], "cursor"?}``;
* ``app.bsky.feed.searchPosts`` / ``getPosts`` → ``{"posts": [PostView, ...]}``;
* ``app.bsky.feed.getPostThread`` → ``{"thread": {"post": PostView, ...}}`` (the
  thread's own post only; replies and parents are other people's posts);
* ``com.atproto.repo.getRecord`` / ``listRecords`` of ``app.bsky.feed.post`` records
  (no author view and no counts: the author is known only by the URI's DID or handle).

An XRPC error object (``{"error": ..., "message": ...}``), any other document, and the
Python SDK's model dumps (snake_case fields, ``py_type``: not what a server sends) raise
``ParseError``. Entries that are not valid posts (no valid ``at://`` URI, no record) are
skipped.

Each post becomes one ``RawItem``: ``guid`` is the post's ``at://`` URI; ``url`` its
bsky.app page (``/profile/<handle or DID>/post/<rkey>``); ``title`` the start of the
record text (at most ``TITLE_CHARS`` characters, None for a post without text);
``content`` the record text (plain text, as posted); ``authors`` ``(handle,)``;
``published`` the record's ``createdAt``, else the AppView's ``indexedAt`` (UTC);
``lang`` the first of the record's ``langs``. A repost in an author feed is the reposted
post (its author, text and counts) with ``raw["reposted_by"]`` set.

``raw`` is JSON-safe: ``platform`` (``"bluesky"``), ``uri``, ``cid``, ``did``,
``author_handle``, ``author_display_name``, ``engagement`` (``replies``, ``reposts``,
``likes``, ``quotes``: ints, None when not given), ``linked_url`` (the link card's URI —
Tenor GIF cards excepted — else the first link facet; None when the post links
nothing; a quoted post is ``quoted_uri``, not a link), ``tags``,
``created_at``, ``indexed_at``, ``reply_parent``, ``quoted_uri``, ``reposted_by``.

The identifier checks follow the AT Protocol syntax specs (handle, DID, NSID, record
key, AT URI) and are tested against the protocol's interop lists. Everything is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final
from urllib.parse import quote, urlencode, urlsplit

from pulseaugur.errors import ParseError
from pulseaugur.normalize.text import excerpt
from pulseaugur.sources import fields
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.types import JSONValue, RawItem

__all__ = [
    "APPVIEW",
    "AUTHOR_FEED_FILTERS",
    "TITLE_CHARS",
    "author_feed_url",
    "custom_feed_url",
    "is_valid_at_identifier",
    "is_valid_at_uri",
    "is_valid_did",
    "is_valid_handle",
    "is_valid_nsid",
    "is_valid_record_key",
    "parse",
    "parse_datetime",
    "post_thread_url",
    "post_web_url",
    "search_url",
]

APPVIEW: Final = "https://public.api.bsky.app"
"""Bluesky's public, unauthenticated AppView."""

TITLE_CHARS: Final = 140
"""Length limit of a title made from a post's text."""

AUTHOR_FEED_FILTERS: Final = (
    "posts_with_replies",
    "posts_no_replies",
    "posts_with_media",
    "posts_and_author_threads",
)
POST_COLLECTION: Final = "app.bsky.feed.post"

# --- identifier syntax (https://atproto.com/specs/...) --------------------------------

_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_NSID = re.compile(
    r"^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+"
    r"\.[a-zA-Z][a-zA-Z0-9]{0,62}$"
)
_RECORD_KEY = re.compile(r"^[a-zA-Z0-9_~.:-]{1,512}$")
_AT_URI = re.compile(r"^at://([^/?#]+)(?:/([^/?#]+)(?:/([^/?#]+))?)?$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$"
)


def is_valid_handle(value: str) -> bool:
    """A syntactically valid handle (a DNS name of 2+ labels, at most 253 characters,
    whose last label starts with a letter)."""
    return len(value) <= 253 and _HANDLE.match(value) is not None


def is_valid_did(value: str) -> bool:
    """A syntactically valid DID (``did:method:id``, lower-case method, at most 2 KiB)."""
    return len(value) <= 2048 and _DID.match(value) is not None


def is_valid_at_identifier(value: str) -> bool:
    """A handle or a DID: what an ``actor`` parameter accepts."""
    return is_valid_did(value) if value.startswith("did:") else is_valid_handle(value)


def is_valid_nsid(value: str) -> bool:
    """A valid NSID (``com.example.fooBar``): a reversed domain of 2+ labels and a name,
    at most 317 characters in all."""
    return len(value) <= 317 and _NSID.match(value) is not None


def is_valid_record_key(value: str) -> bool:
    """A valid record key: 1-512 of ``A-Za-z0-9 . - _ : ~``, but not ``.`` or ``..``."""
    return value not in (".", "..") and _RECORD_KEY.match(value) is not None


def is_valid_at_uri(value: str) -> bool:
    """A valid ``at://authority[/collection[/rkey]]`` URI as Lexicon fields use them:
    the authority a handle or DID, the collection an NSID, the rkey a record key; at
    most 8 KiB; no query, fragment or trailing slash."""
    match = _AT_URI.match(value) if len(value) <= 8192 else None
    if match is None:
        return False
    authority, collection, rkey = match.groups()
    return (
        is_valid_at_identifier(authority)
        and (collection is None or is_valid_nsid(collection))
        and (rkey is None or is_valid_record_key(rkey))
    )


def parse_datetime(value: Any) -> datetime | None:
    """An AT Protocol datetime (RFC 3339 / ISO 8601 intersection) as aware UTC.

    Accepts every form the spec allows (``Z`` or ``±hh:mm``, any fraction length) and,
    leniently, a missing zone (taken as UTC, as some clients write). Returns None for
    anything else and for impossible dates (month 0, second 61)."""
    match = _DATETIME.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, frac, _zulu, sign, tz_h, tz_m = match.groups()
    zone = UTC
    if sign:
        offset = timedelta(hours=int(tz_h), minutes=int(tz_m))
        zone = timezone(-offset if sign == "-" else offset)
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, zone
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


# --- URL builders ---------------------------------------------------------------------


def author_feed_url(
    actor: str,
    appview: str = APPVIEW,
    *,
    limit: int = 50,
    filter: str = "posts_no_replies",  # the XRPC parameter's name
) -> str:
    """``app.bsky.feed.getAuthorFeed`` — an account's posts and reposts, newest first.

    ``actor`` is a handle (``bsky.app``, a leading ``@`` allowed) or a DID; ``filter``
    is one of ``AUTHOR_FEED_FILTERS``; ``limit`` 1-100. No authentication needed.
    Raises ``ValueError`` for a bad argument."""
    if filter not in AUTHOR_FEED_FILTERS:
        raise ValueError(f"filter must be one of {', '.join(AUTHOR_FEED_FILTERS)}: {filter!r}")
    params: dict[str, str | int] = {
        "actor": _actor(actor),
        "limit": _limit(limit),
        "filter": filter,
    }
    return _xrpc(appview, "app.bsky.feed.getAuthorFeed", params)


def search_url(
    query: str,
    appview: str = APPVIEW,
    *,
    sort: str = "latest",
    limit: int = 25,
    lang: str | None = None,
) -> str:
    """``app.bsky.feed.searchPosts`` — posts matching ``query`` (``sort`` ``latest`` or
    ``top``; ``lang`` an ISO 639-1 filter; ``limit`` 1-100).

    Bluesky's public AppView often refuses unauthenticated search with HTTP 403 (to
    shed bot load); author feeds and custom feeds are the reliable things to poll."""
    if not query.strip():
        raise ValueError("search query is empty")
    if sort not in ("latest", "top"):
        raise ValueError(f"sort must be 'latest' or 'top': {sort!r}")
    params: dict[str, str | int] = {"q": query.strip(), "sort": sort, "limit": _limit(limit)}
    if lang is not None:
        if not re.fullmatch(r"[a-z]{2,3}", lang):
            raise ValueError(f"not a language code: {lang!r}")
        params["lang"] = lang
    return _xrpc(appview, "app.bsky.feed.searchPosts", params)


def custom_feed_url(feed_uri: str, appview: str = APPVIEW, *, limit: int = 50) -> str:
    """``app.bsky.feed.getFeed`` — a custom feed, named by its generator's AT URI
    (``at://did:.../app.bsky.feed.generator/<rkey>``)."""
    if not (is_valid_at_uri(feed_uri) and "/app.bsky.feed.generator/" in feed_uri):
        raise ValueError(f"not a feed generator AT URI: {feed_uri!r}")
    return _xrpc(appview, "app.bsky.feed.getFeed", {"feed": feed_uri, "limit": _limit(limit)})


def post_thread_url(uri: str, appview: str = APPVIEW, *, depth: int = 0) -> str:
    """``app.bsky.feed.getPostThread`` for one post's ``at://`` URI (``depth`` levels of
    replies; ``parse`` reads the post itself)."""
    if not (is_valid_at_uri(uri) and f"/{POST_COLLECTION}/" in uri):
        raise ValueError(f"not a post AT URI: {uri!r}")
    if not 0 <= depth <= 1000:
        raise ValueError(f"depth must be between 0 and 1000, got {depth}")
    return _xrpc(appview, "app.bsky.feed.getPostThread", {"uri": uri, "depth": depth})


def post_web_url(actor: str, rkey: str) -> str:
    """The bsky.app page of a post: ``https://bsky.app/profile/<actor>/post/<rkey>``."""
    if not is_valid_record_key(rkey):
        raise ValueError(f"not a record key: {rkey!r}")
    return f"https://bsky.app/profile/{quote(_actor(actor), safe=':')}/post/{rkey}"


def _actor(actor: str) -> str:
    value = actor.strip().removeprefix("@")
    if not is_valid_at_identifier(value):
        raise ValueError(f"not a Bluesky handle or DID: {actor!r}")
    return value.lower() if not value.startswith("did:") else value


def _limit(limit: int) -> int:
    if not 1 <= limit <= 100:
        raise ValueError(f"limit must be between 1 and 100, got {limit}")
    return limit


def _xrpc(appview: str, method: str, params: Mapping[str, str | int]) -> str:
    parts = urlsplit(appview.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"not an AppView base URL: {appview!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path}/xrpc/{method}?{urlencode(params)}"


# --- documents ------------------------------------------------------------------------


def parse(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one AppView (or repo) answer into posts; see the module docstring.

    ``url`` names the document in errors; ``content_type`` only sharpens the error for
    a body that is not JSON. Raises ``ParseError`` for anything that is not one of the
    shapes read here (never another exception)."""
    doc = fields.load_json(content, url=url, content_type=content_type, what="a Bluesky response")
    if not isinstance(doc, dict):
        raise ParseError(url, f"not a Bluesky response: a JSON {type(doc).__name__}")
    error = doc.get("error")
    if isinstance(error, str):
        message = doc.get("message")
        said = f"{error}: {message}" if isinstance(message, str) and message else error
        raise ParseError(url, "the XRPC server answered with an error: " + _line(said))
    if _is_sdk_dump(doc):
        raise ParseError(
            url, "a Python SDK model dump (snake_case fields, py_type), not AppView JSON"
        )
    items: list[RawItem | None]
    if isinstance(doc.get("feed"), list):
        items = [
            _post_item(entry.get("post"), entry.get("reason"), url)
            for entry in doc["feed"]
            if isinstance(entry, dict)
        ]
    elif isinstance(doc.get("posts"), list):
        items = [_post_item(view, None, url) for view in doc["posts"]]
    elif isinstance(doc.get("thread"), dict):
        thread = doc["thread"]
        if not isinstance(thread.get("post"), dict):
            kind = thread.get("$type") if isinstance(thread.get("$type"), str) else "no post"
            raise ParseError(url, f"the thread's post is not available ({_line(kind)})")
        items = [_post_item(thread["post"], None, url)]
    elif isinstance(doc.get("records"), list):
        items = [_record_item(entry, url) for entry in doc["records"]]
    elif "uri" in doc and isinstance(doc.get("value"), dict):
        kind = doc["value"].get("$type")
        if kind != POST_COLLECTION:
            raise ParseError(url, f"a record of type {_line(str(kind))}, not a Bluesky post")
        items = [_record_item(doc, url)]
    else:
        keys = ", ".join(str(k) for k in list(doc)[:8]) or "none"
        raise ParseError(
            url, _line(f"not a Bluesky feed, search result, thread or post record (keys: {keys})")
        )
    return ParsedFeed(
        title=None, link=None, lang=None, items=tuple(i for i in items if i is not None)
    )


def _line(text: str) -> str:
    return " ".join(text.split())[:200]


def _is_sdk_dump(doc: Mapping[str, Any]) -> bool:
    nodes: list[Any] = [doc]
    for key in ("feed", "posts"):
        if isinstance(doc.get(key), list) and doc[key]:
            first = doc[key][0]
            nodes += [first, first.get("post") if isinstance(first, dict) else None]
    return any(isinstance(node, dict) and "py_type" in node for node in nodes)


def _post_item(view: Any, reason: Any, base: str) -> RawItem | None:
    """One PostView as a RawItem; None when it is not a readable post."""
    if not isinstance(view, dict) or not isinstance(view.get("record"), dict):
        return None
    author = _dict(view.get("author"))
    reposted_by = None
    if isinstance(reason, dict) and str(reason.get("$type", "")).endswith("#reasonRepost"):
        by = _dict(reason.get("by"))
        reposted_by = _str(by.get("handle")) or _str(by.get("did"))
    extra: dict[str, JSONValue] = {
        "cid": _str(view.get("cid")),
        "author_display_name": _str(author.get("displayName")),
        "engagement": {
            "replies": fields.count(view.get("replyCount")),
            "reposts": fields.count(view.get("repostCount")),
            "likes": fields.count(view.get("likeCount")),
            "quotes": fields.count(view.get("quoteCount")),
        },
        "indexed_at": _str(view.get("indexedAt")),
        "reposted_by": reposted_by,
    }
    return _item(
        view["record"],
        _str(view.get("uri")),
        did=_str(author.get("did")),
        handle=_str(author.get("handle")),
        embed_view=view.get("embed"),
        fallback_date=view.get("indexedAt"),
        extra=extra,
        base=base,
    )


def _record_item(entry: Any, base: str) -> RawItem | None:
    """A repo record (``{"uri", "cid", "value"}``) of a post; its author is known only
    by the URI's authority (a DID, or a handle)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("value"), dict):
        return None
    if entry["value"].get("$type") != POST_COLLECTION:
        return None
    uri = _str(entry.get("uri"))
    match = _AT_URI.match(uri) if uri else None
    authority = match.group(1) if match else ""
    is_did = authority.startswith("did:")
    return _item(
        entry["value"],
        uri,
        did=authority if is_did else None,
        handle=None if is_did else authority,
        embed_view=None,
        fallback_date=None,
        extra={"cid": _str(entry.get("cid"))},
        base=base,
    )


def _item(
    record: Mapping[str, Any],
    uri: str | None,
    *,
    did: str | None,
    handle: str | None,
    embed_view: Any,
    fallback_date: Any,
    extra: Mapping[str, JSONValue],
    base: str,
) -> RawItem | None:
    """The RawItem of a post record at ``uri``; None unless ``uri`` is a valid post URI."""
    match = _AT_URI.match(uri) if uri is not None and is_valid_at_uri(uri) else None
    if match is None or match.group(2) != POST_COLLECTION or match.group(3) is None:
        return None
    rkey = match.group(3)
    if handle is not None and (handle == "handle.invalid" or not is_valid_handle(handle)):
        handle = None
    if did is not None and not is_valid_did(did):
        did = None
    text = _str(record.get("text"))
    text = text if text and text.strip() else None
    langs = record.get("langs")
    facets = _list(record.get("facets"))
    raw: dict[str, JSONValue] = {
        "platform": "bluesky",
        "uri": uri,
        "did": did,
        "author_handle": handle,
        "linked_url": (
            _external_uri(embed_view, base)
            or _external_uri(record.get("embed"), base)
            or _facet_link(facets, base)
        ),
        "tags": _tags(record, facets),
        "created_at": _str(record.get("createdAt")),
        "reply_parent": _nested_str(record, "reply", "parent", "uri"),
        "quoted_uri": _quoted_uri(record.get("embed")),
        "reposted_by": None,
        **extra,
    }
    actor = handle or did
    return RawItem(
        guid=uri,
        url=post_web_url(actor, rkey) if actor else None,
        title=excerpt(text, TITLE_CHARS) if text else None,
        summary=None,
        content=text,
        authors=(handle,) if handle else (),
        published=parse_datetime(record.get("createdAt")) or parse_datetime(fallback_date),
        updated=None,
        lang=fields.normalize_lang(langs[0]) if isinstance(langs, list) and langs else None,
        raw=raw,
    )


def _external_uri(embed: Any, base: str) -> str | None:
    """The link card's URI of an embed (``external``, or ``media.external`` when a
    quote carries the card). GIFs from the app's picker (Tenor) are not articles."""
    media = embed.get("media") if isinstance(embed, dict) else None
    for node in (embed, media):
        external = node.get("external") if isinstance(node, dict) else None
        link = fields.link(external.get("uri"), base) if isinstance(external, dict) else None
        if link and urlsplit(link).hostname != "media.tenor.com":
            return link
    return None


def _facet_link(facets: list[Any], base: str) -> str | None:
    for facet in facets:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else []:
            if (
                isinstance(feature, dict)
                and str(feature.get("$type", "")).endswith("#link")
                and (link := fields.link(feature.get("uri"), base))
            ):
                return link
    return None


def _tags(record: Mapping[str, Any], facets: list[Any]) -> list[JSONValue]:
    tags: dict[str, None] = {}
    for facet in facets:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, dict) and (tag := _str(feature.get("tag"))):
                tags.setdefault(tag, None)
    extra = record.get("tags")
    for tag in extra if isinstance(extra, list) else []:
        if isinstance(tag, str) and tag.strip():
            tags.setdefault(tag, None)
    return list(tags)


def _quoted_uri(embed: Any) -> str | None:
    """The AT URI of a quoted record (``embed.record``, or ``embed.record.record`` in a
    ``recordWithMedia``)."""
    inner = embed.get("record") if isinstance(embed, dict) else None
    nested = inner.get("record") if isinstance(inner, dict) else None
    for node in (inner, nested):
        if isinstance(node, dict) and (uri := _str(node.get("uri"))):
            return uri
    return None


def _nested_str(node: Any, *path: str) -> str | None:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return _str(node)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
