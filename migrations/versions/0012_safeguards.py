"""date limits of date questions; the built-in questionnaire's adoption date is in the past

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-07 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases, as 0010 does.
    op.add_column("question", sa.Column("min_date", sa.String(10), nullable=True))
    op.add_column("question", sa.Column("max_date", sa.String(10), nullable=True))
    # The built-in questionnaire asks when the last strategy was adopted: never in
    # the future (its data file says the same for new installations).
    op.execute(
        "UPDATE question SET min_date = '1990-01-01', max_date = 'today' "
        "WHERE name = 'strategy_date' AND type = 'date' AND version_id IN ("
        "SELECT questionnaire_version.id FROM questionnaire_version "
        "JOIN questionnaire ON questionnaire.id = questionnaire_version.questionnaire_id "
        "WHERE questionnaire.name = 'city_needs')"
    )


def downgrade():
    op.execute("ALTER TABLE question DROP COLUMN max_date")
    op.execute("ALTER TABLE question DROP COLUMN min_date")
