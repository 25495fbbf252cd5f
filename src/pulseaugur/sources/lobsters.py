"""Lobsters JSON → ``RawItem`` records.

lobste.rs serves every story listing as JSON by adding ``.json`` to its path:
``/hottest.json``, ``/newest.json``, ``/t/<tag>.json`` (``/t/ai,ml.json`` for several
tags). Each is a JSON list of stories::

    {"short_id": "x1y2z3", "short_id_url": "https://lobste.rs/s/x1y2z3",
     "created_at": "2025-08-07T09:14:03.000-05:00", "title": "...",
     "url": "https://example.org/article",     # "" for a text post
     "score": 27, "flags": 0, "comment_count": 9,
     "description": "<p>HTML</p>", "description_plain": "markdown",
     "comments_url": "https://lobste.rs/s/x1y2z3/slug",
     "submitter_user": "alice",                # older servers: {"username": "alice", ...}
     "user_is_author": false, "tags": ["ai", "ml"]}

:func:`parse` reads such a list, or one story (``/s/<short_id>.json``). Each story
becomes one ``RawItem``: ``guid`` is ``short_id_url`` (else ``comments_url``); ``url``
is the discussion page (the story's article is ``linked_url``, so the story joins
that article's event as a reaction rather than being taken for a copy of it);
``title`` the story title; ``summary`` the description HTML (None when empty);
``authors`` ``(submitter,)``; ``published`` ``created_at`` in UTC. ``lang`` is None:
Lobsters does not say.

``raw`` is JSON-safe: ``platform`` (``"lobsters"``), ``short_id``, ``engagement``
(``score``, ``comments``, ``flags``: ints, None when absent), ``linked_url`` (the
article; None for a text post), ``tags``, ``comments_url``, ``user_is_author``.

A document that is not a story list (an error object, an HTML page, anything else)
raises ``ParseError`` naming the URL. Everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote, urlsplit

from pulseaugur.errors import ParseError
from pulseaugur.sources import fields
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.types import JSONValue, RawItem

__all__ = ["BASE_URL", "hottest_url", "newest_url", "parse", "tag_url"]

BASE_URL: Final = "https://lobste.rs"

_TAG: Final = re.compile(r"^[A-Za-z0-9_.+-]{1,64}$")


def hottest_url(base: str = BASE_URL) -> str:
    """The front page, ranked by Lobsters' hotness: ``<base>/hottest.json``."""
    return f"{_base(base)}/hottest.json"


def newest_url(base: str = BASE_URL) -> str:
    """Every new story, newest first: ``<base>/newest.json``."""
    return f"{_base(base)}/newest.json"


def tag_url(tags: str | Sequence[str], base: str = BASE_URL) -> str:
    """The stories with a tag (``"ai"``) or any of several (``["ai", "ml"]``):
    ``<base>/t/ai,ml.json``. Raises ``ValueError`` for an empty or malformed tag."""
    names = [tags] if isinstance(tags, str) else list(tags)
    if not names or not all(isinstance(n, str) and _TAG.match(n.strip()) for n in names):
        raise ValueError(f"not Lobsters tags: {tags!r}")
    joined = ",".join(quote(n.strip(), safe="+") for n in names)
    return f"{_base(base)}/t/{joined}.json"


def _base(base: str) -> str:
    parts = urlsplit(base.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"not a Lobsters base URL: {base!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def parse(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a Lobsters story list (or one story).

    ``url`` names the document in errors and resolves relative links; ``content_type``
    only sharpens the error for a body that is not JSON. Entries that are not stories
    are skipped, but a non-empty list without any story is a ``ParseError``, as is any
    other document (never another exception)."""
    doc = fields.load_json(content, url=url, content_type=content_type, what="Lobsters stories")
    if isinstance(doc, list):
        stories = [entry for entry in doc if _is_story(entry)]
        if doc and not stories:
            raise ParseError(url, "not Lobsters stories: a JSON list without short_id/title")
    elif isinstance(doc, dict) and _is_story(doc):
        stories = [doc]
    elif isinstance(doc, dict) and isinstance(doc.get("error"), str):
        said = " ".join(doc["error"].split())[:200]
        raise ParseError(url, f"Lobsters answered with an error: {said}")
    else:
        raise ParseError(url, f"not Lobsters stories: a JSON {type(doc).__name__}")
    return ParsedFeed(
        title=None, link=None, lang=None, items=tuple(_raw_item(s, url) for s in stories)
    )


def _is_story(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and isinstance(node.get("short_id"), str)
        and bool(node["short_id"].strip())
        and isinstance(node.get("title"), str)
    )


def _raw_item(story: Mapping[str, Any], base: str) -> RawItem:
    short_id = story["short_id"].strip()
    comments_url = fields.link(story.get("comments_url"), base)
    permalink = fields.link(story.get("short_id_url"), base)
    if permalink is None and comments_url is None:
        permalink = fields.link(f"/s/{quote(short_id, safe='')}", base)
    linked = fields.link(story.get("url"), base)
    raw: dict[str, JSONValue] = {
        "platform": "lobsters",
        "short_id": short_id,
        "engagement": {
            "score": fields.count(story.get("score")),
            "comments": fields.count(story.get("comment_count")),
            "flags": fields.count(story.get("flags")),
        },
        "linked_url": linked,
        "tags": _tags(story.get("tags")),
        "comments_url": comments_url,
        "user_is_author": story.get("user_is_author") is True,
    }
    submitter = _submitter(story.get("submitter_user"))
    return RawItem(
        guid=permalink or comments_url,
        url=comments_url or permalink,
        title=fields.text(story.get("title")),
        summary=fields.text(story.get("description")),
        content=None,
        authors=(submitter,) if submitter else (),
        published=fields.parse_iso_date(story.get("created_at")),
        updated=None,
        lang=None,
        raw=raw,
    )


def _submitter(user: Any) -> str | None:
    """The submitter's username: a string (current API) or an object's ``username``."""
    if isinstance(user, dict):
        user = user.get("username")
    return fields.text(user)


def _tags(tags: Any) -> list[JSONValue]:
    if not isinstance(tags, list):
        return []
    return [t.strip() for t in tags if isinstance(t, str) and t.strip()]
