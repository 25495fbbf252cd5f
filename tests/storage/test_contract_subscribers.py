"""The storage contract for the Brief by email, on SQLite and PostgreSQL alike: one
subscriber per address, secret tokens, unsubscribing, and a delivery log that lets an
edition reach each subscriber at most once (claims), retrying failures only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pulseaugur.errors import NotFoundError
from pulseaugur.storage import SqlStorage

from support import T0

TOKENS = [f"{'t' * 42}{n}" for n in range(10)]


def test_add_find_and_resubscribe(storage: SqlStorage) -> None:
    ada, added = storage.add_subscriber("ada@example.org", TOKENS[0], T0)
    assert added
    assert ada.active
    assert (ada.email, ada.created_at, ada.unsubscribed_at) == ("ada@example.org", T0, None)
    assert TOKENS[0] not in repr(ada)
    again, added = storage.add_subscriber("ada@example.org", TOKENS[1], T0 + timedelta(hours=1))
    assert not added
    assert again == ada  # an active subscriber is left as it is, token included
    assert storage.find_subscriber("ada@example.org") == ada
    assert storage.find_subscriber("bob@example.org") is None
    assert storage.get_subscriber(TOKENS[0]) == ada
    with pytest.raises(NotFoundError):
        storage.get_subscriber(TOKENS[1])

    ended = storage.unsubscribe(TOKENS[0], T0 + timedelta(days=1))
    assert not ended.active
    assert ended.unsubscribed_at == T0 + timedelta(days=1)
    assert storage.unsubscribe(TOKENS[0], T0 + timedelta(days=2)) == ended  # keeps the first
    back, added = storage.add_subscriber("ada@example.org", TOKENS[2], T0 + timedelta(days=3))
    assert added
    assert back.active
    assert back.id == ada.id
    assert back.token == TOKENS[2]
    with pytest.raises(NotFoundError):
        storage.get_subscriber(TOKENS[0])  # the old link ended with the old subscription
    with pytest.raises(NotFoundError):
        storage.unsubscribe(TOKENS[9], T0)


def test_list_subscribers(storage: SqlStorage) -> None:
    a, _ = storage.add_subscriber("a@example.org", TOKENS[0], T0)
    b, _ = storage.add_subscriber("b@example.org", TOKENS[1], T0)
    storage.unsubscribe(TOKENS[0], T0)
    assert [s.email for s in storage.list_subscribers()] == ["a@example.org", "b@example.org"]
    assert storage.list_subscribers(active_only=True) == [b]
    assert a.id < b.id


def test_deliveries_are_claimed_once(storage: SqlStorage) -> None:
    a, _ = storage.add_subscriber("a@example.org", TOKENS[0], T0)
    b, _ = storage.add_subscriber("b@example.org", TOKENS[1], T0)
    c, _ = storage.add_subscriber("c@example.org", TOKENS[2], T0)
    storage.add_subscriber("d@example.org", TOKENS[3], T0)
    storage.unsubscribe(TOKENS[3], T0)
    assert storage.undelivered("2025-08-08") == [a, b, c]

    assert storage.claim_delivery("2025-08-08", a.id, T0)
    assert not storage.claim_delivery("2025-08-08", a.id, T0)  # another sender has it
    storage.finish_delivery("2025-08-08", a.id, T0)
    assert not storage.claim_delivery("2025-08-08", a.id, T0)  # sent: never again
    assert not storage.claim_delivery("2025-08-08", a.id, T0, interrupted=True)

    assert storage.claim_delivery("2025-08-08", b.id, T0)
    storage.finish_delivery("2025-08-08", b.id, T0, error="421 try later")
    assert storage.claim_delivery("2025-08-08", c.id, T0)  # then a crash: left sending
    assert storage.undelivered("2025-08-08") == [b]
    assert storage.undelivered("2025-08-08", interrupted=True) == [b, c]
    assert storage.delivery_counts("2025-08-08") == {"sent": 1, "failed": 1, "sending": 1}

    assert storage.claim_delivery("2025-08-08", b.id, T0)  # a failure is retried
    storage.finish_delivery("2025-08-08", b.id, T0, error="550 no such user", permanent=True)
    assert not storage.claim_delivery("2025-08-08", b.id, T0)  # refused for good
    assert not storage.claim_delivery("2025-08-08", c.id, T0)
    assert storage.claim_delivery("2025-08-08", c.id, T0, interrupted=True)
    storage.finish_delivery("2025-08-08", c.id, T0)
    assert storage.undelivered("2025-08-08", interrupted=True) == []
    assert storage.delivery_counts("2025-08-08") == {"sent": 2, "refused": 1}
    # Another edition starts afresh; an unsubscribed reader is never pending.
    assert storage.undelivered("2025-08-09") == [a, b, c]
    assert storage.delivery_counts("2025-08-09") == {}
