"""Storage: the contract (``base``), the schema, and its SQLAlchemy implementation.

``open_storage(url)`` is the one way in: it creates the engine (SQLite or PostgreSQL),
applies migrations, and returns a ``Storage``.
"""

from pulseaugur.storage.base import (
    Backlog,
    Counts,
    EventFilter,
    EventOrder,
    EventPage,
    EventView,
    FetchLogEntry,
    FetchTotals,
    ItemOutcome,
    SourceHealth,
    Storage,
    TopicActivity,
)
from pulseaugur.storage.sql import SqlStorage, open_storage

__all__ = [
    "Backlog",
    "Counts",
    "EventFilter",
    "EventOrder",
    "EventPage",
    "EventView",
    "FetchLogEntry",
    "FetchTotals",
    "ItemOutcome",
    "SourceHealth",
    "SqlStorage",
    "Storage",
    "TopicActivity",
    "open_storage",
]
