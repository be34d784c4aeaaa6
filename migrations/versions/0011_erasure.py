"""erasure: deletion requests, retention per campaign, erased invitations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deletion_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deletion_request_response_id", "deletion_request", ["response_id"])
    op.create_index("ix_deletion_request_campaign_id", "deletion_request", ["campaign_id"])
    op.create_index("ix_deletion_request_status", "deletion_request", ["status"])
    # Plain ALTER TABLE ADD COLUMN on both databases, as in 0010 (a batch copy would
    # trip over the foreign keys that point at campaign and invitation).
    op.add_column("campaign", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.add_column("campaign", sa.Column("personal_data_deleted_at", sa.DateTime(), nullable=True))
    op.add_column("invitation", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.add_column("invitation", sa.Column("erasure", sa.String(length=16), nullable=True))


def downgrade():
    for table, column in (
        ("invitation", "erasure"),
        ("invitation", "erased_at"),
        ("campaign", "personal_data_deleted_at"),
        ("campaign", "retention_days"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_deletion_request_status", table_name="deletion_request")
    op.drop_index("ix_deletion_request_campaign_id", table_name="deletion_request")
    op.drop_index("ix_deletion_request_response_id", table_name="deletion_request")
    op.drop_table("deletion_request")
