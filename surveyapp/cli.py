"""Flask commands: ``flask --app surveyapp <command>``."""

from __future__ import annotations

import click
from flask import Flask, url_for

from surveyapp import builtin, catalogs


def register_cli(app: Flask) -> None:
    register_translate_cli(app)

    @app.cli.command("seed")
    def seed() -> None:
        """Load countries, municipalities, the built-in questionnaire and a demo campaign.

        Safe to run again: only what is missing is added.
        """
        counts = builtin.load_reference_data()
        version = builtin.load_questionnaire()
        campaign = builtin.ensure_demo_campaign(version)
        total = sum(counts.values())
        click.echo(
            f"Municipalities: {total} (" + ", ".join(f"{k} {v}" for k, v in counts.items()) + ")"
        )
        click.echo(f"Questionnaire: {version.questionnaire.name} v{version.number}")
        if campaign.open_token:
            with app.test_request_context():
                path = url_for("survey.open_campaign_link", open_token=campaign.open_token)
            click.echo(f"Demo campaign open link: {path}")


def register_translate_cli(app: Flask) -> None:
    @app.cli.group("translate")
    def translate() -> None:
        """Interface catalogs: extract, update, compile."""

    @translate.command("extract")
    def extract_command() -> None:
        """Write translations/messages.pot from code and templates."""
        click.echo(catalogs.extract())

    @translate.command("update")
    def update_command() -> None:
        """Extract, then merge into every language's messages.po."""
        catalogs.extract()
        catalogs.update()

    @translate.command("compile")
    def compile_command() -> None:
        """Compile every messages.po to messages.mo."""
        for path in catalogs.compile_catalogs():
            click.echo(f"compiled {path.relative_to(catalogs.ROOT)}")
