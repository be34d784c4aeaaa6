"""export files: exports written by workers, with progress, kept for a while

Revision ID: 0020_export_files
Revises: 0019_api_tokens
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020_export_files"
down_revision = "0019_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("labels", sa.String(length=10), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("leave_out_self_registered", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("file_name", sa.String(length=120), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("campaign_id", "status", "expires_at"):
        op.create_index(f"ix_export_file_{column}", "export_file", [column])


def downgrade():
    for column in ("campaign_id", "status", "expires_at"):
        op.drop_index(f"ix_export_file_{column}", table_name="export_file")
    op.drop_table("export_file")
