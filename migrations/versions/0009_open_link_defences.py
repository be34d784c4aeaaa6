"""open-link defences: caps per municipality and role, review of open-link responses,
self-registered responses kept apart in the count tables

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06 23:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

ROLLUP = (
    "role",
    "question_id",
    "choice",
    "score",
    "campaign_id",
    "municipality_id",
    "self_registered",
    "responses",
)

#: The count tables again, with the open-link responses kept apart (as
#: surveyapp.profiles.count_tables.rebuild does); no response is held yet.
BACKFILL = [
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, self_registered, score, responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, a.choice, r.self_registered,
           MAX(a.number), COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND q.type = 'scale' AND a.choice IS NOT NULL
    GROUP BY r.campaign_id, r.municipality_id, r.role, a.question_id, a.choice, r.self_registered
    """,
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, self_registered, score, responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, '', r.self_registered,
           NULL, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND q.type = 'multiple_choice'
    GROUP BY r.campaign_id, r.municipality_id, r.role, a.question_id, r.self_registered
    """,
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, self_registered, score, responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, s.value, r.self_registered,
           NULL, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    JOIN answer_selection s ON s.answer_id = a.id
    WHERE r.status = 'submitted' AND q.type = 'multiple_choice'
    GROUP BY r.campaign_id, r.municipality_id, r.role, a.question_id, s.value, r.self_registered
    """,
    """
    INSERT INTO profile_domain_count
        (campaign_id, municipality_id, role, domain_id, self_registered, respondents)
    SELECT p.campaign_id, p.municipality_id, p.role, p.domain_id, p.self_registered, COUNT(*)
    FROM (
        SELECT r.campaign_id, r.municipality_id, r.role, q.domain_id, r.self_registered
        FROM response r
        JOIN answer a ON a.response_id = r.id
        JOIN question q ON q.id = a.question_id
        WHERE r.status = 'submitted' AND q.type = 'scale' AND q.domain_id IS NOT NULL
          AND q.measure IS NOT NULL AND q.measure <> '' AND a.number IS NOT NULL
        GROUP BY r.id, r.campaign_id, r.municipality_id, r.role, q.domain_id, r.self_registered
    ) p
    GROUP BY p.campaign_id, p.municipality_id, p.role, p.domain_id, p.self_registered
    """,
]


def upgrade():
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("open_link_caps", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("review_open_link", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("response") as batch:
        batch.add_column(
            sa.Column("self_registered", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("review", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE response SET self_registered = (SELECT i.self_registered FROM invitation i "
        "WHERE i.id = response.invitation_id)"
    )

    op.drop_index("ix_profile_count_rollup", table_name="profile_count")
    with op.batch_alter_table("profile_count") as batch:
        batch.add_column(
            sa.Column("self_registered", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.drop_constraint("uq_profile_count_key", type_="unique")
        batch.create_unique_constraint(
            "uq_profile_count_key",
            ["campaign_id", "municipality_id", "role", "question_id", "choice", "self_registered"],
        )
    op.create_index("ix_profile_count_rollup", "profile_count", list(ROLLUP))
    with op.batch_alter_table("profile_domain_count") as batch:
        batch.add_column(
            sa.Column("self_registered", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.drop_constraint("uq_profile_domain_count_key", type_="unique")
        batch.create_unique_constraint(
            "uq_profile_domain_count_key",
            ["campaign_id", "municipality_id", "role", "domain_id", "self_registered"],
        )
    op.execute("DELETE FROM profile_count")
    op.execute("DELETE FROM profile_domain_count")
    for statement in BACKFILL:
        op.execute(statement)


def downgrade():
    # The open-link counts fold back into the others.
    op.execute("DELETE FROM profile_count WHERE self_registered")
    op.execute("DELETE FROM profile_domain_count WHERE self_registered")
    with op.batch_alter_table("profile_domain_count") as batch:
        batch.drop_constraint("uq_profile_domain_count_key", type_="unique")
        batch.create_unique_constraint(
            "uq_profile_domain_count_key", ["campaign_id", "municipality_id", "role", "domain_id"]
        )
        batch.drop_column("self_registered")
    op.drop_index("ix_profile_count_rollup", table_name="profile_count")
    with op.batch_alter_table("profile_count") as batch:
        batch.drop_constraint("uq_profile_count_key", type_="unique")
        batch.create_unique_constraint(
            "uq_profile_count_key",
            ["campaign_id", "municipality_id", "role", "question_id", "choice"],
        )
        batch.drop_column("self_registered")
    op.create_index(
        "ix_profile_count_rollup",
        "profile_count",
        [c for c in ROLLUP if c != "self_registered"],
    )
    with op.batch_alter_table("response") as batch:
        batch.drop_column("review")
        batch.drop_column("self_registered")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("review_open_link")
        batch.drop_column("open_link_caps")
