"""Storage: the contract (``base``), the schema, and its SQLAlchemy implementation.

``open_storage(url)`` is the one way in: it creates the engine (SQLite or PostgreSQL),
applies migrations, and returns a ``Storage``.
"""

from pulseaugur.storage.base import (
    Counts,
    EventOrder,
    EventPage,
    EventView,
    FetchLogEntry,
    ItemOutcome,
    Storage,
)
from pulseaugur.storage.sql import SqlStorage, open_storage

__all__ = [
    "Counts",
    "EventOrder",
    "EventPage",
    "EventView",
    "FetchLogEntry",
    "ItemOutcome",
    "SqlStorage",
    "Storage",
    "open_storage",
]
