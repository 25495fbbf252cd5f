"""The ``storage`` fixture: every contract test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulseaugur.storage import SqlStorage, open_storage

from support import postgres_schema, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStorage]:
    if request.param == "sqlite":
        store = open_storage(f"sqlite:///{tmp_path / 'test.sqlite3'}")
        yield store
        store.close()
        return
    with postgres_schema(postgres_url()) as url:
        store = open_storage(url)
        yield store
        store.close()
