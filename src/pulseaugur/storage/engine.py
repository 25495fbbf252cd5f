"""Engines and migrations: turning a database URL into a ready, up-to-date engine.

SQLite (the default) gets WAL journaling, foreign keys and a busy timeout on every
connection, and its directory is created. ``postgresql://`` URLs are driven by
psycopg 3. Alembic migrations run at open, so a database is always at the newest schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from pulseaugur.errors import MigrationError, StorageError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000


def describe(exc: sa.exc.DBAPIError | sa.exc.SQLAlchemyError) -> str:
    """The driver's message about ``exc`` on one line (drivers add hints on new lines)."""
    original = getattr(exc, "orig", None) or exc
    return " ".join(str(original).split())


def normalize_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling never wraps DDL in a transaction, so an
    # interrupted migration would leave a half-changed schema; SQLAlchemy emits BEGIN
    # itself instead (``_on_sqlite_begin``), which makes every transaction, DDL
    # included, all or nothing.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url`` with PulseAugur's connection settings applied."""
    try:
        parsed = make_url(normalize_url(url))
    except sa.exc.ArgumentError as exc:
        raise StorageError(f"database URL {url!r} is not valid: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise StorageError(f"database URL {url!r}: only sqlite and postgresql are supported")


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision. Raises ``MigrationError``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except sa.exc.OperationalError as exc:
        raise StorageError(f"cannot reach the database: {describe(exc)}") from None
    except Exception as exc:
        message = " ".join(str(exc).split())
        raise MigrationError(f"could not migrate the database schema: {message}") from exc
