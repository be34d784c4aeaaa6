"""``flask mail ...``: send what is due here and now, read bounces."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from surveyapp.mail import bounces, delivery


@click.group("mail")
def mail_group() -> None:
    """Outgoing mail."""


@mail_group.command("send-due")
def send_due_command() -> None:
    """Send every mail that is due now, in this process (no worker needed)."""
    report = delivery.deliver_all()
    click.echo(
        f"{report.sent} sent, {report.retried} to try again later, {report.failed} failed, "
        f"{report.cancelled} not sent (suppressed address)"
    )


@mail_group.command("import-bounces")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_bounces_command(path: Path) -> None:
    """Read delivery status notifications from an .eml or mbox file."""
    try:
        report = bounces.import_file(path.read_bytes())
    except bounces.NotAMailbox as error:
        raise click.ClickException(f"{path} is not an .eml or mbox file ({error})") from error
    click.echo(
        f"{report.messages} message(s), {len(report.bounces)} failed recipient(s), "
        f"{len(report.addresses)} address(es) marked as bounced"
    )


@mail_group.command("read-bounces")
def read_bounces_command() -> None:
    """Read the bounce mailbox (MAIL_BOUNCE_IMAP_*) now."""
    report = bounces.read_imap()
    if report is None:
        raise click.ClickException("MAIL_BOUNCE_IMAP_HOST is not set")
    click.echo(
        f"{report.messages} message(s), {len(report.addresses)} address(es) marked as bounced"
    )


def register_mail_cli(app: Flask) -> None:
    app.cli.add_command(mail_group)
