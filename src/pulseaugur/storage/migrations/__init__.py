"""Alembic migrations of the PulseAugur schema (applied automatically at start)."""
