"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (relative to the project root): real data, never copied in.

    Skips the test when the directory is absent, or fails it when the run requires the
    data (``PULSEAUGUR_REQUIRE_SHARED_DATA=1``, as in CI).
    """
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    reason = f"the shared data directory {SHARED_DATA} is absent"
    if os.environ.get("PULSEAUGUR_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(reason + " and PULSEAUGUR_REQUIRE_SHARED_DATA=1", pytrace=False)
    pytest.skip(reason)
