"""The Alembic history builds the same schema as the models, on every database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from surveyapp.extensions import db


def test_migrations_match_the_models(app):
    # The test database was built by `flask db upgrade` (see conftest).
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_every_migration_can_be_undone_and_redone_on_a_database_with_content(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, inspect, select

    from surveyapp.models import Municipality

    with app.app_context():
        before = db.session.scalar(select(func.count(Municipality.id)))
        db.session.remove()
        downgrade(revision="0001")
        upgrade()
        assert "questionnaire_version" in inspect(db.engine).get_table_names()
        assert db.session.scalar(select(func.count(Municipality.id))) == before > 400
