"""briefs: the daily editions of the Brief and their ranked events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brief_editions",
        sa.Column("id", sa.String(length=10), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("min_score", sa.Float(), nullable=False),
        sa.Column("min_sources", sa.Integer(), nullable=False),
        sa.Column("max_events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brief_editions")),
    )
    op.create_table(
        "brief_entries",
        sa.Column("edition_id", sa.String(length=10), nullable=False),
        sa.Column("rank", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_brief_entries_cluster_id_clusters")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["brief_editions.id"],
            name=op.f("fk_brief_entries_edition_id_brief_editions"),
        ),
        sa.PrimaryKeyConstraint("edition_id", "rank", name=op.f("pk_brief_entries")),
    )
    with op.batch_alter_table("brief_entries", schema=None) as batch_op:
        batch_op.create_index("ix_brief_entries_cluster", ["cluster_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("brief_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_brief_entries_cluster")
    op.drop_table("brief_entries")
    op.drop_table("brief_editions")
