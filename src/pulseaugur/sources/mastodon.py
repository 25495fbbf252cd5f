"""Mastodon REST API documents → ``RawItem`` records.

:func:`parse` reads what the statuses endpoints of the Mastodon API v1 answer: a JSON
list of Status entities (account statuses, the public, hashtag and list timelines,
trending statuses, bookmarks) or one Status (``/api/v1/statuses/:id``). Anything else
— an error object, an account, an instance, a status context, search results, trending
links — raises ``ParseError`` naming the URL and what the document was instead. An
empty list is an empty timeline, not an error. Statuses whose ``visibility`` is neither
``public`` nor ``unlisted`` (followers-only posts, direct messages: a request with a
token can see them) are dropped, since PulseAugur republishes what it reads.

Each status becomes one ``RawItem``:

* ``guid`` is the status ``uri`` (its ActivityPub id, the same on every server), else
  its ``url``; ``url`` is the status's web page (``url``, else ``uri``);
* ``title`` is the start of the post's text (HTML → plain text, at most
  ``TITLE_CHARS`` characters, ``…`` when cut; the ``quote-inline`` fallback that
  Mastodon appends to quote posts is left out); ``content`` is the content HTML as the
  server sent it (``summary`` stays None: a post has no separate teaser);
* ``authors`` is ``("@user@host",)``: the account's ``acct``, qualified with the host of
  the account's URL when the server gave a local ``acct`` without a domain;
* ``published`` is ``created_at``, ``updated`` is ``edited_at`` (UTC); ``lang`` is the
  status ``language`` as the author's client declared it;
* a reblog (boost) is mapped from the reblogged status — its text, author, URL and
  counts — and ``raw["reblogged_by"]`` names the account that boosted it.

``raw`` is JSON-safe: ``platform`` (``"mastodon"``), ``id``, ``uri``, ``author_handle``,
``author_display_name``, ``engagement`` (``replies``, ``reblogs``, ``favourites``,
``quotes``: ints, None when the server did not say), ``linked_url`` (the preview card's
URL, else the first link in the content that is not a mention, a hashtag or the quoted
post; None when the post links nothing), ``card``, ``tags``, ``spoiler_text``,
``sensitive``, ``visibility``, ``in_reply_to_id``, ``media_count``, ``quoted_url``,
``reblogged_by`` and ``reblog_uri``.

The URL builders make the addresses an operator configures; poll them with
``HttpClient.fetch`` and hand the body to :func:`parse`. Everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote, urlencode, urlsplit

from selectolax.lexbor import LexborHTMLParser

from pulseaugur.errors import ParseError
from pulseaugur.normalize.text import excerpt, html_to_text
from pulseaugur.sources import fields
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.types import JSONValue, RawItem

__all__ = [
    "MAX_LIMIT",
    "TITLE_CHARS",
    "account_lookup_url",
    "account_statuses_url",
    "hashtag_timeline_url",
    "parse",
    "public_timeline_url",
    "rss_fallback_url",
    "trending_statuses_url",
]

TITLE_CHARS: Final = 140
"""Length limit of a title made from a post's text."""

MAX_LIMIT: Final = 40
"""The most statuses Mastodon returns per request on the timeline endpoints."""

_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def parse(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a Mastodon API answer: a list of statuses or one status.

    ``url`` names the document in errors and resolves relative links; ``content_type``
    only sharpens the error for a body that is not JSON. Entries of a list that are not
    statuses are skipped, but a non-empty list without any status is a ``ParseError``,
    as is every document that is not statuses (never another exception). Non-public
    statuses are dropped silently (see the module docstring).
    """
    doc = fields.load_json(content, url=url, content_type=content_type, what="Mastodon statuses")
    if isinstance(doc, list):
        statuses = [entry for entry in doc if _is_status(entry)]
        if doc and not statuses:
            raise ParseError(url, f"not Mastodon statuses: a JSON list of {_describe(doc[0])}")
    elif isinstance(doc, dict):
        if not _is_status(doc):
            raise ParseError(url, _not_a_status(doc))
        statuses = [doc]
    else:
        raise ParseError(url, f"not Mastodon statuses: a JSON {type(doc).__name__}")
    items = tuple(_raw_item(s, url) for s in statuses if _is_public(s))
    return ParsedFeed(title=None, link=None, lang=None, items=items)


# --- URL builders ---------------------------------------------------------------------


def account_statuses_url(
    instance: str,
    account_id: str,
    *,
    limit: int = MAX_LIMIT,
    exclude_replies: bool = True,
    exclude_reblogs: bool = False,
) -> str:
    """``GET /api/v1/accounts/:id/statuses`` — one account's posts, newest first.

    ``instance`` is a host name (``mastodon.social``) or its base URL; ``account_id``
    is the account's id *on that instance* (``account_lookup_url`` finds it from the
    handle). Public accounts need no token. Raises ``ValueError`` for a bad argument.
    """
    if not _ID.match(account_id):
        raise ValueError(f"not a Mastodon account id: {account_id!r}")
    params: dict[str, str] = {"limit": str(_limit(limit))}
    if exclude_replies:
        params["exclude_replies"] = "true"
    if exclude_reblogs:
        params["exclude_reblogs"] = "true"
    return f"{_base(instance)}/api/v1/accounts/{account_id}/statuses?{urlencode(params)}"


def hashtag_timeline_url(
    instance: str, tag: str, *, limit: int = MAX_LIMIT, local: bool = False
) -> str:
    """``GET /api/v1/timelines/tag/:tag`` — public posts with a hashtag (``#`` optional)
    that the instance knows of; ``local`` keeps the instance's own posts only."""
    name = tag.strip().removeprefix("#")
    if not name or any(c.isspace() or c in "/?#&" for c in name):
        raise ValueError(f"not a hashtag: {tag!r}")
    params = {"limit": str(_limit(limit))}
    if local:
        params["local"] = "true"
    return f"{_base(instance)}/api/v1/timelines/tag/{quote(name, safe='')}?{urlencode(params)}"


def rss_fallback_url(api_url: str) -> str | None:
    """The RSS feed Mastodon publishes for the same timeline as ``api_url``
    (``/tags/<tag>.rss`` for a hashtag timeline), for an instance whose REST API refuses
    anonymous reads; None when there is none. (An account's RSS, ``/@<name>.rss``, needs
    the user name, which the API's statuses URL does not carry: configure it as the
    source's URL instead — a ``mastodon`` source reads RSS as well as JSON.)"""
    parts = urlsplit(api_url)
    tag = re.fullmatch(r"/api/v1/timelines/tag/([^/]+)", parts.path)
    if tag is None:
        return None
    return f"{parts.scheme}://{parts.netloc}/tags/{tag.group(1)}.rss"


def public_timeline_url(instance: str, *, limit: int = MAX_LIMIT, local: bool = False) -> str:
    """``GET /api/v1/timelines/public`` — the federated (or, with ``local``, the
    instance's own) public timeline. Many instances require a token for it."""
    params = {"limit": str(_limit(limit))}
    if local:
        params["local"] = "true"
    return f"{_base(instance)}/api/v1/timelines/public?{urlencode(params)}"


def trending_statuses_url(instance: str, *, limit: int = 20) -> str:
    """``GET /api/v1/trends/statuses`` — the posts trending on the instance."""
    return f"{_base(instance)}/api/v1/trends/statuses?{urlencode({'limit': _limit(limit)})}"


def account_lookup_url(instance: str, acct: str) -> str:
    """``GET /api/v1/accounts/lookup?acct=`` — the Account (not statuses: ``parse``
    refuses it) whose ``id`` ``account_statuses_url`` needs. ``acct`` is ``user`` or
    ``user@domain``, a leading ``@`` allowed."""
    handle = acct.strip().removeprefix("@")
    if not handle or any(c.isspace() or c in "/?#&" for c in handle):
        raise ValueError(f"not a Mastodon handle: {acct!r}")
    return f"{_base(instance)}/api/v1/accounts/lookup?{urlencode({'acct': handle})}"


def _base(instance: str) -> str:
    """``https://host`` from ``host`` or a base URL (http is kept for local servers)."""
    text = instance.strip().rstrip("/")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ValueError(f"not a Mastodon instance (a host name or base URL): {instance!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


# --- documents ------------------------------------------------------------------------


def _is_status(node: Any) -> bool:
    """A Status entity: an id, an account, a creation date and a uri or url."""
    return (
        isinstance(node, dict)
        and isinstance(node.get("id"), str)
        and isinstance(node.get("account"), dict)
        and "created_at" in node
        and bool(fields.nonblank(node.get("uri")) or fields.nonblank(node.get("url")))
    )


def _is_public(status: Mapping[str, Any]) -> bool:
    """Public or unlisted (or a server that does not say): followers-only, direct and
    local-only posts are not ours to republish."""
    return status.get("visibility") in (None, "public", "unlisted")


def _not_a_status(doc: Mapping[str, Any]) -> str:
    error = doc.get("error")
    if isinstance(error, str):
        detail = doc.get("error_description")
        said = f"{error} ({detail})" if isinstance(detail, str) and detail else error
        return "the Mastodon API answered with an error: " + " ".join(said.split())[:200]
    if "ancestors" in doc or "descendants" in doc:
        return "not Mastodon statuses: a status context (ancestors/descendants), not a timeline"
    if "statuses" in doc and "accounts" in doc:
        return "not Mastodon statuses: search results, not a timeline"
    return f"not Mastodon statuses: {_describe(doc)}"


def _describe(node: Any) -> str:
    """What a JSON value that is not a status looks like, for an error message."""
    if not isinstance(node, dict):
        return f"{type(node).__name__} values"
    if not node:
        return "empty JSON objects ({})"
    if "acct" in node and "username" in node:
        return "accounts"
    if "name" in node and "history" in node:
        return "hashtags"
    if "url" in node and "title" in node and "type" in node:
        return "preview cards (trending links)"
    if "options" in node and "expires_at" in node:
        return "polls"
    if ("domain" in node or "uri" in node) and "version" in node:
        return "instance information"
    keys = ", ".join(str(k) for k in list(node)[:8])
    return f"JSON objects without id/account/created_at/uri (keys: {keys})"[:240]


def _raw_item(status: Mapping[str, Any], base: str) -> RawItem:
    reblog = status.get("reblog")
    post: Mapping[str, Any] = reblog if isinstance(reblog, dict) and _is_status(reblog) else status
    account: Mapping[str, Any] = post["account"]
    handle = _handle(account)
    html = fields.nonblank(post.get("content"))
    if html is not None:
        text, first_link = _read_content(html, base)
    else:  # a deleted status comes back with its source text only
        text, first_link = " ".join((fields.nonblank(post.get("text")) or "").split()), None
    card = post.get("card") if isinstance(post.get("card"), dict) else None
    card_url = fields.link(card.get("url"), base) if card else None
    raw: dict[str, JSONValue] = {
        "platform": "mastodon",
        "id": post.get("id"),
        "uri": fields.nonblank(post.get("uri")),
        "author_handle": handle,
        "author_display_name": fields.nonblank(account.get("display_name")),
        "engagement": {
            "replies": fields.count(post.get("replies_count")),
            "reblogs": fields.count(post.get("reblogs_count")),
            "favourites": fields.count(post.get("favourites_count")),
            "quotes": fields.count(post.get("quotes_count")),
        },
        "linked_url": card_url or first_link,
        "card": _card(card, card_url),
        "tags": _tags(post.get("tags")),
        "spoiler_text": fields.nonblank(post.get("spoiler_text")),
        "sensitive": post.get("sensitive") is True,
        "visibility": fields.nonblank(post.get("visibility")),
        "in_reply_to_id": fields.nonblank(post.get("in_reply_to_id")),
        "media_count": len(m) if isinstance(m := post.get("media_attachments"), list) else 0,
        "quoted_url": _quoted_url(post.get("quote"), base),
        "reblogged_by": _handle(status["account"]) if post is not status else None,
        "reblog_uri": fields.nonblank(status.get("uri")) if post is not status else None,
    }
    return RawItem(
        guid=fields.nonblank(post.get("uri")) or fields.nonblank(post.get("url")),
        url=fields.link(post.get("url"), base) or fields.link(post.get("uri"), base),
        title=excerpt(text, TITLE_CHARS) if text else None,
        summary=None,
        content=html or text or None,
        authors=(handle,) if handle else (),
        published=fields.parse_iso_date(post.get("created_at")),
        updated=fields.parse_iso_date(post.get("edited_at")),
        lang=fields.normalize_lang(post.get("language")),
        raw=raw,
    )


def _read_content(html: str, base: str) -> tuple[str, str | None]:
    """The plain text of a status's content HTML (without the ``quote-inline`` fallback)
    and its first link that is not a mention or hashtag."""
    tree = LexborHTMLParser(html)
    for node in tree.css(".quote-inline"):
        node.decompose()
    first_link = None
    for anchor in tree.css("a[href]"):
        classes = (anchor.attributes.get("class") or "").split()
        rels = (anchor.attributes.get("rel") or "").split()
        if "mention" in classes or "hashtag" in classes or "tag" in rels:
            continue
        if link := fields.link(anchor.attributes.get("href"), base):
            first_link = link
            break
    body = tree.body
    inner = body.inner_html if body is not None else None
    return html_to_text(inner if isinstance(inner, str) else html), first_link


def _handle(account: Mapping[str, Any]) -> str | None:
    """``@user@host``: ``acct``, with the host of the account URL for a local account."""
    acct = fields.nonblank(account.get("acct")) or fields.nonblank(account.get("username"))
    if acct is None:
        return None
    acct = acct.strip().removeprefix("@")
    if "@" not in acct:
        profile = fields.link(account.get("url"), "")
        host = urlsplit(profile).netloc if profile else ""
        if host:
            acct = f"{acct}@{host}"
    return "@" + acct


def _tags(tags: Any) -> list[JSONValue]:
    if not isinstance(tags, list):
        return []
    return [t["name"] for t in tags if isinstance(t, dict) and fields.nonblank(t.get("name"))]


def _card(card: Mapping[str, Any] | None, card_url: str | None) -> dict[str, JSONValue] | None:
    if card is None or card_url is None:
        return None
    return {
        "url": card_url,
        "title": fields.nonblank(card.get("title")),
        "description": fields.nonblank(card.get("description")),
        "provider_name": fields.nonblank(card.get("provider_name")),
        "type": fields.nonblank(card.get("type")),
    }


def _quoted_url(quote_node: Any, base: str) -> str | None:
    """The URL of the post a quote post quotes (Mastodon 4.4+), when the server sent it."""
    if not isinstance(quote_node, dict):
        return None
    quoted = quote_node.get("quoted_status")
    if not isinstance(quoted, dict):
        return None
    return fields.link(quoted.get("url"), base) or fields.link(quoted.get("uri"), base)
