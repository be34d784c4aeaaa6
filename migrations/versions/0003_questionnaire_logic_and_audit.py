"""skip logic, constraints and XLSForm columns; audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("integer_only", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("relevant", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("constraint", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("calculation", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("choice_filter", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("default", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("appearance", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("source_type", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("extra", sa.JSON(), nullable=True))
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.alter_column("integer_only", server_default=None)
    with op.batch_alter_table("page", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relevant", sa.Text(), nullable=True))
    with op.batch_alter_table("choice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra", sa.JSON(), nullable=True))
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings", sa.JSON(), nullable=True))
    with op.batch_alter_table("text_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "lang", existing_type=sa.String(length=10), type_=sa.String(length=35), existing_nullable=False
        )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], name=op.f("fk_audit_event_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))
    op.drop_table("audit_event")
    with op.batch_alter_table("text_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "lang", existing_type=sa.String(length=35), type_=sa.String(length=10), existing_nullable=False
        )
    with op.batch_alter_table("questionnaire_version", schema=None) as batch_op:
        batch_op.drop_column("settings")
    with op.batch_alter_table("choice", schema=None) as batch_op:
        batch_op.drop_column("extra")
    with op.batch_alter_table("page", schema=None) as batch_op:
        batch_op.drop_column("relevant")
    with op.batch_alter_table("question", schema=None) as batch_op:
        for column in ("extra", "source_type", "appearance", "default", "choice_filter",
                       "calculation", "constraint", "relevant", "integer_only"):  # fmt: skip
            batch_op.drop_column(column)
