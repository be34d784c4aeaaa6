"""The "Outgoing mail" page, and reading bounce reports uploaded by an admin."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.mail import bounces
from surveyapp.mail.overview import overview
from surveyapp.web.mailbox import bp
from surveyapp.web.mailbox.forms import BounceUploadForm
from surveyapp.web.staff import record_action, requires

STATUS_LABELS = {
    "queued": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "bounced": _l("Bounced"),
    "cancelled": _l("Not sent"),
}
SUPPRESSION_LABELS = {"bounced": _l("Bounced"), "opted_out": _l("Opted out")}


def _page(form: BounceUploadForm, status: int = 200):
    return render_template(
        "mailbox/outbox.html",
        form=form,
        view=overview(),
        status_labels=STATUS_LABELS,
        suppression_labels=SUPPRESSION_LABELS,
    ), status


@bp.get("/<lang>/staff/mail")
@requires("manage_mail")
def outbox():
    return _page(BounceUploadForm())


@bp.route("/<lang>/staff/mail/bounces", methods=["GET", "POST"])
@requires("manage_mail")
def upload_bounces():
    if request.method == "GET":  # the form is on the outgoing-mail page
        return redirect(url_for("mailbox.outbox", _anchor="bounces"), 303)
    form = BounceUploadForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    data = form.report.data.read(bounces.MAX_UPLOAD_BYTES + 1)
    try:
        report = bounces.import_file(data, user_id=current_user.id)
    except bounces.NotAMailbox:
        form.report.errors = [
            *form.report.errors,
            _l("This file is not an e-mail message (.eml) or a mailbox (mbox) of at most 20 MB."),
        ]
        return _page(form, 422)
    record_action(
        "bounces_imported",
        messages=report.messages,
        bounced=len(report.addresses),
        ignored=report.ignored,
    )
    flash(
        _l(
            "Messages read: %(messages)d. Addresses marked as bounced: %(bounced)d. "
            "Messages that were no failure report: %(ignored)d.",
            messages=report.messages,
            bounced=len(report.addresses),
            ignored=report.ignored,
        )
    )
    return redirect(url_for("mailbox.outbox"), 303)
