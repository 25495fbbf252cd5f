"""The API's write endpoints (source management), guarded by the admin token.

    POST   /api/v1/sources          add a feed source (201, ``Location`` its URL; 409 when
                                    the id is taken)
    PATCH  /api/v1/sources/{id}     change ``enabled`` and/or ``tier``
    DELETE /api/v1/sources/{id}     remove a source (204): no longer listed or polled, and a
                                    source list loaded later does not bring it back

Every write needs ``Authorization: Bearer <admin_token>``. With no ``admin_token``
configured every write is refused (403) whatever the request carries; a missing or wrong
token is a 401 with ``WWW-Authenticate: Bearer``. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pulseaugur.errors import NotFoundError
from pulseaugur.storage.base import Storage
from pulseaugur.types import Source
from pulseaugur.web import present
from pulseaugur.web.api import errors
from pulseaugur.web.api_models import SourceIn, SourceOut, SourcePatch, source_out
from pulseaugur.web.context import BadRequest, web_context

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="the ``admin_token`` setting (PULSEAUGUR_ADMIN_TOKEN)",
)
REALM = 'Bearer realm="PulseAugur"'


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Let the request through only with the configured admin token (see the module)."""
    expected = web_context(request).settings.admin_token
    if not expected:
        raise HTTPException(
            403,
            "Writes are disabled: this site has no admin token "
            "(set admin_token in the config file or PULSEAUGUR_ADMIN_TOKEN).",
        )
    if credentials is None:
        raise HTTPException(
            401,
            "This endpoint needs the admin token: send Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": REALM},
        )
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(
            401,
            "The admin token is not valid.",
            headers={"WWW-Authenticate": REALM + ', error="invalid_token"'},
        )


router = APIRouter(prefix="/api/v1", tags=["admin"], dependencies=[Depends(require_admin)])

SourceIdPath = Annotated[str, Path(max_length=100, description="the source's id")]


def _live_source(storage: Storage, source_id: str) -> Source:
    """The source with this id unless it is unknown or was removed (``NotFoundError``)."""
    for source in storage.get_sources():
        if source.id == source_id:
            return source
    raise NotFoundError(f"no source {source_id!r}")


def _out(storage: Storage, source_id: str) -> SourceOut:
    rows = {row.source.id: row for row in storage.source_health()}
    row = rows.get(source_id)
    return source_out(row.source if row else storage.get_source(source_id), row)


@router.post(
    "/sources",
    response_model=SourceOut,
    status_code=201,
    responses=errors(400, 401, 403, 409),
)
def add_source(request: Request, body: SourceIn) -> Response:
    """Add a feed source; it is polled from the next scheduler pass."""
    storage = web_context(request).storage
    url = present.safe_url(body.url)
    if url is None or any(c.isspace() for c in url) or "@" in url.split("/")[2]:
        raise BadRequest("url: expected an http:// or https:// address without credentials")
    if any(source.id == body.id for source in storage.get_sources()):
        raise HTTPException(409, f"A source with id {body.id!r} exists already.")
    source = Source(
        id=body.id,
        kind="feed",
        url=url,
        name=body.name.strip(),
        outlet=body.outlet.strip(),
        section=body.section.strip() if body.section else None,
        tier=body.tier,
        languages=tuple(body.languages),
        poll_interval_s=body.poll_interval_s,
        domains=tuple(body.domains),
        enabled=body.enabled,
        primary=body.primary,
    )
    storage.sync_sources([source])
    out = _out(storage, source.id)
    return JSONResponse(out.model_dump(), 201, headers={"Location": f"/api/v1/sources/{source.id}"})


@router.patch(
    "/sources/{source_id}", response_model=SourceOut, responses=errors(400, 401, 403, 404)
)
def change_source(request: Request, source_id: SourceIdPath, body: SourcePatch) -> SourceOut:
    """Enable or disable a source, or change its tier."""
    if body.enabled is None and body.tier is None:
        raise BadRequest("body: give enabled, tier, or both")
    storage = web_context(request).storage
    source = _live_source(storage, source_id)
    changed = replace(
        source,
        enabled=source.enabled if body.enabled is None else body.enabled,
        tier=source.tier if body.tier is None else body.tier,
    )
    storage.sync_sources([changed])
    return _out(storage, source_id)


@router.delete(
    "/sources/{source_id}",
    status_code=204,
    response_class=Response,
    responses=errors(401, 403, 404),
)
def remove_source(request: Request, source_id: SourceIdPath) -> Response:
    """Remove a source; its items stay, and so do the events they are in."""
    web = web_context(request)
    _live_source(web.storage, source_id)
    web.storage.remove_source(source_id, web.clock())
    return Response(status_code=204)
