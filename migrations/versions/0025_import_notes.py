"""import notes: what an XLSForm import left out when the author chose to import the rest

Revision ID: 0025_import_notes
Revises: 0020_export_files
Create Date: 2026-12-07 09:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0025_import_notes"
down_revision = "0024_uploads"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE on both databases, as in 0010 (a batch copy would trip
    # over the foreign keys that point at questionnaire_version).
    op.add_column("questionnaire_version", sa.Column("import_notes", sa.Text(), nullable=True))


def downgrade():
    op.execute("ALTER TABLE questionnaire_version DROP COLUMN import_notes")
