"""The JSON API: shape, paging, validation, errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from brief_seed import seed_briefs
from fastapi.testclient import TestClient
from web_seed import HOSTILE, NOW, STORYLINE, seed_many

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
    "entities",
    "storyline_id",
    "timeline",
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
        "authority": 95.0,
        "cluster_strength": 70.0,
        "headline_signal": 80.0,
        "time_decay": 90.0,
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
    assert event["entities"] == ["OpenAI", "GPT-5"]
    assert event["storyline_id"] == STORYLINE


def test_event_timeline_lists_reports_in_publication_order(client: TestClient) -> None:
    timeline = client.get("/api/v1/events/1").json()["timeline"]
    assert [t["item_id"] for t in timeline] == ["openai-gpt5", "scmp-gpt5", "jqzx-gpt5"]
    assert [t["first"] for t in timeline] == [True, False, False]
    assert timeline[0]["source_name"] == "OpenAI — News"
    assert timeline[0]["url"] == "https://openai.com/index/introducing-gpt-5/"
    for entry in timeline:
        assert parse_utc(entry["published_at"]) <= parse_utc(entry["seen_at"])
    published = [parse_utc(t["published_at"]) for t in timeline]
    assert published == sorted(published)


def test_list_is_newest_first_with_the_same_shape(client: TestClient) -> None:
    body = client.get("/api/v1/events").json()
    assert set(body) == {"events", "next_cursor"}
    assert [e["id"] for e in body["events"]] == [5, 3, 2, 1]  # 4 has no story
    assert body["next_cursor"] is None
    assert all(set(e) == EVENT_KEYS for e in body["events"])
    assert body["events"][3] == client.get("/api/v1/events/1").json()


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
    assert len(response.json()["events"]) == min(int(limit), 4)


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


def ids(client: TestClient, **params: object) -> list[int]:
    response = client.get("/api/v1/events", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["events"]]


def test_filter_by_topic_slug_or_tag(client: TestClient) -> None:
    assert ids(client, topic="models") == [5, 1]
    assert ids(client, topic="policy") == [2]  # the slug of "policy & regulation"
    assert ids(client, topic="policy & regulation") == [2]
    assert ids(client, topic="Policy & Regulation") == [2]
    assert ids(client, topic="compute") == [2]
    assert ids(client, topic="ai") == ids(client, topic="AI") == [1]


def test_unknown_topic_is_400(client: TestClient) -> None:
    response = client.get("/api/v1/events", params={"topic": "astrology"})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("topic: no topic 'astrology'")
    assert "open-source" in message


def test_filter_by_entity_ignores_case(client: TestClient) -> None:
    assert ids(client, entity="chatgpt") == [5]
    assert ids(client, entity="GPT-5") == [5, 1]
    assert ids(client, entity="Nobody") == []


def test_filter_by_source_score_and_sources(client: TestClient) -> None:
    assert ids(client, source="scmp-tech") == [5, 2, 1]
    assert ids(client, source="hn-frontpage") == [5]
    assert ids(client, min_score=60) == [5, 1]
    assert ids(client, min_sources=3) == [1]
    assert ids(client, min_score=60, source="openai-news") == [1]


def test_filter_since(client: TestClient) -> None:
    assert ids(client, since="2025-08-07T12:00:00Z") == [5, 3]
    assert ids(client, since="2025-08-07T13:50:00+02:00") == [5, 3, 2]
    assert ids(client, since="2025-08-07T12:00:00") == [5, 3]  # no offset: UTC
    assert ids(client, since="2025-08-08") == []


@pytest.mark.parametrize("since", ["yesterday", "2025-13-01", "1754574253"])
def test_bad_since_is_400(client: TestClient, since: str) -> None:
    response = client.get("/api/v1/events", params={"since": since})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("since: expected an ISO 8601")


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"min_score": "101"}, "min_score"),
        ({"min_score": "x"}, "min_score"),
        ({"min_sources": "0"}, "min_sources"),
        ({"order": "oldest"}, "order"),
    ],
)
def test_bad_filters_are_400(client: TestClient, params: dict[str, str], name: str) -> None:
    response = client.get("/api/v1/events", params=params)
    assert response.status_code == 400
    assert name in response.json()["error"]["message"]


def test_order_top_is_by_score(client: TestClient) -> None:
    assert ids(client, order="top") == [1, 5, 2, 3]


def test_filtered_paging_visits_every_match_once(empty_storage: Storage) -> None:
    seed_many(empty_storage, 30)
    client = TestClient(create_app(empty_storage, clock=lambda: NOW))
    everything = ids(client, order="top", min_score=20, limit=100)
    assert len(everything) == 10  # event n scores n: 20 to 29
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, object] = {"order": "top", "min_score": 20, "limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/events", params=params).json()  # type: ignore[arg-type]
        seen += [e["id"] for e in body["events"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_search(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "Hong Kong energy"}).json()
    assert [e["id"] for e in body["events"]] == [2]
    assert body["next_cursor"] is None
    assert client.get("/api/v1/search", params={"q": '"OR NOT *'}).json()["events"] == []


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "x" * 201}])
def test_search_needs_words(client: TestClient, query: dict[str, str]) -> None:
    response = client.get("/api/v1/search", params=query)
    assert response.status_code == 400
    assert "q" in response.json()["error"]["message"]


def test_sources_have_tier_and_health(client: TestClient) -> None:
    sources = {s["id"]: s for s in client.get("/api/v1/sources").json()["sources"]}
    assert {"openai-news", "scmp-tech", "hostile", "jiqizhixin"} <= set(sources)
    openai = sources["openai-news"]
    assert openai["tier"] == 1
    assert openai["display_name"] == "OpenAI — News"
    assert openai["health"]["status"] == "ok"
    assert openai["health"]["items"] >= 1
    assert sources["hostile"]["health"]["status"] == "failing"
    assert sources["hostile"]["health"]["consecutive_failures"] == 4
    assert sources["jiqizhixin"]["health"]["status"] == "paused"
    assert sources["jiqizhixin"]["health"]["paused_reason"] == "failing for 3 days"
    assert sources["scmp-tech"]["health"]["status"] == "pending"
    tiers = [s["tier"] for s in client.get("/api/v1/sources").json()["sources"]]
    assert tiers == sorted(tiers)


def test_brief_latest_and_by_day(client: TestClient, storage: Storage) -> None:
    assert client.get("/api/v1/brief").status_code == 404
    seed_briefs(storage)
    latest = client.get("/api/v1/brief").json()
    assert latest["id"] == "2025-08-07"
    assert latest["url"] == "/brief/2025-08-07"
    assert latest["earlier"] == "2025-08-06"
    assert latest["later"] is None
    assert [e["id"] for e in latest["entries"]] == [1, 2]
    assert latest["entries"][0]["url"] == "/cluster/1-openai-releases-gpt-5"
    assert latest["entries"][0]["score"] == 87.5
    assert latest["published_at"] == "2025-08-07T06:02:30Z"
    day = client.get("/api/v1/brief/2025-08-06").json()
    assert day["later"] == "2025-08-07"
    assert day["entries"][0]["headline"].endswith(HOSTILE)


@pytest.mark.parametrize(("day", "status"), [("2025-08-01", 404), ("2025-02-30", 400), ("x", 400)])
def test_brief_errors(client: TestClient, day: str, status: int) -> None:
    response = client.get(f"/api/v1/brief/{day}")
    assert response.status_code == status
    assert response.json()["error"]["status"] == status


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200


def test_openapi_describes_every_endpoint(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/search",
        "/api/v1/sources",
        "/api/v1/sources/{source_id}",
        "/api/v1/brief",
        "/api/v1/brief/{day}",
        "/feed.atom",
        "/feed.json",
        "/topics/{slug}/feed.atom",
        "/topics/{slug}/feed.json",
        "/live/events",
        "/healthz",
        "/metrics",
    ):
        assert path in paths, path
    assert "/cluster/{ref}" not in paths
    assert set(paths["/api/v1/sources"]) == {"get", "post"}
    assert set(paths["/api/v1/sources/{source_id}"]) == {"patch", "delete"}
    filters = {p["name"] for p in paths["/api/v1/events"]["get"]["parameters"]}
    assert filters == {
        "limit",
        "cursor",
        "order",
        "since",
        "topic",
        "entity",
        "source",
        "min_score",
        "min_sources",
    }


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


def test_openapi_errors_and_security(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]
    error_ref = "#/components/schemas/ErrorBody"
    for ref in _refs(schema):  # every reference resolves
        name = ref.removeprefix("#/components/schemas/")
        assert name in components["schemas"], ref
    assert "HTTPValidationError" not in components["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (path, method)
            errors = [code for code in responses if code[0] in "345" and code != "304"]
            assert errors, (path, method)
            for code in errors:
                body = responses[code]["content"]["application/json"]["schema"]
                assert body == {"$ref": error_ref}, (path, method, code)
    assert components["securitySchemes"]["AdminToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": components["securitySchemes"]["AdminToken"]["description"],
    }
    for path, method in (
        ("/api/v1/sources", "post"),
        ("/api/v1/sources/{source_id}", "patch"),
        ("/api/v1/sources/{source_id}", "delete"),
    ):
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"AdminToken": []}]
        assert {"401", "403"} <= set(operation["responses"])
    assert "security" not in schema["paths"]["/api/v1/events"]["get"]
    params = {p["name"]: p for p in schema["paths"]["/api/v1/events"]["get"]["parameters"]}
    assert params["order"]["schema"]["enum"] == ["newest", "top"]
    bounds = [s for s in params["min_score"]["schema"]["anyOf"] if s["type"] == "number"]
    assert bounds[0]["maximum"] == 100
