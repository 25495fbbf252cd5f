"""Alembic environment: runs migrations on the connection that ``open_storage`` passes in."""

from __future__ import annotations

from alembic import context

from pulseaugur.storage.schema import include_name, metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand
    raise RuntimeError("run migrations through pulseaugur.storage.open_storage")

context.configure(
    connection=connection,
    target_metadata=metadata,
    include_name=include_name,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
