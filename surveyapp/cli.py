"""Flask commands: ``flask --app surveyapp <command>``."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click
from flask import Flask, url_for

from surveyapp.accounts import two_factor
from surveyapp.accounts import users as accounts
from surveyapp.core.database import write_transaction
from surveyapp.demo import open_campaign
from surveyapp.extensions import db
from surveyapp.languages import catalog_files
from surveyapp.languages.catalog_checks import (
    CatalogReport,
    check_po_file,
    check_variant_po_file,
)
from surveyapp.languages.registry import SOURCE_LANGUAGE, TRANSLATED_LANGUAGES, VARIANTS
from surveyapp.models import STAFF_ROLES
from surveyapp.places import reference_data
from surveyapp.questionnaires import definition_file, texts
from surveyapp.questionnaires.translation import po_files
from surveyapp.questionnaires.xlsform.importer import import_xlsform


def register_cli(app: Flask) -> None:
    register_translate_cli(app)
    register_user_cli(app)
    register_backup_cli(app)
    register_xlsform_cli(app)
    register_profile_cli(app)
    register_retention_cli(app)

    @app.cli.command("seed")
    def seed() -> None:
        """Load countries, municipalities, the built-in questionnaire and a demo campaign.

        Safe to run again: only what is missing is added.
        """
        counts = reference_data.load_reference_data()
        version = definition_file.load_questionnaire()
        campaign = open_campaign.ensure_demo_campaign(version)
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
        click.echo(catalog_files.extract())

    @translate.command("update")
    def update_command() -> None:
        """Extract, then merge into every language's messages.po."""
        catalog_files.extract()
        for variant, gone in catalog_files.update().items():
            for msgid in gone:
                click.echo(
                    f"{variant}: override of {msgid!r} is obsolete (its source string changed)"
                )

    @translate.command("compile")
    def compile_command() -> None:
        """Compile every messages.po to messages.mo."""
        for path in catalog_files.compile_catalogs():
            click.echo(f"compiled {_shown(path)}")

    register_translation_checks(translate)


def _version_or_fail(name: str):
    version = texts.latest_version(name)
    if version is None:
        raise click.BadParameter(f"no questionnaire named {name!r}", param_hint="NAME")
    return version


def _shown(path: Path) -> str:
    return (
        str(path.relative_to(catalog_files.ROOT))
        if path.is_relative_to(catalog_files.ROOT)
        else str(path)
    )


def interface_reports() -> dict[str, CatalogReport]:
    return {
        code: check_po_file(catalog_files.po_path(code), code)
        for code in catalog_files.catalog_languages()
        if catalog_files.po_path(code).exists()
    }


def variant_reports() -> dict[str, CatalogReport]:
    """The regional variants' override catalogs, checked against the template."""
    return {
        variant: check_variant_po_file(
            catalog_files.variant_po_path(variant), variant, catalog_files.POT
        )
        for variant in VARIANTS
        if catalog_files.variant_po_path(variant).exists()
    }


def register_translation_checks(translate: click.Group) -> None:
    @translate.command("check")
    def check_command() -> None:
        """Fail on broken placeholders, wrong plural forms, fuzzy or untranslated entries."""
        failed = False
        for code in catalog_files.catalog_languages():
            path = catalog_files.po_path(code)
            if not path.exists():
                click.echo(f"{code}: catalog {path} is missing")
                failed = True
                continue
            report = check_po_file(path, code)
            for problem in report.problems:
                click.echo(f"{_shown(path)}:{problem.line}: {problem.message}")
            failed = failed or not report.ok
        for report in variant_reports().values():
            for problem in report.problems:
                click.echo(f"{_shown(Path(report.path))}:{problem.line}: {problem.message}")
            failed = failed or not report.ok
        if failed:
            raise SystemExit(1)
        click.echo("All catalogs are complete and consistent.")

    @translate.command("status")
    def status_command() -> None:
        """Per language: the interface, and each questionnaire's texts."""
        click.echo(
            f"{'language':<9} {'part':<28} {'translated':>11} {'fuzzy/outdated':>15} {'missing':>8}"
        )
        for code, report in interface_reports().items():
            click.echo(
                f"{code:<9} {'interface':<28} {report.translated:>7}/{report.total:<3} "
                f"{report.fuzzy:>15} {report.untranslated:>8}"
            )
        for variant, report in variant_reports().items():
            click.echo(
                f"{variant:<9} {'interface (overrides)':<28} "
                f"{report.translated:>7}/{report.total:<3} "
                f"{report.fuzzy:>15} {report.untranslated:>8}"
            )
        for version in texts.latest_versions():
            part = f"{version.questionnaire.name} v{version.number}"
            for code, status in texts.translation_status(version.id).items():
                if code == SOURCE_LANGUAGE:
                    continue
                click.echo(
                    f"{code:<9} {part:<28} {status.current:>7}/{status.total:<3} "
                    f"{status.outdated:>15} {status.missing:>8}"
                )
            for variant, kept in texts.variant_status(version.id).items():
                label = f"{part} (overrides)"
                click.echo(
                    f"{variant:<9} {label:<28} {kept.overrides - kept.outdated:>7}/"
                    f"{kept.overrides:<3} {kept.outdated:>15} {0:>8}"
                )

    @translate.command("export-questionnaire")
    @click.argument("name")
    @click.option("--language", "lang", help="Our language code; omit for a .pot template.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
    def export_command(name: str, lang: str | None, output: Path | None) -> None:
        """Write a questionnaire's texts as a .po (or .pot) catalog."""
        version = _version_or_fail(name)
        if lang and lang not in TRANSLATED_LANGUAGES:
            raise click.BadParameter(
                f"choose one of {', '.join(TRANSLATED_LANGUAGES)}", param_hint="--language"
            )
        data = po_files.export_catalog(version.id, lang)
        output = output or Path(f"{name}.{lang}.po" if lang else f"{name}.pot")
        output.write_bytes(data)
        click.echo(f"wrote {output}")

    @translate.command("import-questionnaire")
    @click.argument("name")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--language", "lang", help="Expected language; defaults to the file's header.")
    def import_command(name: str, path: Path, lang: str | None) -> None:
        """Check a translated .po and apply it whole, or change nothing."""
        version = _version_or_fail(name)
        report = po_files.import_catalog(version.id, path.read_bytes(), lang)
        for problem in report.problems:
            click.echo(f"{path}:{problem.line}: {problem.message}")
        if not report.applied:
            click.echo("Nothing was changed.")
            raise SystemExit(1)
        click.echo(f"{report.lang}: {len(report.changes)} texts updated.")


def register_user_cli(app: Flask) -> None:
    @app.cli.group("users")
    def users() -> None:
        """Staff users."""

    @users.command("create")
    @click.argument("email")
    @click.option("--role", type=click.Choice(STAFF_ROLES), default="admin", show_default=True)
    @click.option("--name", default="")
    def create_command(email: str, role: str, name: str) -> None:
        """Create a staff account. The password comes from SURVEYAPP_PASSWORD or a prompt."""
        password = os.environ.get("SURVEYAPP_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        try:
            user = accounts.create_user(email, password, role, name)
        except accounts.AccountError as error:
            raise click.ClickException(USER_ERRORS.get(error.code, error.code)) from None
        click.echo(f"Created {user.role} account {user.email}.")

    @users.command("reset-two-factor")
    @click.argument("email")
    def reset_two_factor_command(email: str) -> None:
        """Turn two-factor sign-in off for a staff member who lost their phone.

        Their sessions end too; they sign in with the password and set it up again.
        """
        user = accounts.find_user(email)
        if user is None:
            raise click.ClickException("No account has that e-mail address.")
        two_factor.turn_off(user)
        accounts.end_sessions(user)
        click.echo(f"Two-factor sign-in is off for {user.email}; their sessions have ended.")


USER_ERRORS = {
    "bad_email": "That is not an e-mail address.",
    "too_short": f"The password needs at least {accounts.MIN_PASSWORD_LENGTH} characters.",
    "common": "That password is too easy to guess (or has the name or e-mail in it).",
    "exists": "An account with that e-mail address exists already.",
}


def register_backup_cli(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(target: Path) -> None:
        """Copy the SQLite database to TARGET while the app keeps running (online backup)."""
        url = db.engine.url
        if url.get_backend_name() != "sqlite" or not url.database:
            raise click.ClickException(
                "This is not a SQLite database: back up PostgreSQL with pg_dump (see README)."
            )
        if target.exists():
            raise click.ClickException(f"{target} exists already; choose a new file.")
        source = sqlite3.connect(url.database)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        click.echo(f"Backed up {url.database} to {target}.")


def register_xlsform_cli(app: Flask) -> None:
    @app.cli.command("import-xlsform")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--name", help="Short name of the new questionnaire (default: the form_id).")
    def import_command(path: Path, name: str | None) -> None:
        """Import an XLSForm (.xlsx or .xls) as a new draft questionnaire."""
        result = import_xlsform(path.read_bytes(), path.name, name)
        for warning in result.warnings:
            click.echo(f"warning: {warning}")
        for error in result.errors:
            click.echo(f"error: {error}")
        if result.version is None:
            raise click.ClickException("Nothing was imported.")
        click.echo(
            f"Imported {result.version.questionnaire.name} as a draft "
            f"(version {result.version.number})."
        )

    @app.cli.command("export-xlsform")
    @click.argument("name")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
    def export_command(name: str, output: Path | None) -> None:
        """Export a questionnaire's newest version as an XLSForm .xlsx."""
        version = _version_or_fail(name)
        output = output or Path(f"{name}.xlsx")
        from surveyapp.questionnaires.xlsform.exporter import export_xlsform  # openpyxl: 29 MB

        output.write_bytes(export_xlsform(version.id))
        click.echo(f"wrote {output}")


def register_profile_cli(app: Flask) -> None:
    from surveyapp.profiles import count_rebuild

    @app.cli.group("profiles")
    def profiles_group() -> None:
        """Needs profiles: the count tables behind them."""

    @profiles_group.command("rebuild")
    @click.option("--campaign", "campaign_id", type=int, help="Only this campaign (id).")
    @write_transaction()
    def rebuild_command(campaign_id: int | None) -> None:
        """Recompute the profile counts from the submitted answers."""
        count_rebuild.rebuild(campaign_id)
        db.session.commit()
        scope = f"campaign {campaign_id}" if campaign_id is not None else "all campaigns"
        click.echo(f"Rebuilt the profile counts of {scope}.")


def register_retention_cli(app: Flask) -> None:
    from surveyapp.responses import retention

    @app.cli.group("retention")
    def retention_group() -> None:
        """Retention: delete campaigns' personal data once their period is over."""

    @retention_group.command("apply")
    @click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
    def apply_command(dry_run: bool) -> None:
        """Delete the responses, answers and invitation links of campaigns past their
        retention period (the profile counts and the audit log stay). Run it daily."""
        due = retention.apply(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for item in due:
            click.echo(
                f"{verb} campaign {item.campaign_id} ({item.name}): {item.responses} responses, "
                f"{item.invitations} invitations (retention ended {item.due_since:%Y-%m-%d})."
            )
        if not due:
            click.echo("No campaign is past its retention period.")
