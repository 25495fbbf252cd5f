"""web queries: story entities, tag and entity index, full-text search, data revision

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

Adds ``stories.entities``; ``story_terms`` (tags and entities one per row, for the topic
and entity filters); the engine-specific full-text index ``event_search`` (see
``pulseaugur.storage.search``); ``data_revision`` (the counter the web cache reads);
and indexes for the timeline order, storylines and per-source figures. Existing stories
are indexed here: their tags go to ``story_terms``, their text and their items' titles
to ``event_search`` (they have no entities until they are next summarized).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pulseaugur.storage import search

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_stories = sa.table(
    "stories",
    sa.column("cluster_id", sa.Integer),
    sa.column("headline", sa.Text),
    sa.column("summary", sa.JSON),
    sa.column("impact", sa.Text),
    sa.column("tags", sa.JSON),
)
_clusters = sa.table("clusters", sa.column("id", sa.Integer), sa.column("merged_into", sa.Integer))
_members = sa.table(
    "cluster_members",
    sa.column("item_id", sa.String),
    sa.column("cluster_id", sa.Integer),
    sa.column("position", sa.Integer),
)
_items = sa.table(
    "items", sa.column("id", sa.String), sa.column("title", sa.Text), sa.column("title_en", sa.Text)
)


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("entities", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_items_source_published", ["source_id", "published_at"], unique=False
        )
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.create_index("ix_clusters_first_seen", ["first_seen"], unique=False)
        batch_op.create_index("ix_clusters_storyline", ["storyline_id"], unique=False)
    terms = op.create_table(
        "story_terms",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_story_terms_cluster_id_clusters")
        ),
        sa.PrimaryKeyConstraint("cluster_id", "kind", "key", name=op.f("pk_story_terms")),
    )
    with op.batch_alter_table("story_terms", schema=None) as batch_op:
        batch_op.create_index("ix_story_terms_kind_key", ["kind", "key"], unique=False)
    counter = op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )
    op.bulk_insert(counter, [{"id": 1, "value": 1}])
    conn = op.get_bind()
    for statement in search.create_statements(conn.dialect.name):
        op.execute(statement)
    _backfill(conn, terms)


def _backfill(conn: sa.Connection, terms: sa.Table) -> None:
    """Index the stories of live events already stored."""
    rows = conn.execute(
        sa.select(_stories)
        .join(_clusters, _clusters.c.id == _stories.c.cluster_id)
        .where(_clusters.c.merged_into.is_(None))
        .order_by(_stories.c.cluster_id)
    ).all()
    for row in rows:
        keys: dict[str, str] = {}
        for tag in row.tags:
            keys.setdefault(" ".join(tag.casefold().split()), tag)
        values = [
            {"cluster_id": row.cluster_id, "kind": "tag", "key": key, "value": value}
            for key, value in keys.items()
            if key
        ]
        if values:
            conn.execute(terms.insert(), values)
        titles = conn.execute(
            sa.select(_items.c.title, _items.c.title_en)
            .join(_members, _members.c.item_id == _items.c.id)
            .where(_members.c.cluster_id == row.cluster_id)
            .order_by(_members.c.position)
        ).all()
        document = search.document(
            row.headline,
            (sentence["text"] for sentence in row.summary),
            row.impact,
            row.tags,
            (),
            (title for item in titles for title in (item.title, item.title_en)),
        )
        search.write_document(conn, row.cluster_id, document)


def downgrade() -> None:
    for statement in search.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("data_revision")
    with op.batch_alter_table("story_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_story_terms_kind_key")
    op.drop_table("story_terms")
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.drop_index("ix_clusters_storyline")
        batch_op.drop_index("ix_clusters_first_seen")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_source_published")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("entities")
