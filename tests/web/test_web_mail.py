"""``/unsubscribe/<token>`` (``web/mail.py``): GET only asks, POST (the form's and the
one-click) unsubscribes, unknown or malformed tokens get the 404 page; the pages are
private (no caching, no Referer) and carry no script."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from web_seed import NOW

from pulseaugur.brief_mail import new_token
from pulseaugur.storage.base import Storage


@pytest.fixture
def token(storage: Storage) -> str:
    value = new_token()
    storage.add_subscriber("ada@example.org", value, NOW - timedelta(days=2))
    return value


def test_get_asks_and_post_unsubscribes(client: TestClient, storage: Storage, token: str) -> None:
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert "ada@example.org" in page.text
    assert f'<form method="post" action="/unsubscribe/{token}">' in page.text
    assert "<script>" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert storage.get_subscriber(token).active  # a GET changes nothing

    done = client.post(f"/unsubscribe/{token}")
    assert done.status_code == 200
    assert "will get no more editions" in done.text
    assert storage.get_subscriber(token).unsubscribed_at == NOW
    again = client.get(f"/unsubscribe/{token}")
    assert "not subscribed to the Brief any more" in again.text
    assert "<form" not in again.text
    assert client.post(f"/unsubscribe/{token}").status_code == 200  # idempotent


def test_one_click_post(client: TestClient, storage: Storage, token: str) -> None:
    response = client.post(
        f"/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert not storage.get_subscriber(token).active


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["/unsubscribe/" + "A" * 43, "/unsubscribe/short"])
def test_unknown_tokens_are_404(client: TestClient, token: str, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert "Not found" in response.text
    assert token not in response.text
