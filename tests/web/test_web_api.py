"""The JSON API: shape, paging, validation, errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from web_seed import NOW, seed_many

from pulseaugur.storage.base import Storage
from pulseaugur.web.app import create_app

EVENT_KEYS = {
    "id",
    "url",
    "headline",
    "summary",
    "summary_sentences",
    "impact",
    "rank_reason",
    "tags",
    "event_type",
    "score",
    "score_parts",
    "summarizer",
    "source_count",
    "primary",
    "first_seen",
    "last_updated",
    "coverage",
}
COVERAGE_KEYS = {
    "source_name",
    "outlet",
    "section",
    "tier",
    "lang",
    "authors",
    "title",
    "excerpt",
    "url",
    "published_at",
}


def parse_utc(text: str) -> datetime:
    assert text.endswith(("Z", "+00:00")), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_event_shape(client: TestClient) -> None:
    response = client.get("/api/v1/events/1")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    event = response.json()
    assert set(event) == EVENT_KEYS
    assert event["id"] == 1
    assert event["url"] == "/cluster/1-openai-releases-gpt-5"
    assert event["headline"] == "OpenAI releases GPT-5"
    assert event["summary"] == (
        "OpenAI on Thursday released GPT-5, its latest flagship model. "
        "The company calls it its best model for coding and agentic tasks."
    )
    assert event["summary_sentences"][0] == {
        "text": "OpenAI on Thursday released GPT-5, its latest flagship model.",
        "item_ids": ["scmp-gpt5", "openai-gpt5"],
    }
    assert event["tags"] == ["AI", "models"]
    assert event["event_type"] == "model_release"
    assert event["score"] == 87.5
    assert event["score_parts"] == {
        "authority": 0.95,
        "cluster_strength": 0.7,
        "headline_signal": 0.8,
        "time_decay": 0.9,
    }
    assert event["summarizer"] == "extractive"
    assert event["source_count"] == 3
    assert event["primary"] == {
        "source_name": "OpenAI — News",
        "outlet": "OpenAI",
        "section": "News",
        "tier": 1,
        "url": "https://openai.com/index/introducing-gpt-5/",
        "title": "Introducing GPT-5",
    }
    assert parse_utc(event["first_seen"]) < parse_utc(event["last_updated"]) <= NOW
    assert [c["source_name"] for c in event["coverage"]] == [
        "OpenAI — News",
        "SCMP — Tech",
        "机器之心",
    ]
    scmp = event["coverage"][1]
    assert set(scmp) == COVERAGE_KEYS
    assert scmp["authors"] == ["Ying Xu", "Weishi Zhang"]
    assert scmp["tier"] == 2
    assert scmp["lang"] == "en"
    assert scmp["section"] == "Tech"
    assert scmp["excerpt"] == "OpenAI on Thursday released GPT-5, its latest flagship model."
    parse_utc(scmp["published_at"])
    assert event["coverage"][2]["section"] is None


def test_list_is_newest_first_with_the_same_shape(client: TestClient) -> None:
    body = client.get("/api/v1/events").json()
    assert set(body) == {"events", "next_cursor"}
    assert [e["id"] for e in body["events"]] == [3, 2, 1]  # 4 has no story
    assert body["next_cursor"] is None
    assert all(set(e) == EVENT_KEYS for e in body["events"])
    assert body["events"][2] == client.get("/api/v1/events/1").json()


def test_unsafe_urls_are_not_published(client: TestClient) -> None:
    event = client.get("/api/v1/events/3").json()
    assert event["coverage"][0]["url"] is None
    assert event["primary"]["url"] is None


def test_paging_visits_every_event_once(empty_storage: Storage) -> None:
    ids = seed_many(empty_storage, 47)
    client = TestClient(create_app(empty_storage, clock=lambda: NOW))
    first = client.get("/api/v1/events").json()
    assert len(first["events"]) == 20  # the default limit
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/events", params=params).json()
        pages += 1
        seen += [e["id"] for e in body["events"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 20
    assert pages == 7
    assert len(seen) == len(set(seen)) == 47
    assert sorted(seen) == sorted(ids)
    assert seen == ids  # newest first: each bulk event is 7 minutes older than the last


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", ""])
def test_bad_limit_is_400(client: TestClient, limit: str) -> None:
    response = client.get("/api/v1/events", params={"limit": limit})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == 400
    assert "limit" in body["error"]["message"]


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_are_accepted(client: TestClient, limit: str) -> None:
    response = client.get("/api/v1/events", params={"limit": limit})
    assert response.status_code == 200
    assert len(response.json()["events"]) == min(int(limit), 3)


@pytest.mark.parametrize("cursor", ["nonsense", "eyJ4IjoxfQ", "%%%"])
def test_bad_cursor_is_400(client: TestClient, cursor: str) -> None:
    response = client.get("/api/v1/events", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "message": "cursor: not a cursor this API gave out"}
    }


@pytest.mark.parametrize("event_id", ["999", "4", "abc", "1-slug", "99999999999999999999999"])
def test_unknown_event_is_404_json(client: TestClient, event_id: str) -> None:
    response = client.get(f"/api/v1/events/{event_id}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"]["status"] == 404
    assert body["error"]["message"]


def test_unknown_api_path_is_404_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_wrong_method_is_405_json(client: TestClient) -> None:
    response = client.post("/api/v1/events")
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_description(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/events" in schema["paths"]
    assert "/api/v1/events/{event_id}" in schema["paths"]
    assert "/cluster/{ref}" not in schema["paths"]
