"""Fixtures for the normalize tests: what they read from the shared real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support import require_shared


@pytest.fixture(scope="session")
def replay_rows(shared_data: Path) -> list[dict[str, Any]]:
    """Every line of ``replay/ai-news-items.jsonl``, parsed."""
    path = require_shared(shared_data / "replay" / "ai-news-items.jsonl")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def ai_lab_feeds(shared_data: Path) -> Path:
    """The ``feeds/ai-lab-feeds`` directory of real AI-lab RSS feeds."""
    return require_shared(shared_data / "feeds" / "ai-lab-feeds")
