"""Search.

    GET /search?q=…&cursor=…     events matching the words of ``q``, best match first
                                 (full text over headlines, summaries, IMPACT, tags,
                                 entities and the items' titles); without ``q`` just the
                                 form

The query is the reader's text, never a query language (see ``Storage.search_events``).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pulseaugur.web.cards import Card, card
from pulseaugur.web.context import BadRequest, render_page, web_context

router = APIRouter(include_in_schema=False)

PAGE_SIZE: Final = 20
MAX_QUERY_CHARS: Final = 200


@router.api_route("/search", methods=["GET", "HEAD"], response_class=HTMLResponse)
def search_page(request: Request, q: str = "", cursor: str | None = None) -> HTMLResponse:
    """The search form and, for a query, its results."""
    query = " ".join(q.split())[:MAX_QUERY_CHARS]
    results: list[Card] = []
    next_cursor = None
    if query:
        try:
            page = web_context(request).storage.search_events(
                query, limit=PAGE_SIZE, cursor=cursor or None
            )
        except ValueError:
            raise BadRequest("That page link is not valid any more.") from None
        results = [card(v) for v in page.events if v.story is not None]
        next_cursor = page.next_cursor
    return render_page(
        request,
        "search.html",
        {
            "query": query,
            "results": results,
            "next_cursor": next_cursor,
            "paged": bool(cursor),
        },
    )
