"""``pulseaugur run``: the main job, really started — it polls a local feed and serves the site."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support import closed_port, serve_pages, shared_data_dir


@pytest.fixture
def feed_url() -> Iterator[str]:
    body = (shared_data_dir() / "feeds/ai-lab-feeds/0xsmw/feed_anthropic_news.xml").read_bytes()
    with serve_pages({"/anthropic.xml": (200, "application/rss+xml", body)}) as base:
        yield f"{base}/anthropic.xml"


def test_run_polls_and_serves(tmp_path: Path, feed_url: str) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[[source]]\n"
        'id = "anthropic-news"\n'
        f'url = "{feed_url}"\n'
        'name = "Anthropic News"\n'
        'outlet = "Anthropic"\n'
        'section = "News"\n'
        "tier = 1\n"
        "primary = true\n"
        'domains = ["anthropic.com"]\n'
        "[[source]]\n"
        'id = "dead"\n'
        f'url = "http://127.0.0.1:{closed_port()}/feed.xml"\n'
        'name = "Dead"\n'
        'outlet = "Dead Feed"\n'
    )
    port = closed_port()
    env = {
        **os.environ,
        "PULSEAUGUR_SOURCES_FILE": str(sources),
        "PULSEAUGUR_DATA_DIR": str(tmp_path / "data"),
        "PULSEAUGUR_PORT": str(port),
        "PULSEAUGUR_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pulseaugur", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        events: list[dict[str, object]] = []
        dead_error: str | None = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (events and dead_error):
            time.sleep(0.5)
            assert process.poll() is None, process.communicate()[1]
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/events?limit=5")
            except httpx.TransportError:
                continue
            events = response.json()["events"]
            dead_error = _last_error(tmp_path / "data" / "pulseaugur.sqlite3", "dead")
        assert events, "no events appeared within a minute"
        assert dead_error is not None
        assert "127.0.0.1" in dead_error
        page = httpx.get(f"http://127.0.0.1:{port}{events[0]['url']}")
        assert page.status_code == 200
        assert "COVERAGE" in page.text
        assert (tmp_path / "data" / "pulseaugur.sqlite3").is_file()
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    # A clean stop: uvicorn finishes its shutdown, then re-raises the SIGINT it caught.
    assert process.returncode in (0, 130), stderr
    assert "Traceback" not in stderr
    assert any("source dead:" in line and "127.0.0.1" in line for line in stderr.splitlines())


def _last_error(database: Path, source_id: str) -> str | None:
    """The source's stored last error, read while the service runs (SQLite in WAL mode)."""
    if not database.is_file():
        return None
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT last_error FROM source_state WHERE source_id = ?", (source_id,)
        ).fetchone()
    return row[0] if row else None
