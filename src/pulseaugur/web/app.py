"""The ASGI application: ``create_app(storage)`` wires the pages, the API, the feeds, the
live stream, the operations endpoints, the static files, the middlewares and the one
error handler.

Errors become responses in one place (``_error_response``): under ``/api/``, ``/live/``,
``/metrics`` and ``/healthz`` as ``{"error": {"status": <code>, "message": "..."}}``,
everywhere else as the ``error.html`` page. ``NotFoundError`` from storage is a 404,
``BadRequest`` and request-validation errors (malformed JSON included) are 400s,
anything unexpected is a 500 that reveals nothing.

The layers, outermost first: the render cache ``HttpCache`` (a hit is answered there,
before any other layer, routing included, runs), FastAPI's error handling, then
``SecurityHeaders`` (every response carries them; cached answers and their 304s keep
them: a strict Content-Security-Policy with no inline script or style and no
third-party requests, ``X-Content-Type-Options: nosniff``, a Referrer-Policy) and
``RequestMetrics`` (latency by route template; the cache reports its hits to it).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulseaugur import __version__
from pulseaugur.config import Settings
from pulseaugur.errors import NotFoundError
from pulseaugur.rank import DEFAULT_WEIGHTS, ScoreWeights
from pulseaugur.storage.base import Storage
from pulseaugur.web import admin, api, feeds, live, pages, websub
from pulseaugur.web import metrics as ops
from pulseaugur.web.api_models import ErrorBody, ErrorDetail
from pulseaugur.web.context import STATIC_DIR, BadRequest, WebContext, make_environment
from pulseaugur.web.http_cache import HttpCache
from pulseaugur.web.live import LiveHub
from pulseaugur.web.metrics import RequestMetrics, WebMetrics

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
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    500: "Something went wrong",
    503: "Unavailable",
}
JSON_PREFIXES = ("/api/", "/live/", "/metrics", "/healthz")
"""Paths whose errors are JSON (the API's error shape) rather than the HTML page."""


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
    return request.url.path.startswith(JSON_PREFIXES)


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
            request=request,
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
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            parts.append("body: not valid JSON")
            continue
        where = ".".join(str(p) for p in loc[1:]) or ".".join(str(p) for p in loc) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid value')}")
    return _error_response(request, 400, "; ".join(parts) or "invalid request")


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error_response(request, 404, "There is no such event or page.")


async def _bad_request(request: Request, exc: Exception) -> Response:
    return _error_response(request, 400, str(exc) or "Bad request.")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error serving %s", request.url.path, exc_info=exc)
    return _error_response(request, 500, "The server hit an error. Please try again later.")


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The OpenAPI document, adjusted to what the app really answers: request-validation
    errors are 400s with ``ErrorBody`` (never FastAPI's 422 shape), and every operation
    may answer 500 with ``ErrorBody``."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        error_ref = {"$ref": "#/components/schemas/ErrorBody"}
        error = {"content": {"application/json": {"schema": error_ref}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if responses.pop("422", None) is not None and "400" not in responses:
                    responses["400"] = {"description": "Bad request", **error}
                responses.setdefault("500", {"description": "Server error", **error})
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        components.setdefault(
            "ErrorBody", ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        components.setdefault("ErrorDetail", ErrorDetail.model_json_schema())
        app.openapi_schema = schema
        return schema

    return build


class PulseAugurApp(FastAPI):
    """FastAPI with the render cache (``HttpCache``) around its whole middleware stack:
    a cache hit is answered before any other layer runs. Misses go through every layer,
    so the cached answer already carries the security headers."""

    cache_options: dict[str, Any]

    def build_middleware_stack(self) -> ASGIApp:
        return HttpCache(super().build_middleware_stack(), **self.cache_options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """HTTP requests go straight to the middleware stack once it is built (FastAPI's
        own OpenTelemetry hook is skipped: the app reports to Prometheus, and that check
        costs more than a cache hit)."""
        if scope["type"] == "http" and self.middleware_stack is not None and not self.root_path:
            scope["app"] = self
            await self.middleware_stack(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    storage: Storage,
    *,
    clock: Callable[[], datetime] | None = None,
    settings: Settings | None = None,
    weights: ScoreWeights | None = None,
    revision_ttl_s: float = 0.25,
) -> FastAPI:
    """The PulseAugur web app over ``storage``; ``clock`` (UTC now) is for tests.

    ``settings`` and ``weights`` are the configuration the service runs with, described
    by the methods pages (defaults: ``Settings()`` and ``DEFAULT_WEIGHTS``);
    ``settings.admin_token`` guards the API's writes, ``settings.public_url`` makes the
    feeds' links. ``revision_ttl_s`` is how long the render cache trusts the storage
    revision it last read (see ``http_cache``).

    ``app.state`` holds ``web`` (the ``WebContext``), ``live`` (the SSE hub),
    ``metrics`` and ``http_cache`` (the cache middleware, once the app has started)."""
    now = clock or (lambda: datetime.now(UTC))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await hub.close()

    app = PulseAugurApp(
        title="PulseAugur",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,  # the bundled Swagger UI loads from a CDN, which the CSP forbids
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.web = WebContext(
        storage=storage,
        clock=now,
        templates=make_environment(),
        settings=settings if settings is not None else Settings(),
        weights=weights if weights is not None else DEFAULT_WEIGHTS,
    )
    hub = LiveHub(storage)
    app.state.live = hub
    app.state.metrics = WebMetrics(storage, now, lambda: hub.listener_count)
    app.cache_options = {
        "revision": storage_revision(storage),
        "revision_ttl_s": revision_ttl_s,
        "expose": lambda cache: setattr(app.state, "http_cache", cache),
        "on_hit": app.state.metrics.observe,
    }
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(BadRequest, _bad_request)
    app.add_exception_handler(Exception, _server_error)
    for router in (api.router, admin.router, feeds.router, live.router, ops.router):
        app.include_router(router)
    app.include_router(websub.router)
    for router in pages.ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    return app


API_DESCRIPTION = """Live AI news, clustered into events. JSON API, version 1.

Every error answers `{"error": {"status": <code>, "message": "..."}}` (`ErrorBody`).
Lists page with `limit` and the opaque `next_cursor`. The write endpoints (source
management) need `Authorization: Bearer <admin token>`: 401 without it or with a wrong
one, 403 for every write when the site has no admin token configured.

Also served: Atom and JSON Feed outputs (`/feed.atom`, `/feed.json`,
`/topics/{slug}/feed.atom|json`, `/brief/feed.atom|json`), live updates as Server-Sent
Events (`/live/events`), `/healthz` and Prometheus `/metrics`. GET answers carry `ETag`
and `Last-Modified` and answer conditional requests with 304."""


def storage_revision(storage: Storage) -> Callable[[], int]:
    """``storage.revision`` (a storage without one makes the cache stand aside)."""

    def read() -> int:
        return storage.revision()

    return read
