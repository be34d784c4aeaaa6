"""uploads: files respondents upload as answers, kept outside the database

Revision ID: 0024_uploads
Revises: 0020_export_files
Create Date: 2026-12-07 09:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024_uploads"
down_revision = "0021_repeat_entries"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("entry_index", sa.Integer(), server_default="0", nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"]),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_stored_file_question_id", "stored_file", ["question_id"])
    op.create_index(
        "ix_stored_file_response_question", "stored_file", ["response_id", "question_id"]
    )


def downgrade():
    op.drop_index("ix_stored_file_response_question", table_name="stored_file")
    op.drop_index("ix_stored_file_question_id", table_name="stored_file")
    op.drop_table("stored_file")
