"""near duplicates: an item may point at the earlier item it nearly copies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("near_duplicate_of", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_items_near_duplicate_of_items"), "items", ["near_duplicate_of"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_items_near_duplicate_of_items"), type_="foreignkey")
        batch_op.drop_column("near_duplicate_of")
