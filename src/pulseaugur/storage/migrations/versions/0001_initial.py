"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("storyline_id", sa.Integer(), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
    )
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.create_index("ix_clusters_last_updated", ["last_updated"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("outlet", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("poll_interval_s", sa.Integer(), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
    )
    op.create_table(
        "fetch_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_fetch_log_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch_log")),
    )
    with op.batch_alter_table("fetch_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fetch_log_source_started", ["source_id", "started_at"], unique=False
        )

    op.create_table(
        "items",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("guid", sa.Text(), nullable=True),
        sa.Column("url_original", sa.Text(), nullable=True),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("raw_json", sa.JSON(), nullable=False),
        sa.Column("date_flag", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_items_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_items_canonical_url")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_items_content_hash")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_published_at", ["published_at"], unique=False)

    op.create_table(
        "source_state",
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_state_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_state")),
    )
    op.create_table(
        "cluster_members",
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_cluster_members_cluster_id_clusters")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_cluster_members_item_id_items")
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_cluster_members")),
    )
    with op.batch_alter_table("cluster_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cluster_members_cluster", ["cluster_id", "position"], unique=False
        )

    op.create_table(
        "item_duplicates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("duplicate_of", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["items.id"], name=op.f("fk_item_duplicates_duplicate_of_items")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_item_duplicates_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_duplicates")),
    )
    op.create_table(
        "stories",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("rank_reason", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("score_authority", sa.Float(), nullable=False),
        sa.Column("score_cluster_strength", sa.Float(), nullable=False),
        sa.Column("score_headline_signal", sa.Float(), nullable=False),
        sa.Column("score_time_decay", sa.Float(), nullable=False),
        sa.Column("primary_item_id", sa.String(length=64), nullable=False),
        sa.Column("summarizer", sa.String(length=200), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("coverage_item_ids", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_stories_cluster_id_clusters")
        ),
        sa.ForeignKeyConstraint(
            ["primary_item_id"], ["items.id"], name=op.f("fk_stories_primary_item_id_items")
        ),
        sa.PrimaryKeyConstraint("cluster_id", name=op.f("pk_stories")),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index("ix_stories_score", ["score"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index("ix_stories_score")

    op.drop_table("stories")
    op.drop_table("item_duplicates")
    with op.batch_alter_table("cluster_members", schema=None) as batch_op:
        batch_op.drop_index("ix_cluster_members_cluster")

    op.drop_table("cluster_members")
    op.drop_table("source_state")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_published_at")

    op.drop_table("items")
    with op.batch_alter_table("fetch_log", schema=None) as batch_op:
        batch_op.drop_index("ix_fetch_log_source_started")

    op.drop_table("fetch_log")
    op.drop_table("sources")
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.drop_index("ix_clusters_last_updated")

    op.drop_table("clusters")
