"""repeat entries: repeat pages, answers per entry, the entries a response has

Revision ID: 0021_repeat_entries
Revises: 0020_export_files
Create Date: 2026-12-07 09:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021_repeat_entries"
down_revision = "0020_export_files"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("page") as batch:
        batch.add_column(sa.Column("repeat", sa.JSON(), nullable=True))
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("repeat_entries", sa.JSON(), nullable=True))
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("entry", sa.Integer(), server_default="0", nullable=False))
        batch.drop_constraint("uq_answer_response_id_question_id", type_="unique")
        batch.create_unique_constraint(
            "uq_answer_response_id_question_id_entry", ["response_id", "question_id", "entry"]
        )


def downgrade():
    # Answers of repeat entries other than the first cannot be kept in the old shape.
    op.execute(
        "DELETE FROM answer_selection WHERE answer_id IN (SELECT id FROM answer WHERE entry > 1)"
    )
    op.execute("DELETE FROM answer WHERE entry > 1")
    with op.batch_alter_table("answer") as batch:
        batch.drop_constraint("uq_answer_response_id_question_id_entry", type_="unique")
        batch.create_unique_constraint(
            "uq_answer_response_id_question_id", ["response_id", "question_id"]
        )
        batch.drop_column("entry")
    with op.batch_alter_table("response") as batch:
        batch.drop_column("repeat_entries")
    with op.batch_alter_table("page") as batch:
        batch.drop_column("repeat")
