"""Contacts: the list, adding, changing and deleting one, importing a file."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from surveyapp.campaigns.roles import role_choices
from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import Contact
from surveyapp.outreach import contact_import, contacts
from surveyapp.places import countries_with_municipalities
from surveyapp.web.outreach import bp
from surveyapp.web.outreach.forms import ContactForm, ImportForm
from surveyapp.web.outreach.shared import actor
from surveyapp.web.staff import requires

#: field → problem code → message (``contacts.ContactRefused``).
CONTACT_ERRORS = {
    "municipality": {
        "required": _l("Please choose the municipality."),
        "unknown": _l("Please choose one of the municipalities in the list."),
    },
    "name": {
        "required": _l("Please give the person's name."),
        "too_long": _l("Please use at most %(max)d characters.", max=contacts.MAX_NAME_LENGTH),
        "one_line": _l("The name must be one line, without tabs or control characters."),
    },
    "role": {
        "required": _l("Please choose the role."),
        "unknown": _l("Please choose one of the roles in the list."),
    },
    "email": {
        "required": _l("Please give the e-mail address."),
        "too_long": _l("Please use at most %(max)d characters.", max=contacts.MAX_EMAIL_LENGTH),
        "invalid": _l("Please give an e-mail address such as name@example.org."),
        "taken": _l("Another contact has this e-mail address."),
        "opted_out": _l(
            "This person opted out of our mails, so their address cannot change. To write "
            "to someone else, add a new contact."
        ),
    },
    "language": {
        "required": _l("Please choose the language."),
        "unknown": _l("Please choose one of the languages in the list."),
    },
}


def _form(contact: Contact | None = None) -> ContactForm:
    data = None
    if contact is not None and request.method != "POST":
        data = {
            "name": contact.name,
            "municipality": contact.municipality.code,
            "role": contact.role,
            "email": contact.email,
            "language": contact.language,
        }
    form = ContactForm(data=data)
    form.set_choices(countries_with_municipalities(g.lang), g.lang)
    return form


def _fields(form: ContactForm) -> contacts.ContactFields:
    return contacts.ContactFields(
        municipality=form.municipality.data or "",
        name=form.name.data or "",
        role=form.role.data or "",
        email=form.email.data or "",
        language=form.language.data or "",
    )


def _show_refusal(form: ContactForm, refused: contacts.ContactRefused) -> None:
    for name, code in refused.problems.items():
        getattr(form, name).errors = [CONTACT_ERRORS[name][code]]


@bp.get("/<lang>/staff/contacts")
@requires("outreach")
def contact_list():
    chosen = contacts.parse_filter(request.args)
    return render_template(
        "outreach/contacts.html",
        chosen=chosen,
        page=contacts.list_contacts(chosen),
        countries=countries_with_municipalities(g.lang),
        roles=role_choices(),
    )


@bp.route("/<lang>/staff/contacts/new", methods=["GET", "POST"])
@requires("outreach")
def new_contact():
    form = _form()
    other = None
    if form.validate_on_submit():
        try:
            contacts.add_contact(_fields(form), actor())
        except contacts.ContactRefused as refused:
            _show_refusal(form, refused)
            other = refused.other
        else:
            flash(_l("The contact was added."))
            return redirect(url_for("outreach.contact_list"), 303)
    status = 422 if form.errors else 200
    return render_template("outreach/contact.html", form=form, contact=None, other=other), status


@bp.route("/<lang>/staff/contacts/<int:contact_id>", methods=["GET", "POST"])
@requires("outreach")
def edit_contact(contact_id: int):
    contact = db.get_or_404(Contact, contact_id)
    form = _form(contact)
    other = None
    if form.validate_on_submit():
        try:
            changes = contacts.update_contact(contact.id, _fields(form), actor())
        except contacts.ContactRefused as refused:
            _show_refusal(form, refused)
            other = refused.other
        else:
            flash(_l("The contact was saved.") if changes else _l("Nothing was changed."))
            return redirect(url_for("outreach.contact_list"), 303)
    status = 422 if form.errors else 200
    return render_template(
        "outreach/contact.html",
        form=form,
        contact=contact,
        other=other,
        opted_out=contacts.opted_out(contact.email),
    ), status


@bp.route("/<lang>/staff/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
@requires("outreach")
def delete_contact(contact_id: int):
    contact = db.get_or_404(Contact, contact_id)
    form = ActionForm()
    if form.validate_on_submit():
        contacts.delete_contact(contact.id, actor())
        flash(_l("The contact was deleted."))
        return redirect(url_for("outreach.contact_list"), 303)
    return render_template("outreach/contact_delete.html", contact=contact, form=form)


@bp.route("/<lang>/staff/contacts/import", methods=["GET", "POST"])
@requires("outreach")
def import_contacts():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        report = contact_import.import_contacts(form.contacts_file.data.read(), actor())
        if report.ok:
            flash(
                _l(
                    "The contacts were imported: %(created)d added, %(updated)d updated, "
                    "%(unchanged)d unchanged; %(merged)d repeated rows merged.",
                    created=report.created,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    merged=report.merged,
                )
            )
            return redirect(url_for("outreach.contact_list"), 303)
    status = 422 if report is not None or form.errors else 200
    return render_template("outreach/import.html", form=form, report=report), status
