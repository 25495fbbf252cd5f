"""Leaving the Brief by email: the unsubscribe link every message carries.

    GET  /unsubscribe/<token>    a page asking to confirm, with a form that POSTs back
                                 (a GET never unsubscribes: mail scanners follow links)
    POST /unsubscribe/<token>    unsubscribes and shows a page saying so; it is also the
                                 RFC 8058 one-click target (``List-Unsubscribe-Post``),
                                 whatever the body. Idempotent.

A token that is malformed or unknown gets the site's 404 page, so the pages tell nothing
about which tokens exist. The pages are never cached and send no ``Referer`` (the token
is a secret in the URL), and ask robots not to index them. No script, inline or not.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pulseaugur.brief_mail import looks_like_token
from pulseaugur.errors import NotFoundError
from pulseaugur.types import Subscriber
from pulseaugur.web.context import web_context

router = APIRouter(include_in_schema=False)

PRIVATE_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _subscriber(request: Request, token: str) -> Subscriber:
    if not looks_like_token(token):
        raise NotFoundError("no such unsubscribe link")
    return web_context(request).storage.get_subscriber(token)


def _page(request: Request, subscriber: Subscriber, done: bool) -> HTMLResponse:
    response = web_context(request).render(
        "unsubscribe.html",
        {
            "email": subscriber.email,
            "active": subscriber.active,
            "done": done,
            "action": f"/unsubscribe/{subscriber.token}",
        },
        request=request,
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    """The confirmation page (or, for an ended subscription, a page saying so)."""
    return _page(request, _subscriber(request, token), done=False)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str) -> HTMLResponse:
    """End the subscription (the form's and the one-click POST) and say so."""
    _subscriber(request, token)
    web = web_context(request)
    subscriber = web.storage.unsubscribe(token, web.clock())
    return _page(request, subscriber, done=True)
