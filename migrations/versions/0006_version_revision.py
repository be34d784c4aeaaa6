"""a revision number on questionnaire versions, for the per-process cache

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 19:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE on both databases: a batch copy of questionnaire_version
    # would trip over the foreign keys that point at it.
    op.add_column(
        "questionnaire_version",
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade():
    # SQLite has had DROP COLUMN since 3.35 (2021).
    op.execute("ALTER TABLE questionnaire_version DROP COLUMN revision")
