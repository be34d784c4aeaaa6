"""engagements: the hub's support to each municipality (the engagement log)

Revision ID: 0017
Revises: 0016_place_names
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016_place_names"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "engagement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("exchange_key", sa.String(length=160), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_engagement_municipality_day", "engagement", ["municipality_id", "held_on"])
    op.create_index("ix_engagement_exchange_key", "engagement", ["exchange_key"])
    op.create_table(
        "engagement_domain",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"]),
        sa.PrimaryKeyConstraint("engagement_id", "domain_id"),
    )
    op.create_index("ix_engagement_domain_domain_id", "engagement_domain", ["domain_id"])
    op.create_table(
        "engagement_partner",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.PrimaryKeyConstraint("engagement_id", "municipality_id"),
    )
    op.create_index(
        "ix_engagement_partner_municipality_id", "engagement_partner", ["municipality_id"]
    )


def downgrade():
    op.drop_index("ix_engagement_partner_municipality_id", table_name="engagement_partner")
    op.drop_table("engagement_partner")
    op.drop_index("ix_engagement_domain_domain_id", table_name="engagement_domain")
    op.drop_table("engagement_domain")
    op.drop_index("ix_engagement_exchange_key", table_name="engagement")
    op.drop_index("ix_engagement_municipality_day", table_name="engagement")
    op.drop_table("engagement")
