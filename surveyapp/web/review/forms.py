from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from surveyapp.campaigns.roles import role_choices
from surveyapp.core.form_fields import MultiCheckboxField as CheckboxesField
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import Country
from surveyapp.places import by_name


class InviteForm(FlaskForm):
    countries = CheckboxesField(_l("All municipalities of"), validate_choice=False)
    municipalities = SelectMultipleField(_l("Or choose municipalities"), validate_choice=False)
    roles = CheckboxesField(_l("Roles to invite"), validate_choice=False)
    language = SelectField(_l("Language of the invitation"), validate_choice=False)
    #: Shown once some chosen municipalities and roles already have links.
    duplicates = RadioField(
        _l("Municipalities and roles that already have a link"),
        choices=[
            SelectChoice("skip", _l("Skip them: invite only those without a link (recommended)")),
            SelectChoice(
                "new", _l("Make new links for them anyway (their earlier links keep working)")
            ),
        ],
        default="skip",
    )

    def set_choices(
        self,
        countries: list[Country],
        lang: str,
        country: str = "",
        search: str = "",
        languages: list[str] | None = None,
    ) -> None:
        """Choices in ``lang``; the municipalities narrowed to ``country`` and to names
        containing ``search`` (any case), as the page's GET filter asks; the invitation's
        language one of ``languages`` (the campaign's; None: any)."""
        self.countries.choices = [SelectChoice(c.code, c.name(lang)) for c in countries]
        needle = search.strip().casefold()
        self.municipalities.choices = [
            SelectChoice(m.code, m.name(lang), optgroup=c.name(lang))
            for c in countries
            if not country or c.code == country
            for m in by_name(c.municipalities, lang)
            if not needle or needle in m.name(lang).casefold() or needle in m.code
        ]
        self.roles.choices = [SelectChoice(value, label) for value, label in role_choices()]
        self.language.choices = [SelectChoice("", str(_l("The respondent's browser decides")))] + [
            SelectChoice(code, language.autonym)
            for code, language in LANGUAGES.items()
            if languages is None or code in languages
        ]
