"""outreach: contacts, mail templates per campaign, reminder settings, invitations
made for a contact

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("opt_out_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("opt_out_token"),
    )
    op.create_index("ix_contact_municipality_id", "contact", ["municipality_id"])
    op.create_table(
        "mail_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "kind", "language"),
    )
    op.create_index("ix_mail_template_campaign_id", "mail_template", ["campaign_id"])
    # Plain ADD COLUMN on both databases (as in 0013); the foreign key of
    # invitation.contact_id needs a batch copy on SQLite (env.py turns the foreign key
    # checks off around it).
    op.add_column(
        "campaign",
        sa.Column("reminders_automatic", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "campaign",
        sa.Column("reminder_interval_days", sa.Integer(), server_default="7", nullable=False),
    )
    op.add_column(
        "campaign", sa.Column("reminder_limit", sa.Integer(), server_default="2", nullable=False)
    )
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_invitation_contact_id", "contact", ["contact_id"], ["id"])
        batch.create_index("ix_invitation_contact_id", ["contact_id"])
        batch.create_unique_constraint(
            "uq_invitation_campaign_contact", ["campaign_id", "contact_id"]
        )


def downgrade():
    with op.batch_alter_table("invitation") as batch:
        batch.drop_constraint("uq_invitation_campaign_contact", type_="unique")
        batch.drop_index("ix_invitation_contact_id")
        batch.drop_constraint("fk_invitation_contact_id", type_="foreignkey")
        batch.drop_column("contact_id")
    for column in ("reminder_limit", "reminder_interval_days", "reminders_automatic"):
        op.execute(f"ALTER TABLE campaign DROP COLUMN {column}")
    op.drop_index("ix_mail_template_campaign_id", table_name="mail_template")
    op.drop_table("mail_template")
    op.drop_index("ix_contact_municipality_id", table_name="contact")
    op.drop_table("contact")
