"""Score weights come from the settings (``score_*``): the pipeline that
``pipeline/runtime.py`` builds stores scores computed with them, and the served app's
``/methods/ranking`` shows them."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from pulseaugur.config import Settings, load_settings
from pulseaugur.pipeline import runtime
from pulseaugur.rank import DEFAULT_WEIGHTS, ScoreWeights
from pulseaugur.storage import open_storage
from pulseaugur.types import FetchResult, ScoreParts

from support import make_source

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

FEED = (
    b"<rss version='2.0'><channel><title>OpenAI</title>"
    b"<item><title>OpenAI ships a new reasoning model for developers</title>"
    b"<link>https://openai.com/news/model</link><guid>https://openai.com/news/model</guid>"
    b"<description>OpenAI shipped a new reasoning model on Tuesday. Developers can use it "
    b"through the API from today, the company said in its announcement.</description>"
    b"<pubDate>Tue, 24 Nov 2026 01:00:00 GMT</pubDate></item></channel></rss>"
)


def _stored_score(settings: Settings, tmp_path: Path) -> ScoreParts:
    """The score stored for a one-item event by the pipeline ``runtime`` builds."""
    url = f"sqlite:///{tmp_path / 'weights.sqlite3'}"
    storage = open_storage(url)
    storage.sync_sources([make_source()])

    async def run() -> None:
        async with runtime.event_summarizer(settings) as summarizer:
            pipeline = runtime.build_pipeline(storage, lambda: NOW, None, summarizer)
            result = FetchResult("https://openai.com/news/rss.xml", 200, FEED, None, None, None)
            await asyncio.to_thread(pipeline.process, make_source(), result)

    try:
        asyncio.run(run())
        (event,) = storage.list_events(limit=10).events
        assert event.story is not None
        return event.story.score
    finally:
        storage.close()


def test_defaults_are_the_rank_defaults() -> None:
    assert ScoreWeights.from_settings(Settings()) == DEFAULT_WEIGHTS
    assert ScoreWeights.from_settings(load_settings(environ={})) == DEFAULT_WEIGHTS


def test_every_weight_setting_reaches_the_weights() -> None:
    settings = load_settings(
        environ={
            "PULSEAUGUR_SCORE_AUTHORITY": "0.1",
            "PULSEAUGUR_SCORE_CLUSTER_STRENGTH": "0.2",
            "PULSEAUGUR_SCORE_HEADLINE_SIGNAL": "0.3",
            "PULSEAUGUR_SCORE_TIME_DECAY": "0.4",
            "PULSEAUGUR_SCORE_HALF_LIFE_HOURS": "6",
        }
    )
    assert ScoreWeights.from_settings(settings) == ScoreWeights(0.1, 0.2, 0.3, 0.4, 6.0)


def test_configured_weights_change_the_stored_score(tmp_path: Path) -> None:
    default = _stored_score(Settings(), tmp_path / "default")
    expected = (
        0.3 * default.authority
        + 0.3 * default.cluster_strength
        + 0.15 * default.headline_signal
        + 0.25 * default.time_decay
    )
    assert default.total == round(expected, 1)
    # Only the headline-signal part counts (weights need not sum to 1).
    signal_only = replace(
        Settings(),
        score_authority=0,
        score_cluster_strength=0,
        score_headline_signal=2,
        score_time_decay=0,
    )
    stored = _stored_score(signal_only, tmp_path / "signal")
    assert stored.authority == default.authority
    assert stored.total == stored.headline_signal
    assert stored.total != default.total
    authority_only = load_settings(
        environ={
            "PULSEAUGUR_SCORE_AUTHORITY": "1",
            "PULSEAUGUR_SCORE_CLUSTER_STRENGTH": "0",
            "PULSEAUGUR_SCORE_HEADLINE_SIGNAL": "0",
            "PULSEAUGUR_SCORE_TIME_DECAY": "0",
        }
    )
    assert _stored_score(authority_only, tmp_path / "authority").total == default.authority


def test_the_served_ranking_page_shows_the_configured_weights(tmp_path: Path) -> None:
    storage = open_storage(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    settings = replace(Settings(), score_authority=0.5, score_half_life_hours=6)
    try:
        server = runtime.web_server(storage, "127.0.0.1", 8000, settings=settings)
        with TestClient(server.config.app) as client:
            html = client.get("/methods/ranking").text
    finally:
        storage.close()
    assert "Score weights (this site's configuration)" in html
    assert (
        '<tr id="w-authority"><th scope="row"><code>authority</code></th>'
        '<td class="num">0.5</td><td class="num">42%</td><td class="num">0.3</td>'
    ) in html
    assert "0.5<sup>age / 6 h</sup>" in html
