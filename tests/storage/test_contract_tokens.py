"""The storage contract for the LLM summarizer's daily token count, on SQLite and
PostgreSQL alike: counts add up atomically per UTC day and survive in the database."""

from __future__ import annotations

from datetime import date

import pytest

from pulseaugur.storage import SqlStorage


def test_token_counts_add_up_per_day(storage: SqlStorage) -> None:
    day, next_day = date(2025, 8, 7), date(2025, 8, 8)
    assert storage.tokens_spent(day) == 0
    assert storage.add_tokens(day, 1_200) == 1_200
    assert storage.add_tokens(day, 800) == 2_000
    assert storage.add_tokens(day, 0) == 2_000
    assert storage.tokens_spent(day) == 2_000
    assert storage.tokens_spent(next_day) == 0
    with pytest.raises(ValueError, match="negative"):
        storage.add_tokens(day, -1)
    assert storage.tokens_spent(day) == 2_000
