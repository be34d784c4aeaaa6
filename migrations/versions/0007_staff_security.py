"""staff two-factor sign-in: the TOTP secret and the last step used

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
