"""Reddit JSON listings → ``RawItem`` records.

:func:`parse` reads a Reddit listing (``{"kind": "Listing", "data": {"children": […]}}``)
as served by ``…/r/<subreddit>/<sort>.json``, ``…/search.json``, ``…/domain/<host>/…``
and the front page (on www.reddit.com and oauth.reddit.com alike), and the JSON array of
listings a post's comment page returns. Posts (``t3`` children) become items; comments,
subreddits and ``more`` stubs are skipped. A Reddit error object (``{"error": 403,
"message": "Forbidden"}``) or any other JSON raises ``ParseError``.

Each post maps as:

* ``guid`` — the post's fullname, ``t3_<id>``;
* ``url`` — the post's Reddit page (the discussion; a link post's article is ``linked_url``,
  so the post joins that article's event as a reaction);
* ``title``; ``summary`` — ``selftext_html`` (else ``selftext``) of self posts, None
  for link posts; ``content`` None;
* ``authors`` — ``("u/<name>",)``, empty for deleted accounts;
* ``published`` — ``created_utc``; ``updated`` — the ``edited`` time when the post was
  edited; both UTC. ``lang`` None (Reddit declares none);
* ``raw`` — ``platform: "reddit"``, ``reddit_id``, ``subreddit``, ``engagement:
  {score, comments, upvote_ratio}`` (None where the listing lacks one: old listings
  have no ``upvote_ratio``), ``over_18``, ``stickied``, ``is_self``, ``linked_url``
  (None for self posts), ``discussion_url`` (the permalink, without query), ``domain``
  and ``flair``. NSFW and stickied (pinned) posts are kept and flagged here; filtering
  them is the caller's choice.

Reddit HTML-escapes ``&``, ``<`` and ``>`` in titles, URLs and HTML fields unless the
request asked for ``raw_json=1``. The URL builders always ask for it; for a document
fetched from a URL without it, ``parse`` undoes that escaping.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

from pulseaugur.errors import ParseError
from pulseaugur.sources import fields
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.types import RawItem

__all__ = ["REDDIT", "listing_url", "parse", "search_url"]

REDDIT: Final = "https://www.reddit.com"
Sort = Literal["hot", "new", "top", "rising", "controversial"]
TimeFilter = Literal["hour", "day", "week", "month", "year", "all"]
_SORTS: Final = frozenset({"hot", "new", "top", "rising", "controversial"})
_SEARCH_SORTS: Final = frozenset({"relevance", "hot", "top", "new", "comments"})
_TIME_FILTERS: Final = frozenset({"hour", "day", "week", "month", "year", "all"})
_SUBREDDIT: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}(?:\+[A-Za-z0-9][A-Za-z0-9_]{1,20})*")
_SUBREDDIT_PATH: Final = re.compile(r"^/r/([A-Za-z0-9_+]+)(?:/|$)")
_GONE_AUTHORS: Final = frozenset({"[deleted]", "[removed]"})
_MAX_LIMIT: Final = 100


# --- URL builders -----------------------------------------------------------------------


def listing_url(
    subreddit: str,
    sort: Sort = "hot",
    *,
    limit: int = 25,
    time_filter: TimeFilter | None = None,
) -> str:
    """The JSON listing of a subreddit: ``https://www.reddit.com/r/<sub>/<sort>.json``.

    ``subreddit`` is a name (``MachineLearning``; ``r/`` prefix allowed) or several
    joined by ``+`` (``LocalLLaMA+OpenAI``). ``sort`` is ``hot``, ``new`` (best for
    polling: nothing is missed between polls), ``top``, ``rising`` or ``controversial``;
    ``time_filter`` (``hour`` … ``all``) applies to ``top``/``controversial``. ``limit``
    is 1–100 posts. Always asks for ``raw_json=1`` (unescaped text). Raises
    ``ValueError`` for a bad name, sort, limit or time filter.
    """
    name = _subreddit(subreddit)
    if sort not in _SORTS:
        raise ValueError(f"sort must be one of {sorted(_SORTS)}")
    params: dict[str, str | int] = {"limit": _limit(limit), "raw_json": 1}
    if time_filter is not None:
        if sort not in ("top", "controversial") or time_filter not in _TIME_FILTERS:
            raise ValueError("time_filter (hour … all) applies to top and controversial only")
        params["t"] = time_filter
    return f"{REDDIT}/r/{name}/{sort}.json?{urlencode(params)}"


def search_url(
    query: str,
    *,
    subreddit: str | None = None,
    sort: Literal["relevance", "hot", "top", "new", "comments"] = "new",
    limit: int = 25,
    time_filter: TimeFilter | None = None,
) -> str:
    """The JSON search listing for ``query``, site-wide or within ``subreddit`` (then
    ``restrict_sr=1``); newest first by default. Same limits as :func:`listing_url`."""
    if not query.strip():
        raise ValueError("query must not be empty")
    if sort not in _SEARCH_SORTS:
        raise ValueError(f"sort must be one of {sorted(_SEARCH_SORTS)}")
    params: dict[str, str | int] = {"q": query.strip(), "sort": sort}
    if time_filter is not None:
        if time_filter not in _TIME_FILTERS:
            raise ValueError(f"time_filter must be one of {sorted(_TIME_FILTERS)}")
        params["t"] = time_filter
    params.update({"limit": _limit(limit), "raw_json": 1})
    if subreddit is None:
        return f"{REDDIT}/search.json?{urlencode(params)}"
    params["restrict_sr"] = 1
    return f"{REDDIT}/r/{_subreddit(subreddit)}/search.json?{urlencode(params)}"


def _subreddit(name: str) -> str:
    bare = name.strip().removeprefix("/").removeprefix("r/")
    if not _SUBREDDIT.fullmatch(bare):
        raise ValueError(f"not a subreddit name: {name!r}")
    return bare


def _limit(limit: int) -> int:
    if not 1 <= limit <= _MAX_LIMIT:
        raise ValueError(f"limit must be 1–{_MAX_LIMIT}")
    return limit


# --- parsing ----------------------------------------------------------------------------


def parse(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one Reddit JSON listing (or a comment page's array of listings).

    ``url`` names the document in errors, decides whether Reddit's HTML escaping must be
    undone (no ``raw_json=1`` in its query), and gives the feed title (``r/<name>`` for
    a subreddit URL). ``content_type`` is accepted for the common signature and unused.
    Pure: no I/O. Raises ``ParseError`` for invalid JSON, a Reddit error object, or JSON
    that is not a listing.
    """
    doc = fields.load_json_lenient(content, url=url, what="a Reddit listing")
    listings = doc if isinstance(doc, list) and doc else [doc]
    for listing in listings:
        _check_listing(listing, url)
    unescape = "1" not in parse_qs(urlsplit(url).query).get("raw_json", [])
    items = tuple(
        _post(child["data"], unescape)
        for listing in listings
        for child in listing["data"]["children"]
        if isinstance(child, Mapping)
        and child.get("kind") == "t3"
        and isinstance(child.get("data"), Mapping)
    )
    title, link = _feed_identity(url)
    return ParsedFeed(title=title, link=link, lang=None, items=tuple(i for i in items if i))


def _check_listing(doc: Any, url: str) -> None:
    """Raise ``ParseError`` unless ``doc`` is a listing with a ``children`` list."""
    if isinstance(doc, Mapping):
        data = doc.get("data")
        if doc.get("kind") == "Listing" and isinstance(data, Mapping):
            if isinstance(data.get("children"), list):
                return
            raise ParseError(url, "a Reddit listing without a children list")
        if "error" in doc or "message" in doc:
            parts = [str(doc.get(k)) for k in ("error", "message", "reason") if doc.get(k)]
            raise ParseError(url, "Reddit error: " + " ".join(" — ".join(parts).split())[:200])
        if "access_token" in doc:
            raise ParseError(url, "a Reddit OAuth token response, not a listing")
        if doc.get("kind") in ("t1", "t3", "t5"):
            raise ParseError(url, f"a single Reddit {doc['kind']} thing, not a listing")
    raise ParseError(url, "not a Reddit listing (expected {kind: Listing, data: {children}})")


def _post(data: Mapping[str, Any], unescape: bool) -> RawItem | None:
    """One ``t3`` post; None without a usable id."""
    post_id = fields.nonblank(data.get("id"))
    name = fields.nonblank(data.get("name")) or (f"t3_{post_id}" if post_id else None)
    if name is None or not name.startswith("t3_"):
        return None
    subreddit = fields.nonblank(data.get("subreddit"))

    def text(key: str) -> str | None:
        value = fields.nonblank(data.get(key))
        return html.unescape(value) if value is not None and unescape else value

    discussion = _discussion_url(text("permalink"), subreddit, name.removeprefix("t3_"))
    is_self = data.get("is_self") is True
    linked = None if is_self else _web_url(text("url"))
    if linked is not None and discussion is not None and _same_page(linked, discussion):
        linked = None  # a self post whose is_self flag is missing
    author = fields.nonblank(data.get("author"))
    return RawItem(
        guid=name,
        url=discussion,
        title=text("title"),
        summary=text("selftext_html") or text("selftext"),
        content=None,
        authors=(f"u/{author}",) if author and author not in _GONE_AUTHORS else (),
        published=_from_unix(data.get("created_utc")),
        updated=_from_unix(data.get("edited")),
        lang=None,
        raw={
            "platform": "reddit",
            "reddit_id": name,
            "subreddit": subreddit,
            "engagement": {
                "score": _int(data.get("score")),
                "comments": _int(data.get("num_comments")),
                "upvote_ratio": _ratio(data.get("upvote_ratio")),
            },
            "over_18": data.get("over_18") is True,
            "stickied": data.get("stickied") is True,
            "is_self": is_self or linked is None,
            "linked_url": linked,
            "discussion_url": discussion,
            "domain": fields.nonblank(data.get("domain")),
            "flair": text("link_flair_text"),
        },
    )


def _discussion_url(permalink: str | None, subreddit: str | None, post_id: str) -> str | None:
    """``https://www.reddit.com`` + the permalink's path (search listings append
    ``?ref=search_posts``; the query is dropped), else built from subreddit and id."""
    if permalink and permalink.startswith("/"):
        return REDDIT + quote(urlsplit(permalink).path, safe="/%:@!$&'()*+,;=-._~")
    if subreddit:
        return f"{REDDIT}/r/{subreddit}/comments/{post_id}/"
    return None


def _same_page(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    host = pa.netloc.lower().removeprefix("www.").removeprefix("old.")
    return host == "reddit.com" and pa.path.rstrip("/") == pb.path.rstrip("/")


def _feed_identity(url: str) -> tuple[str | None, str | None]:
    """``("r/<name>", its page)`` for a subreddit URL, else Reddit's own."""
    match = _SUBREDDIT_PATH.match(urlsplit(url).path)
    if match:
        return f"r/{match[1]}", f"{REDDIT}/r/{match[1]}/"
    return "Reddit", f"{REDDIT}/"


# --- helpers ----------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value == value and abs(value) != float("inf") else None


def _ratio(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value <= 1 else None


def _web_url(value: str | None) -> str | None:
    """``value`` made absolute against reddit.com; None unless http(s) with a host."""
    if value is None:
        return None
    link = urljoin(REDDIT + "/", value.strip())
    parts = urlsplit(link)
    return link if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _from_unix(value: Any) -> datetime | None:
    """A positive Unix time as UTC (``edited`` is ``false`` for unedited posts)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
