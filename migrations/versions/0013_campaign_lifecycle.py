"""campaign lifecycle: archiving, offered languages, minimum group size; responses
marked as a test or invalid

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07 00:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ADD COLUMN on both databases, as in 0010 (a batch copy would
    # trip over the foreign keys that point at campaign and response).
    op.add_column("campaign", sa.Column("archived_at", sa.DateTime(), nullable=True))
    op.add_column("campaign", sa.Column("languages", sa.JSON(), nullable=True))
    op.add_column("campaign", sa.Column("min_group_size", sa.Integer(), nullable=True))
    op.add_column("response", sa.Column("marked", sa.String(length=16), nullable=True))
    op.add_column("response", sa.Column("marked_reason", sa.Text(), nullable=True))


def downgrade():
    for table, column in (
        ("response", "marked_reason"),
        ("response", "marked"),
        ("campaign", "min_group_size"),
        ("campaign", "languages"),
        ("campaign", "archived_at"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
