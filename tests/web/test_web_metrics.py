"""``/metrics`` (Prometheus text) and ``/healthz``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from api_support import make_app
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from web_seed import NOW

from pulseaugur.storage.base import FetchLogEntry, Storage
from pulseaugur.types import SourceState
from pulseaugur.web.metrics import LatencyHistogram


@pytest.fixture
def client(storage: Storage) -> Iterator[TestClient]:
    with TestClient(make_app(storage), follow_redirects=False) as c:
        yield c


def scrape(client: TestClient) -> dict[str, list[Any]]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: dict[str, list[Any]], name: str, **labels: str) -> float:
    for sample in samples[name]:
        if all(sample.labels.get(k) == v for k, v in labels.items()):
            return float(sample.value)
    raise AssertionError(f"no sample {name} {labels}")


def test_database_figures(client: TestClient, storage: Storage) -> None:
    storage.log_fetch(
        FetchLogEntry("openai-news", "https://openai.com/news/rss.xml", NOW, 120, 200, 5, 2, None)
    )
    storage.log_fetch(
        FetchLogEntry("hostile", "https://evil.example/feed.xml", NOW, 80, 503, 0, 0, "HTTP 503")
    )
    samples = scrape(client)
    assert value(samples, "pulseaugur_database_up") == 1
    assert value(samples, "pulseaugur_fetches_total") == 2
    assert value(samples, "pulseaugur_fetch_errors_total") == 1
    assert value(samples, "pulseaugur_fetched_items_total") == 2
    counts = storage.counts()
    assert value(samples, "pulseaugur_items") == counts.items
    assert value(samples, "pulseaugur_events", state="live") == counts.clusters
    assert value(samples, "pulseaugur_events", state="merged") == 0
    assert value(samples, "pulseaugur_stories") == counts.stories
    for name in (
        "pulseaugur_unclustered_items",
        "pulseaugur_unclustered_oldest_seconds",
        "pulseaugur_overdue_sources",
        "pulseaugur_poll_lag_seconds",
        "pulseaugur_sources",
        "pulseaugur_brief_editions",
    ):
        assert value(samples, name) >= 0, name
    storage.merge_clusters(3, 2, NOW)
    assert value(scrape(client), "pulseaugur_events", state="merged") == 1


def test_poll_lag_is_read_at_scrape_time(client: TestClient, storage: Storage) -> None:
    storage.save_source_state(SourceState("scmp-tech", next_poll_at=NOW - timedelta(minutes=44)))
    samples = scrape(client)
    assert value(samples, "pulseaugur_overdue_sources") >= 1
    assert value(samples, "pulseaugur_poll_lag_seconds") >= 44 * 60


def test_request_latency_by_route_template(client: TestClient) -> None:
    client.get("/cluster/1-openai-releases-gpt-5")
    client.get("/cluster/2-hong-kong-ai-energy")
    client.get("/cluster/2-hong-kong-ai-energy")  # a cache hit keeps its route
    client.get("/api/v1/events/999")
    client.get("/no/such/page")
    samples = scrape(client)
    counts = {
        (s.labels["route"], s.labels["method"], s.labels["status"]): s.value
        for s in samples["pulseaugur_http_request_duration_seconds_count"]
    }
    assert counts[("/cluster/{ref}", "GET", "200")] == 3
    assert counts[("/api/v1/events/{event_id}", "GET", "404")] == 1
    assert counts[("unmatched", "GET", "404")] == 1
    assert not any("openai" in route for route, _, _ in counts)
    assert value(samples, "pulseaugur_http_requests_in_flight") == 1  # this scrape
    assert value(samples, "pulseaugur_sse_listeners") == 0


def test_latency_histogram_buckets_are_cumulative_with_a_sum() -> None:
    histogram = LatencyHistogram(buckets=(0.001, 0.01))
    for seconds in (0.0005, 0.001, 0.005, 2.0):  # a bound itself falls in its bucket
        histogram.observe(("/x", "GET", 200), seconds)
    [family] = histogram.collect()
    samples = {
        (s.name, s.labels.get("le")): s.value
        for s in family.samples
        if s.labels["route"] == "/x" and s.labels["status"] == "200"
    }
    assert samples[("pulseaugur_http_request_duration_seconds_bucket", "0.001")] == 2
    assert samples[("pulseaugur_http_request_duration_seconds_bucket", "0.01")] == 3
    assert samples[("pulseaugur_http_request_duration_seconds_bucket", "+Inf")] == 4
    assert samples[("pulseaugur_http_request_duration_seconds_count", None)] == 4
    assert samples[("pulseaugur_http_request_duration_seconds_sum", None)] == pytest.approx(2.0065)


def test_each_app_has_its_own_registry(storage: Storage) -> None:
    with TestClient(make_app(storage)) as one, TestClient(make_app(storage)) as two:
        one.get("/api/v1/events")
        assert "/api/v1/events" in one.get("/metrics").text
        assert 'route="/api/v1/events"' not in two.get("/metrics").text


class Broken:
    """A storage whose database is gone."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: object, **kwargs: object) -> None:
            raise RuntimeError("database is down: secret detail")

        return fail


def test_healthz_is_503_when_the_database_does_not_answer() -> None:
    client = TestClient(make_app(cast(Storage, Broken())), raise_server_exceptions=False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"error": {"status": 503, "message": "The database does not answer."}}
    assert "secret" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    samples = scrape(client)
    assert value(samples, "pulseaugur_database_up") == 0
    assert "pulseaugur_items" not in samples
