"""linked urls: a social post's or aggregator entry's link to the article it discusses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("linked_url", sa.Text(), nullable=True))
        batch_op.create_index("ix_items_linked_url", ["linked_url"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_linked_url")
        batch_op.drop_column("linked_url")
