"""Operations: ``/healthz`` and Prometheus ``/metrics``.

    GET /healthz    ``{"status": "ok"}`` when the database answers (``storage.revision()``),
                    else 503 with the API's error shape
    GET /metrics    Prometheus text exposition

Metrics (each app has its own registry, so apps in one process never share figures):

- read from the database at scrape time: ``pulseaugur_fetches_total``,
  ``pulseaugur_fetch_errors_total``, ``pulseaugur_fetched_items_total`` (new items the
  fetches stored), ``pulseaugur_items`` (items stored), ``pulseaugur_events{state}``
  (``live``, ``merged``), ``pulseaugur_stories``, ``pulseaugur_sources``,
  ``pulseaugur_brief_editions``, the queue lag ``pulseaugur_unclustered_items``,
  ``pulseaugur_unclustered_oldest_seconds``, ``pulseaugur_overdue_sources``,
  ``pulseaugur_poll_lag_seconds``, and ``pulseaugur_database_up`` (0 when those reads
  failed: the other database figures are then left out);
- kept by this process: ``pulseaugur_http_request_duration_seconds{route,method,status}``
  (``route`` is the route's template, ``/cluster/{ref}``, never the raw path; requests
  no route matched are ``unmatched``; live streams are left out: they last as long as
  the reader stays), ``pulseaugur_http_requests_in_flight``, ``pulseaugur_sse_listeners``.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulseaugur.storage.base import Storage
from pulseaugur.web.api import errors
from pulseaugur.web.api_models import Health
from pulseaugur.web.context import web_context

log = logging.getLogger(__name__)

router = APIRouter(tags=["operations"])

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNTIMED_PREFIXES = ("/live/",)


class StorageCollector(Collector):
    """The database figures, read when Prometheus scrapes."""

    def __init__(self, storage: Storage, clock: Callable[[], datetime]) -> None:
        self.storage = storage
        self.clock = clock

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            totals = self.storage.fetch_totals()
            counts = self.storage.counts()
            backlog = self.storage.backlog(self.clock())
        except Exception:
            log.warning("metrics: reading the database failed", exc_info=True)
            yield GaugeMetricFamily(
                "pulseaugur_database_up", "Whether the database answered this scrape", 0
            )
            return
        yield GaugeMetricFamily(
            "pulseaugur_database_up", "Whether the database answered this scrape", 1
        )
        yield CounterMetricFamily("pulseaugur_fetches", "Fetches of sources", totals.fetches)
        yield CounterMetricFamily(
            "pulseaugur_fetch_errors",
            "Fetches that failed (an error, or neither 2xx nor 304)",
            totals.errors,
        )
        yield CounterMetricFamily(
            "pulseaugur_fetched_items", "New items the fetches stored", totals.items_new
        )
        yield GaugeMetricFamily("pulseaugur_items", "Items stored", counts.items)
        events = GaugeMetricFamily("pulseaugur_events", "Events by state", labels=["state"])
        events.add_metric(["live"], counts.clusters)
        events.add_metric(["merged"], counts.merged_clusters)
        yield events
        yield GaugeMetricFamily("pulseaugur_stories", "Events with a story", counts.stories)
        yield GaugeMetricFamily("pulseaugur_sources", "Sources not removed", counts.sources)
        yield GaugeMetricFamily(
            "pulseaugur_brief_editions", "Editions of the Brief", counts.brief_editions
        )
        yield GaugeMetricFamily(
            "pulseaugur_unclustered_items",
            "Items stored but in no event yet",
            backlog.unclustered_items,
        )
        yield GaugeMetricFamily(
            "pulseaugur_unclustered_oldest_seconds",
            "Age of the oldest item in no event (0 when none)",
            backlog.oldest_unclustered_s,
        )
        yield GaugeMetricFamily(
            "pulseaugur_overdue_sources",
            "Enabled sources whose next poll is overdue",
            backlog.overdue_sources,
        )
        yield GaugeMetricFamily(
            "pulseaugur_poll_lag_seconds",
            "How late the most overdue source's poll is (0 when none)",
            backlog.poll_lag_s,
        )


class LatencyHistogram(Collector):
    """``pulseaugur_http_request_duration_seconds{route,method,status}``: a Prometheus
    histogram kept in plain lists (one count per bucket and a sum per label set), as
    observing is on every request, cache hits included, and costs a fraction of what
    ``prometheus_client.Histogram`` does. Exported when Prometheus scrapes. Only the event
    loop observes."""

    NAME = "pulseaugur_http_request_duration_seconds"
    HELP = "Time to answer a request, by route template, method and status"

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.series: dict[tuple[str, str, int], list[float]] = {}
        """Per label set: a count per bucket (the last is +Inf, non-cumulative), then
        the sum of the observed seconds."""

    def observe(self, key: tuple[str, str, int], seconds: float) -> None:
        counts = self.series.get(key)
        if counts is None:
            counts = self.series[key] = [0.0] * (len(self.buckets) + 2)
        counts[bisect.bisect_left(self.buckets, seconds)] += 1
        counts[-1] += seconds

    def describe(self) -> list[Metric]:
        return [HistogramMetricFamily(self.NAME, self.HELP, labels=["route", "method", "status"])]

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.NAME, self.HELP, labels=["route", "method", "status"])
        bounds = [*(str(float(b)) for b in self.buckets), "+Inf"]
        for (route, method, status), counts in list(self.series.items()):
            cumulative: list[tuple[str, float]] = []
            total = 0.0
            for bound, count in zip(bounds, counts[:-1], strict=True):
                total += count
                cumulative.append((bound, total))
            family.add_metric([route, method, str(status)], cumulative, counts[-1])
        yield family


class WebMetrics:
    """One app's registry and the instruments its middleware updates."""

    def __init__(
        self,
        storage: Storage,
        clock: Callable[[], datetime],
        listeners: Callable[[], int],
    ) -> None:
        self.registry = CollectorRegistry()
        self.latency = LatencyHistogram()
        self.registry.register(self.latency)
        self._keys: dict[tuple[int, str, int], tuple[object, tuple[str, str, int]]] = {}
        """Label sets by the route object's id (checked: the route is kept), method and
        status, so a request does not rebuild them."""
        self.in_flight = Gauge(
            "pulseaugur_http_requests_in_flight",
            "Requests being answered",
            registry=self.registry,
        )
        sse = Gauge("pulseaugur_sse_listeners", "Open live-update streams", registry=self.registry)
        sse.set_function(lambda: float(listeners()))
        self.registry.register(StorageCollector(storage, clock))

    def observe(self, route: object | None, method: str, status: int, seconds: float) -> None:
        """Record one answered request under its route's template."""
        known = self._keys.get((id(route), method, status))
        if known is not None and known[0] is route:
            key = known[1]
        else:
            key = (
                getattr(route, "path", None) or "unmatched",
                method if method in _METHODS else "other",
                status,
            )
            if len(self._keys) < 4096:
                self._keys[id(route), method, status] = (route, key)
        self.latency.observe(key, seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class RequestMetrics:
    """ASGI middleware timing every HTTP request into ``WebMetrics``."""

    def __init__(self, app: ASGIApp, *, metrics: WebMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNTIMED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        in_flight = self.metrics.in_flight
        in_flight.inc()
        try:
            await self.app(scope, receive, observe)
        finally:
            in_flight.dec()
            self.metrics.observe(
                scope.get("route"), scope["method"], status, time.perf_counter() - started
            )


def web_metrics(request: Request) -> WebMetrics:
    """The app's metrics (``create_app`` sets them)."""
    metrics: WebMetrics = request.app.state.metrics
    return metrics


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics (see the module docstring)."""
    body = web_metrics(request).exposition()
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


@router.get("/healthz", response_model=Health, responses=errors(503))
@router.head("/healthz", include_in_schema=False)
def healthz(request: Request) -> Health:
    """Health: the process answers and its database does."""
    try:
        web_context(request).storage.revision()
    except Exception:
        log.warning("healthz: the database does not answer", exc_info=True)
        raise HTTPException(503, "The database does not answer.") from None
    return Health(status="ok")
