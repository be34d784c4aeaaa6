"""count tables of the needs profiles, filled from the submitted responses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 18:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The same figures as surveyapp.profile_counts.rebuild, in plain SQL (SQLite and PostgreSQL).
BACKFILL = [
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, score, responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, a.choice, MAX(a.number), COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND q.type = 'scale' AND a.choice IS NOT NULL
    GROUP BY r.campaign_id, r.municipality_id, r.role, a.question_id, a.choice
    """,
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, score, responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, '', NULL, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND q.type = 'multiple_choice'
    GROUP BY r.campaign_id, r.municipality_id, r.role, a.question_id
    """,
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, score, responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, s.value, NULL, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    JOIN answer_selection s ON s.answer_id = a.id
    WHERE r.status = 'submitted' AND q.type = 'multiple_choice'
    GROUP BY r.campaign_id, r.municipality_id, r.role, a.question_id, s.value
    """,
    """
    INSERT INTO profile_domain_count (campaign_id, municipality_id, role, domain_id, respondents)
    SELECT p.campaign_id, p.municipality_id, p.role, p.domain_id, COUNT(*)
    FROM (
        SELECT r.campaign_id, r.municipality_id, r.role, q.domain_id
        FROM response r
        JOIN answer a ON a.response_id = r.id
        JOIN question q ON q.id = a.question_id
        WHERE r.status = 'submitted' AND q.type = 'scale' AND q.domain_id IS NOT NULL
          AND q.measure IS NOT NULL AND q.measure <> '' AND a.number IS NOT NULL
        GROUP BY r.id, r.campaign_id, r.municipality_id, r.role, q.domain_id
    ) p
    GROUP BY p.campaign_id, p.municipality_id, p.role, p.domain_id
    """,
]


def backfill(connection) -> None:
    """Fill the (empty) count tables from the submitted responses."""
    for statement in BACKFILL:
        connection.execute(sa.text(statement))


def upgrade():
    op.create_table(
        "profile_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_profile_count_campaign_id_campaign")),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_profile_count_municipality_id_municipality")
        ),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], name=op.f("fk_profile_count_question_id_question")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_count")),
        sa.UniqueConstraint(
            "campaign_id", "municipality_id", "role", "question_id", "choice", name="uq_profile_count_key"
        ),
    )
    op.create_index(
        "ix_profile_count_rollup",
        "profile_count",
        ["role", "question_id", "choice", "score", "campaign_id", "municipality_id", "responses"],
    )
    op.create_table(
        "profile_domain_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_profile_domain_count_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name=op.f("fk_profile_domain_count_domain_id_domain")),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_profile_domain_count_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_domain_count")),
        sa.UniqueConstraint(
            "campaign_id", "municipality_id", "role", "domain_id", name="uq_profile_domain_count_key"
        ),
    )
    backfill(op.get_bind())


def downgrade():
    op.drop_table("profile_domain_count")
    op.drop_index("ix_profile_count_rollup", table_name="profile_count")
    op.drop_table("profile_count")
