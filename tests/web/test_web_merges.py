"""Merged events: their published page and API URLs keep answering, with a permanent
redirect to the event that absorbed them (merges made through ``Storage.merge_clusters``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from web_seed import NOW

from pulseaugur.storage.base import Storage

GPT5_PAGE = "/cluster/1-openai-releases-gpt-5"


@pytest.fixture
def merged(storage: Storage) -> Storage:
    """Event 3 merged into 2, then 2 into 1 (a chain that storage re-points)."""
    storage.merge_clusters(3, 2, NOW - timedelta(minutes=5))
    storage.merge_clusters(2, 1, NOW)
    return storage


@pytest.mark.parametrize("event_id", [2, 3])
def test_api_answers_301_to_the_final_survivor(
    merged: Storage, client: TestClient, event_id: int
) -> None:
    response = client.get(f"/api/v1/events/{event_id}")
    assert response.status_code == 301
    assert response.headers["location"] == "/api/v1/events/1"
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == 301
    assert "/api/v1/events/1" in body["error"]["message"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_following_the_api_redirect_gives_the_survivor_with_every_item(
    merged: Storage, client: TestClient
) -> None:
    response = client.get("/api/v1/events/3", follow_redirects=True)
    assert response.status_code == 200
    event = response.json()
    assert event["id"] == 1
    assert event["url"] == GPT5_PAGE
    titles = {c["title"] for c in event["coverage"]}
    assert "For Hong Kong to succeed in AI, energy cannot be an afterthought" in titles
    assert len(event["coverage"]) == 6  # 3 + 2 + 1 items


def test_a_merged_event_without_a_story_redirects_too(storage: Storage, client: TestClient) -> None:
    storage.merge_clusters(4, 1, NOW)
    response = client.get("/api/v1/events/4")
    assert response.status_code == 301
    assert response.headers["location"] == "/api/v1/events/1"
    page = client.get("/cluster/4-no-story-yet")
    assert page.status_code == 301
    assert page.headers["location"] == GPT5_PAGE


@pytest.mark.parametrize("path", ["/cluster/2-hong-kong-ai-energy", "/cluster/3", "/cluster/3-x"])
def test_pages_redirect_in_one_hop_to_the_final_survivor(
    merged: Storage, client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["location"] == GPT5_PAGE


def test_merged_events_leave_the_listings(merged: Storage, client: TestClient) -> None:
    body = client.get("/api/v1/events").json()
    assert [e["id"] for e in body["events"]] == [1, 5]
    html = client.get("/").text
    assert "/cluster/2-" not in html
    assert "/cluster/3-" not in html
    assert f'href="{GPT5_PAGE}"' in html


def test_live_events_are_unaffected(storage: Storage, client: TestClient) -> None:
    storage.merge_clusters(3, 2, NOW)
    assert client.get("/api/v1/events/1").status_code == 200
    assert client.get("/api/v1/events/2").status_code == 200
    assert client.get("/api/v1/events/999").status_code == 404


def test_openapi_declares_the_redirect(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/events/{event_id}"]["get"]["responses"]
    assert set(responses) >= {"200", "301", "404"}
    moved = responses["301"]
    assert "Location" in moved["headers"]
    assert (
        moved["content"]["application/json"]["schema"]
        == responses["404"]["content"]["application/json"]["schema"]
    )
