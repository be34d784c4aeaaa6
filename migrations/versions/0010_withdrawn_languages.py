"""languages withdrawn from respondents on purpose, per questionnaire version

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:59:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE on both databases, as in 0006 (a batch copy would trip
    # over the foreign keys that point at questionnaire_version).
    op.add_column(
        "questionnaire_version",
        sa.Column("withdrawn_languages", sa.JSON(), server_default="[]", nullable=False),
    )


def downgrade():
    op.execute("ALTER TABLE questionnaire_version DROP COLUMN withdrawn_languages")
