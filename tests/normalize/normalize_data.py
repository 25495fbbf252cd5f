"""Where the normalize tests find the shared real data, and how they react when it is absent.

The shared data lives in ``../shared/data`` relative to the project root. Tests that need it
skip with a clear reason when it is absent, or fail when ``PULSEAUGUR_REQUIRE_SHARED_DATA=1``
(as in CI), so a missing data directory can never pass silently there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
REQUIRE_ENV = "PULSEAUGUR_REQUIRE_SHARED_DATA"


def require_shared(path: Path) -> Path:
    """``path`` when it exists; otherwise skip the test (or fail it under REQUIRE_ENV=1)."""
    if path.exists():
        return path
    reason = f"shared test data {path} is absent"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(reason)
