"""The SQLAlchemy Core schema: one set of tables for SQLite and PostgreSQL.

Migrations in ``storage/migrations`` create exactly these tables; a test checks that
the migrated database matches this metadata, so the two cannot drift.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no zone, so values are stored as naive UTC and given back with
    ``tzinfo=UTC``; PostgreSQL stores ``timestamptz``. Naive input is refused.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"expected a timezone-aware datetime, got {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("outlet", sa.Text, nullable=False),
    sa.Column("section", sa.Text),
    sa.Column("tier", sa.Integer, nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("poll_interval_s", sa.Integer, nullable=False),
    sa.Column("domains", sa.JSON, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("is_primary", sa.Boolean, nullable=False),
    sa.Column("removed_at", UTCDateTime),
)

source_state = sa.Table(
    "source_state",
    metadata,
    sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_ok_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("last_error_at", UTCDateTime),
    sa.Column("consecutive_failures", sa.Integer, nullable=False),
    sa.Column("next_poll_at", UTCDateTime),
    sa.Column("interval_s", sa.Integer),
    sa.Column("failing_since", UTCDateTime),
    sa.Column("paused_reason", sa.Text),
)

fetch_log = sa.Table(
    "fetch_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("items_seen", sa.Integer, nullable=False),
    sa.Column("items_new", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
    sa.Index("ix_fetch_log_source_started", "source_id", "started_at"),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("guid", sa.Text),
    sa.Column("url_original", sa.Text),
    sa.Column("canonical_url", sa.Text, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("title_en", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("excerpt", sa.Text, nullable=False),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("lang", sa.String(16), nullable=False),
    sa.Column("published_at", UTCDateTime, nullable=False),
    sa.Column("fetched_at", UTCDateTime, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("raw_json", sa.JSON, nullable=False),
    sa.Column("date_flag", sa.String(16)),
    sa.Column("near_duplicate_of", sa.String(64), sa.ForeignKey("items.id")),
    sa.Column("linked_url", sa.Text),
    sa.Index("ix_items_published_at", "published_at"),
    sa.Index("ix_items_linked_url", "linked_url"),
    sa.Index("ix_items_source_published", "source_id", "published_at"),
)

item_duplicates = sa.Table(
    "item_duplicates",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("duplicate_of", sa.String(64), sa.ForeignKey("items.id"), nullable=False),
    sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("seen_at", UTCDateTime, nullable=False),
)

clusters = sa.Table(
    "clusters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_updated", UTCDateTime, nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("storyline_id", sa.Integer),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("source_count", sa.Integer, nullable=False),
    sa.Column("merged_into", sa.Integer),
    sa.Index("ix_clusters_last_updated", "last_updated"),
    sa.Index("ix_clusters_first_seen", "first_seen"),
    sa.Index("ix_clusters_storyline", "storyline_id"),
)

cluster_members = sa.Table(
    "cluster_members",
    metadata,
    sa.Column("item_id", sa.String(64), sa.ForeignKey("items.id"), primary_key=True),
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), nullable=False),
    sa.Column("similarity", sa.Float, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_cluster_members_cluster", "cluster_id", "position"),
)

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), primary_key=True),
    sa.Column("headline", sa.Text, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("impact", sa.Text, nullable=False),
    sa.Column("rank_reason", sa.Text, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("score_authority", sa.Float, nullable=False),
    sa.Column("score_cluster_strength", sa.Float, nullable=False),
    sa.Column("score_headline_signal", sa.Float, nullable=False),
    sa.Column("score_time_decay", sa.Float, nullable=False),
    sa.Column("primary_item_id", sa.String(64), sa.ForeignKey("items.id"), nullable=False),
    sa.Column("summarizer", sa.String(200), nullable=False),
    sa.Column("source_count", sa.Integer, nullable=False),
    sa.Column("coverage_item_ids", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("entities", sa.JSON, nullable=False),
    sa.Index("ix_stories_score", "score"),
)

# The story's tags and entities one per row, so that the topic and entity filters are an
# indexed lookup on both engines: ``kind`` is ``tag`` or ``entity``, ``key`` the casefolded
# text the filters compare, ``value`` the text as the story has it. Written with the story.
story_terms = sa.Table(
    "story_terms",
    metadata,
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), primary_key=True),
    sa.Column("kind", sa.String(10), primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Index("ix_story_terms_kind_key", "kind", "key"),
)

# One row (id 1) whose value grows with every write a page or feed may show.
data_revision = sa.Table(
    "data_revision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.BigInteger, nullable=False),
)

SEARCH_TABLE = "event_search"
"""The full-text index of events. It differs by engine (an FTS5 virtual table on SQLite,
a table with a ``tsvector`` column and a GIN index on PostgreSQL), so it is created by
migration 0010 and kept out of ``metadata``; see ``pulseaugur.storage.search``."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter for comparing a database with ``metadata``: the engine-specific
    search index (and SQLite's FTS5 shadow tables) are not part of ``metadata``."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))


websub_subscriptions = sa.Table(
    "websub_subscriptions",
    metadata,
    sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), primary_key=True),
    sa.Column("hub", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("lease_expires_at", UTCDateTime),
)

brief_editions = sa.Table(
    "brief_editions",
    metadata,
    sa.Column("id", sa.String(10), primary_key=True),
    sa.Column("window_start", UTCDateTime, nullable=False),
    sa.Column("window_end", UTCDateTime, nullable=False),
    sa.Column("published_at", UTCDateTime, nullable=False),
    sa.Column("min_score", sa.Float, nullable=False),
    sa.Column("min_sources", sa.Integer, nullable=False),
    sa.Column("max_events", sa.Integer, nullable=False),
)

brief_entries = sa.Table(
    "brief_entries",
    metadata,
    sa.Column("edition_id", sa.String(10), sa.ForeignKey("brief_editions.id"), primary_key=True),
    sa.Column("rank", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("cluster_id", sa.Integer, sa.ForeignKey("clusters.id"), nullable=False),
    sa.Column("slug", sa.String(120), nullable=False),
    sa.Column("headline", sa.Text, nullable=False),
    sa.Column("lead", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("source_count", sa.Integer, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Index("ix_brief_entries_cluster", "cluster_id"),
)

subscribers = sa.Table(
    "subscribers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("unsubscribed_at", UTCDateTime),
)

# No foreign key on edition_id: rebuilding an edition replaces its row, and the log of
# what was mailed must outlive that (a rebuilt edition is not mailed again).
llm_token_usage = sa.Table(
    "llm_token_usage",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("tokens", sa.BigInteger, nullable=False),
)

brief_deliveries = sa.Table(
    "brief_deliveries",
    metadata,
    sa.Column("edition_id", sa.String(10), primary_key=True),
    sa.Column(
        "subscriber_id",
        sa.Integer,
        sa.ForeignKey("subscribers.id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("error", sa.Text),
)
