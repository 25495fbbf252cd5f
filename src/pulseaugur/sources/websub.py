"""WebSub (W3C Recommendation): feeds that name a hub push their updates to us.

The flow, for a source whose feed names a hub (``ParsedFeed.hub``) when a public
callback base URL is configured (``public_url``):

1. ``plan`` decides, from the stored subscription and the feed, whether to (re)subscribe:
   when there is none, when the hub or topic changed, when a pending request went
   unanswered for ``PENDING_RETRY``, or when an active lease ends within ``RENEW_BEFORE``.
2. ``request`` POSTs ``hub.mode=subscribe`` with our callback
   ``<public_url>/websub/<source id>``, a lease and a fresh secret.
3. The hub verifies the intent with a GET to the callback: ``verify`` answers with the
   challenge only for the pending (or active) subscription of that exact topic, and
   activates it with the lease the hub granted.
4. The hub then POSTs each update to the callback, signed with the secret
   (``X-Hub-Signature: sha256=…``, or sha1/sha384/sha512); ``signature_ok`` checks it, and
   the source is polled at once (the fetch is the ordinary conditional GET, so a forged
   or repeated ping can cost one request, never wrong data).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from pulseaugur.sources.http import HttpClient
from pulseaugur.types import Subscription

LEASE = timedelta(days=10)
RENEW_BEFORE = timedelta(days=1)
PENDING_RETRY = timedelta(hours=1)
_HASHES = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


def callback_url(public_url: str, source_id: str) -> str:
    """The callback a hub calls for ``source_id``."""
    return f"{public_url.rstrip('/')}/websub/{source_id}"


def plan(
    current: Subscription | None,
    source_id: str,
    hub: str | None,
    topic: str | None,
    now: datetime,
) -> Subscription | None:
    """The subscription to request now, or None when nothing needs doing."""
    if hub is None or topic is None:
        return None
    if current is not None and (current.hub, current.topic) == (hub, topic):
        if current.state == "pending" and now - current.requested_at < PENDING_RETRY:
            return None
        if current.state == "denied" and now - current.requested_at < LEASE:
            return None
        if (
            current.state == "active"
            and current.lease_expires_at is not None
            and current.lease_expires_at - now > RENEW_BEFORE
        ):
            return None
    return Subscription(
        source_id=source_id,
        hub=hub,
        topic=topic,
        secret=secrets.token_hex(24),
        state="pending",
        requested_at=now,
    )


async def request(client: HttpClient, subscription: Subscription, callback: str) -> int:
    """Ask the hub for ``subscription``; returns the hub's status (202 or 204 when it
    accepted the request). Raises ``FetchError`` when the hub cannot be reached."""
    return await client.post_form(
        subscription.hub,
        {
            "hub.mode": "subscribe",
            "hub.topic": subscription.topic,
            "hub.callback": callback,
            "hub.secret": subscription.secret,
            "hub.lease_seconds": str(int(LEASE.total_seconds())),
        },
    )


def verify(
    subscription: Subscription | None, query: Mapping[str, str], now: datetime
) -> tuple[Subscription, str] | None:
    """The hub's verification of intent: the activated subscription and the challenge to
    echo, or None to refuse (unknown source, other topic, or a mode we did not ask for).
    A ``denied`` notice from the hub is recorded by returning the subscription denied
    with an empty challenge."""
    if subscription is None or query.get("hub.topic") != subscription.topic:
        return None
    mode = query.get("hub.mode")
    if mode == "denied":
        return replace(subscription, state="denied"), ""
    challenge = query.get("hub.challenge")
    if mode != "subscribe" or not challenge or subscription.state == "denied":
        return None
    lease_text = query.get("hub.lease_seconds", "")
    lease = timedelta(seconds=int(lease_text)) if lease_text.isdigit() else LEASE
    return replace(subscription, state="active", lease_expires_at=now + lease), challenge


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` (``X-Hub-Signature``, ``method=hexdigest``) signs ``body``
    with ``secret``."""
    if not header or "=" not in header:
        return False
    method, _, signature = header.partition("=")
    digest = _HASHES.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())
