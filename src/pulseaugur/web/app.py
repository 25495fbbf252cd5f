"""The ASGI application: ``create_app(storage)`` wires the pages, the API, the static
files, the security headers and the one error handler.

Errors become responses in one place (``_error_response``): under ``/api/`` (and
``/healthz``) as ``{"error": {"status": <code>, "message": "..."}}``, everywhere else as
the ``error.html`` page. ``NotFoundError`` from storage is a 404, ``BadRequest`` and
request-validation errors are 400s, anything unexpected is a 500 that reveals nothing.

Every response carries a strict Content-Security-Policy (no inline script or style, no
third-party requests), ``X-Content-Type-Options: nosniff`` and a Referrer-Policy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulseaugur import __version__
from pulseaugur.config import Settings
from pulseaugur.errors import NotFoundError
from pulseaugur.rank import DEFAULT_WEIGHTS, ScoreWeights
from pulseaugur.storage.base import Storage
from pulseaugur.web import api, brief, mail, methods, pages, websub
from pulseaugur.web.context import STATIC_DIR, BadRequest, WebContext, make_environment

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)

_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    500: "Something went wrong",
}


class SecurityHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS:
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


def _error_response(request: Request, status: int, message: str) -> Response:
    """The one place an error becomes a response (JSON under /api/, else HTML)."""
    response: Response
    if _wants_json(request):
        response = JSONResponse({"error": {"status": status, "message": message}}, status)
    else:
        web: WebContext = request.app.state.web
        response = web.render(
            "error.html",
            {"status": status, "title": _TITLES.get(status, "Error"), "message": message},
            status_code=status,
        )
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
    if exc.status_code == 404:
        message = "There is nothing at this address."
    response = _error_response(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid value')}")
    return _error_response(request, 400, "; ".join(parts) or "invalid request")


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error_response(request, 404, "There is no such event or page.")


async def _bad_request(request: Request, exc: Exception) -> Response:
    return _error_response(request, 400, str(exc) or "Bad request.")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error serving %s", request.url.path, exc_info=exc)
    return _error_response(request, 500, "The server hit an error. Please try again later.")


def create_app(
    storage: Storage,
    *,
    clock: Callable[[], datetime] | None = None,
    settings: Settings | None = None,
    weights: ScoreWeights | None = None,
) -> FastAPI:
    """The PulseAugur web app over ``storage``; ``clock`` (UTC now) is for tests.

    ``settings`` and ``weights`` are the configuration the service runs with, described
    by the methods pages (defaults: ``Settings()`` and ``DEFAULT_WEIGHTS``)."""
    app = FastAPI(
        title="PulseAugur",
        version=__version__,
        description="Live AI news, clustered into events. JSON API, version 1.",
        docs_url=None,  # the bundled Swagger UI loads from a CDN, which the CSP forbids
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.web = WebContext(
        storage=storage,
        clock=clock or (lambda: datetime.now(UTC)),
        templates=make_environment(),
        settings=settings if settings is not None else Settings(),
        weights=weights if weights is not None else DEFAULT_WEIGHTS,
    )
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(BadRequest, _bad_request)
    app.add_exception_handler(Exception, _server_error)
    app.include_router(pages.router)
    app.include_router(methods.router)
    app.include_router(api.router)
    app.include_router(websub.router)
    app.include_router(brief.router)
    app.include_router(mail.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
