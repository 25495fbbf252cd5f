"""The WebSub callback: hubs verify our subscriptions here and push updates here.

    GET  /websub/{source_id}   verification of intent: echo ``hub.challenge`` (200) for
                               the subscription we asked for, else 404
    POST /websub/{source_id}   content distribution: with a valid ``X-Hub-Signature``
                               the source is polled at once (202); else 403

See ``pulseaugur.sources.websub`` for the protocol and what each answer means.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from pulseaugur.sources import websub
from pulseaugur.web.context import web_context

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

MAX_NOTIFICATION_BYTES = 10_000_000


@router.get("/websub/{source_id}")
def verify(source_id: str, request: Request) -> Response:
    web = web_context(request)
    subscription = web.storage.get_subscription(source_id)
    answer = websub.verify(subscription, dict(request.query_params), web.clock())
    if answer is None:
        return PlainTextResponse("unknown subscription", status_code=404)
    activated, challenge = answer
    web.storage.save_subscription(activated)
    log.info("source %s: WebSub subscription %s at %s", source_id, activated.state, activated.hub)
    return PlainTextResponse(challenge)


@router.post("/websub/{source_id}")
async def deliver(source_id: str, request: Request) -> Response:
    web = web_context(request)
    body = await request.body()
    subscription = web.storage.get_subscription(source_id)
    if (
        subscription is None
        or subscription.state != "active"
        or len(body) > MAX_NOTIFICATION_BYTES
        or not websub.signature_ok(
            subscription.secret, body, request.headers.get("x-hub-signature")
        )
    ):
        return PlainTextResponse("not accepted", status_code=403)
    state = web.storage.get_source_state(source_id)
    web.storage.save_source_state(replace(state, next_poll_at=web.clock()))
    return PlainTextResponse("", status_code=202)
