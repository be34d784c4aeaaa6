"""rounds: series of campaigns and item matches; response counts per group and
counts of free-text answers kept at submit (the needs profile no longer reads
response or answer rows for them)

Revision ID: 0018_rounds
Revises: 0017
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_rounds"
down_revision = "0017"
branch_labels = None
depends_on = None

#: The same figures as surveyapp.profiles.count_rebuild.rebuild, in plain SQL.
BACKFILL = [
    """
    INSERT INTO profile_response_count
        (campaign_id, municipality_id, role, self_registered, responses)
    SELECT r.campaign_id, r.municipality_id, r.role, r.self_registered, COUNT(*)
    FROM response r
    WHERE r.status = 'submitted' AND (r.review IS NULL OR r.review = 'accepted')
      AND r.marked IS NULL
    GROUP BY r.campaign_id, r.municipality_id, r.role, r.self_registered
    """,
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, score, self_registered,
         responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, '', NULL,
           r.self_registered, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND (r.review IS NULL OR r.review = 'accepted')
      AND r.marked IS NULL AND q.type IN ('short_text', 'long_text')
      AND a.text IS NOT NULL AND a.text != ''
    GROUP BY r.campaign_id, r.municipality_id, r.role, r.self_registered, a.question_id
    """,
    # The first page's indicators: single choices by choice, dates by year.
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, score, self_registered,
         responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, a.choice, NULL,
           r.self_registered, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND (r.review IS NULL OR r.review = 'accepted')
      AND r.marked IS NULL AND q.type = 'single_choice' AND a.choice IS NOT NULL
    GROUP BY r.campaign_id, r.municipality_id, r.role, r.self_registered, a.question_id,
             a.choice
    """,
    """
    INSERT INTO profile_count
        (campaign_id, municipality_id, role, question_id, choice, score, self_registered,
         responses)
    SELECT r.campaign_id, r.municipality_id, r.role, a.question_id, SUBSTR(a.text, 1, 4), NULL,
           r.self_registered, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND (r.review IS NULL OR r.review = 'accepted')
      AND r.marked IS NULL AND q.type = 'date' AND a.text IS NOT NULL AND a.text != ''
    GROUP BY r.campaign_id, r.municipality_id, r.role, r.self_registered, a.question_id,
             SUBSTR(a.text, 1, 4)
    """,
]

#: Number answers by value; the value written out as surveyapp.profiles.count_tables.number_key.
NUMBERS = """
    SELECT r.campaign_id, r.municipality_id, r.role, r.self_registered, a.question_id,
           a.number, COUNT(*)
    FROM response r
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id
    WHERE r.status = 'submitted' AND (r.review IS NULL OR r.review = 'accepted')
      AND r.marked IS NULL AND q.type = 'number' AND a.number IS NOT NULL
    GROUP BY r.campaign_id, r.municipality_id, r.role, r.self_registered, a.question_id,
             a.number
"""


def upgrade():
    op.create_table(
        "round_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "series_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["series_id"], ["round_series.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series_id", "campaign_id"),
    )
    op.create_index("ix_series_round_series_id", "series_round", ["series_id"])
    op.create_table(
        "item_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("question_name", sa.String(length=64), nullable=False),
        sa.Column("matches", sa.String(length=64), nullable=True),
        sa.Column("comparable", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["series_id"], ["round_series.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series_id", "campaign_id", "question_name"),
    )
    op.create_index("ix_item_match_series_id", "item_match", ["series_id"])
    op.create_table(
        "profile_response_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("self_registered", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "campaign_id",
            "municipality_id",
            "role",
            "self_registered",
            name="uq_profile_response_count_key",
        ),
    )
    op.create_table(
        "profile_country_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("self_registered", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["country_id"], ["country.id"]),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "campaign_id", "country_id", "role", "question_id", "choice", "self_registered",
            name="uq_profile_country_count_key",
        ),
    )  # fmt: skip
    op.create_index(
        "ix_response_campaign_submitted", "response", ["campaign_id", "submitted_at", "id"]
    )
    op.create_index(
        "ix_profile_count_campaign_question",
        "profile_count",
        ["campaign_id", "question_id", "score", "role", "municipality_id", "self_registered",
         "responses"],
    )  # fmt: skip
    backfill(op.get_bind())


COUNTRIES = """
    INSERT INTO profile_country_count
        (campaign_id, country_id, role, question_id, choice, score, self_registered, responses)
    SELECT c.campaign_id, m.country_id, c.role, c.question_id, c.choice, MAX(c.score),
           c.self_registered, SUM(c.responses)
    FROM profile_count c
    JOIN municipality m ON m.id = c.municipality_id
    GROUP BY c.campaign_id, m.country_id, c.role, c.question_id, c.choice, c.self_registered
"""


def backfill(connection) -> None:
    """Fill the new counts (response counts, free text, indicators, per country) from the
    responses and the municipalities' counts."""
    for statement in BACKFILL:
        connection.execute(sa.text(statement))
    counts: dict[tuple, int] = {}
    for campaign, town, role, opened, question, number, count in connection.execute(
        sa.text(NUMBERS)
    ):
        key = (campaign, town, role, bool(opened), question, f"{number:.12g}")
        counts[key] = counts.get(key, 0) + count
    if counts:
        connection.execute(
            sa.text(
                "INSERT INTO profile_count (campaign_id, municipality_id, role, self_registered,"
                " question_id, choice, score, responses) VALUES (:campaign, :town, :role,"
                " :opened, :question, :choice, :score, :count)"
            ),
            [
                dict(zip(("campaign", "town", "role", "opened", "question", "choice"), key))
                | {"score": float(key[5]), "count": count}
                for key, count in counts.items()
            ],
        )
    connection.execute(sa.text("DELETE FROM profile_country_count"))
    connection.execute(sa.text(COUNTRIES))


def downgrade():
    op.execute(
        sa.text(
            "DELETE FROM profile_count WHERE question_id IN (SELECT id FROM question"
            " WHERE type IN ('short_text', 'long_text', 'single_choice', 'number', 'date'))"
        )
    )
    op.drop_index("ix_profile_count_campaign_question", table_name="profile_count")
    op.drop_table("profile_country_count")
    op.drop_index("ix_response_campaign_submitted", table_name="response")
    op.drop_table("profile_response_count")
    op.drop_index("ix_item_match_series_id", table_name="item_match")
    op.drop_table("item_match")
    op.drop_index("ix_series_round_series_id", table_name="series_round")
    op.drop_table("series_round")
    op.drop_table("round_series")
