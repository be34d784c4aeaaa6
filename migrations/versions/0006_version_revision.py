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
    with op.batch_alter_table("questionnaire_version") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("questionnaire_version") as batch:
        batch.drop_column("revision")
