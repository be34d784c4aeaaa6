from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired

from surveyapp.core.form_fields import at_most
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.registry import LANGUAGES, TRANSLATED_LANGUAGES, VARIANTS
from surveyapp.questionnaires.texts import MAX_TEXT_LENGTH


def _language_choices() -> list[tuple[str, str]]:
    return [(code, f"{LANGUAGES[code].autonym} ({code})") for code in TRANSLATED_LANGUAGES] + [
        (code, f"{variant.name} ({code})") for code, variant in VARIANTS.items()
    ]


class CatalogUploadForm(FlaskForm):
    #: "" (the default): the language the file's ``Language`` header names.
    language = SelectField(_l("Language of the catalog"), validate_choice=False, default="")
    catalog = FileField(
        _l("Translated .po file"), validators=[FileRequired(_l("Please choose a file."))]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = [
            ("", str(_l("As the file says (its “Language” header)"))),
            *_language_choices(),
        ]


class TranslationForm(FlaskForm):
    text = TextAreaField(
        _l("Translation"),
        validators=[InputRequired(_l("Please enter the translation.")), at_most(MAX_TEXT_LENGTH)],
    )
