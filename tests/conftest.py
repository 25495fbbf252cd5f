"""Fixtures shared by every test package (helpers live in ``support.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import shared_data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: real data, never copied in (skips or fails when absent)."""
    return shared_data_dir()
