"""municipality.names: names in further languages where the reader's language has a
form of its own (Драч, Белград), from surveyapp/data/municipalities.csv

Revision ID: 0016_place_names
Revises: 0015
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016_place_names"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column: a plain ADD COLUMN on SQLite and PostgreSQL alike.
    op.add_column("municipality", sa.Column("names", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("municipality") as batch:
        batch.drop_column("names")
