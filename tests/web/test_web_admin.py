"""The admin token and the source-management endpoints it guards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import ADMIN_TOKEN, make_app
from fastapi.testclient import TestClient

from pulseaugur.config import Settings, load_settings
from pulseaugur.errors import ConfigError
from pulseaugur.storage.base import Storage

NEW_SOURCE: dict[str, Any] = {
    "id": "example-ai",
    "url": "https://example.org/ai/feed.xml",
    "name": "Example AI blog",
    "outlet": "Example",
    "section": "AI",
    "tier": 2,
    "languages": ["en"],
    "domains": ["example.org"],
}
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def admin(storage: Storage) -> Iterator[TestClient]:
    with TestClient(make_app(storage, admin_token=ADMIN_TOKEN)) as c:
        yield c


@pytest.fixture
def unguarded(storage: Storage) -> Iterator[TestClient]:
    with TestClient(make_app(storage)) as c:
        yield c


WRITES = [
    ("post", "/api/v1/sources", NEW_SOURCE),
    ("patch", "/api/v1/sources/openai-news", {"enabled": False}),
    ("delete", "/api/v1/sources/openai-news", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_without_a_configured_token_every_write_is_403(
    unguarded: TestClient, storage: Storage, method: str, path: str, body: Any
) -> None:
    for headers in ({}, AUTH, {"Authorization": "Bearer "}):
        response = unguarded.request(method, path, json=body, headers=headers)
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["status"] == 403
        assert "admin_token" in error["message"]
        assert "PULSEAUGUR_ADMIN_TOKEN" in error["message"]
    assert storage.get_source("openai-news").enabled


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-of-some-length"},
        {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
        {"Authorization": f"Basic {ADMIN_TOKEN}"},
        {"Authorization": ADMIN_TOKEN},
    ],
)
def test_missing_or_wrong_token_is_401(
    admin: TestClient, storage: Storage, method: str, path: str, body: Any, headers: Any
) -> None:
    response = admin.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["status"] == 401
    assert ADMIN_TOKEN not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert storage.get_source("openai-news").enabled
    assert "example-ai" not in {s.id for s in storage.get_sources()}


def test_add_a_source(admin: TestClient, storage: Storage) -> None:
    response = admin.post("/api/v1/sources", json=NEW_SOURCE, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/api/v1/sources/example-ai"
    body = response.json()
    assert body["id"] == "example-ai"
    assert body["kind"] == "feed"
    assert body["display_name"] == "Example — AI"
    assert body["enabled"] is True
    stored = storage.get_source("example-ai")
    assert stored.url == NEW_SOURCE["url"]
    assert stored.domains == ("example.org",)
    listed = {s["id"] for s in admin.get("/api/v1/sources").json()["sources"]}
    assert "example-ai" in listed
    again = admin.post("/api/v1/sources", json=NEW_SOURCE, headers=AUTH)
    assert again.status_code == 409
    assert again.json()["error"]["status"] == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Not A Slug"}, "id"),
        ({"id": "-x"}, "id"),
        ({"url": "javascript:alert(1)//xxxxxxxx"}, "url"),
        ({"url": "ftp://example.org/feed.xml"}, "url"),
        ({"url": "https://user:pw@example.org/feed"}, "url"),
        ({"tier": 4}, "tier"),
        ({"name": ""}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"languages": ["english"]}, "languages"),
        ({"domains": ["not a host"]}, "domains"),
        ({"poll_interval_s": 5}, "poll_interval_s"),
        ({"kind": "mastodon"}, "kind"),
    ],
)
def test_invalid_sources_are_400(
    admin: TestClient, storage: Storage, change: dict[str, Any], field: str
) -> None:
    response = admin.post("/api/v1/sources", json={**NEW_SOURCE, **change}, headers=AUTH)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["status"] == 400
    assert field in error["message"]
    assert "example-ai" not in {s.id for s in storage.get_sources()}


def test_malformed_json_is_400(admin: TestClient) -> None:
    response = admin.post(
        "/api/v1/sources",
        content=b"{not json",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message": "body: not valid JSON"}}


def test_patch_a_source(admin: TestClient, storage: Storage) -> None:
    response = admin.patch("/api/v1/sources/scmp-tech", json={"enabled": False}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["enabled"] is False
    assert response.json()["health"]["status"] == "disabled"
    assert not storage.get_source("scmp-tech").enabled
    response = admin.patch("/api/v1/sources/scmp-tech", json={"tier": 1}, headers=AUTH)
    assert response.json()["tier"] == 1
    assert response.json()["enabled"] is False  # unchanged
    listed = {s["id"]: s for s in admin.get("/api/v1/sources").json()["sources"]}
    assert listed["scmp-tech"]["tier"] == 1


@pytest.mark.parametrize("body", [{}, {"tier": 0}, {"enabled": "maybe"}, {"name": "x"}])
def test_bad_patches_are_400(admin: TestClient, body: dict[str, Any]) -> None:
    response = admin.patch("/api/v1/sources/scmp-tech", json=body, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_remove_a_source(admin: TestClient, storage: Storage) -> None:
    response = admin.delete("/api/v1/sources/hostile", headers=AUTH)
    assert response.status_code == 204
    assert response.content == b""
    assert "hostile" not in {s.id for s in storage.get_sources()}
    assert "hostile" not in {s["id"] for s in admin.get("/api/v1/sources").json()["sources"]}
    assert admin.delete("/api/v1/sources/hostile", headers=AUTH).status_code == 404
    patched = admin.patch("/api/v1/sources/hostile", json={"tier": 1}, headers=AUTH)
    assert patched.status_code == 404
    assert storage.seed_sources([storage.get_source("openai-news")]) == 0
    assert "hostile" not in {s.id for s in storage.get_sources()}


def test_unknown_source_is_404(admin: TestClient) -> None:
    response = admin.patch("/api/v1/sources/nope", json={"tier": 1}, headers=AUTH)
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_admin_token_setting_is_a_secret() -> None:
    settings = load_settings(environ={"PULSEAUGUR_ADMIN_TOKEN": ADMIN_TOKEN})
    assert settings.admin_token == ADMIN_TOKEN
    assert ADMIN_TOKEN not in repr(settings)
    assert Settings().admin_token == ""
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"PULSEAUGUR_ADMIN_TOKEN": "short-one"})
    assert "PULSEAUGUR_ADMIN_TOKEN" in str(caught.value)
    assert "short-one" not in str(caught.value)
