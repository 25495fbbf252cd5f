"""Fixtures for the web tests: a real SQLite storage in ``tmp_path`` (``open_storage``),
seeded through the Storage protocol (see ``web_seed``), and a ``TestClient`` over
``create_app`` with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_seed import NOW, seed

from pulseaugur.storage import open_storage
from pulseaugur.storage.base import Storage
from pulseaugur.web.app import create_app


@pytest.fixture
def empty_storage(tmp_path: Path) -> Iterator[Storage]:
    storage = open_storage(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    yield storage
    storage.close()


@pytest.fixture
def storage(empty_storage: Storage) -> Storage:
    seed(empty_storage)
    return empty_storage


@pytest.fixture
def client(storage: Storage) -> Iterator[TestClient]:
    """A client over the seeded storage whose render cache reads the storage revision
    on every request, so a write a test makes shows at once."""
    with TestClient(
        create_app(storage, clock=lambda: NOW, revision_ttl_s=0), follow_redirects=False
    ) as c:
        yield c
