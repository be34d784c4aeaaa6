"""choice duplicates: a list may hold one name twice (XLSForm allow_choice_duplicates)

Revision ID: 0026_choice_duplicates
Revises: 0025_import_notes
Create Date: 2026-12-07 11:10:00

"""

from alembic import op

revision = "0026_choice_duplicates"
down_revision = "0025_import_notes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("choice") as batch:
        batch.drop_constraint("uq_choice_choice_list_id_value", type_="unique")


def downgrade():
    # Each name once again: the first of a list's duplicates (lowest id) stays.
    op.execute(
        "DELETE FROM choice WHERE EXISTS (SELECT 1 FROM choice AS first "
        "WHERE first.choice_list_id = choice.choice_list_id "
        "AND first.value = choice.value AND first.id < choice.id)"
    )
    with op.batch_alter_table("choice") as batch:
        batch.create_unique_constraint("uq_choice_choice_list_id_value", ["choice_list_id", "value"])
