"""score counts of peer learning, filled from the submitted responses; an index
for its count of submitted responses per municipality and language

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The same figures as surveyapp.profile_counts.rebuild, in plain SQL (SQLite and PostgreSQL).
#: Grouped per response first, so that respondents counts responses.
BACKFILL = [
    """
    INSERT INTO profile_score_count
        (campaign_id, municipality_id, domain_id, measure, score_sum, scores, respondents)
    SELECT p.campaign_id, p.municipality_id, p.domain_id, p.measure,
           SUM(p.score_sum), SUM(p.scores), COUNT(*)
    FROM (
        SELECT r.campaign_id, r.municipality_id, q.domain_id, q.measure,
               SUM(a.number) AS score_sum, COUNT(*) AS scores
        FROM response r
        JOIN answer a ON a.response_id = r.id
        JOIN question q ON q.id = a.question_id
        WHERE r.status = 'submitted' AND q.type = 'scale' AND q.domain_id IS NOT NULL
          AND q.measure IN ('need', 'capacity') AND a.number IS NOT NULL
        GROUP BY r.id, r.campaign_id, r.municipality_id, q.domain_id, q.measure
    ) p
    GROUP BY p.campaign_id, p.municipality_id, p.domain_id, p.measure
    """,
]


def backfill(connection) -> None:
    """Fill the (empty) score count table from the submitted responses."""
    for statement in BACKFILL:
        connection.execute(sa.text(statement))


def upgrade():
    op.create_table(
        "profile_score_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=10), nullable=False),
        sa.Column("score_sum", sa.Double(), nullable=False),
        sa.Column("scores", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_profile_score_count_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name=op.f("fk_profile_score_count_domain_id_domain")),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipality.id"], name=op.f("fk_profile_score_count_municipality_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_score_count")),
        sa.UniqueConstraint(
            "campaign_id", "municipality_id", "domain_id", "measure", name="uq_profile_score_count_key"
        ),
    )
    op.create_index(
        "ix_response_campaign_status_municipality_language",
        "response",
        ["campaign_id", "status", "municipality_id", "language"],
    )
    backfill(op.get_bind())


def downgrade():
    op.drop_index("ix_response_campaign_status_municipality_language", table_name="response")
    op.drop_table("profile_score_count")
