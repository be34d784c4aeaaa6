from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from surveyapp.core.safe_text import lazy_gettext as _l


class BounceUploadForm(FlaskForm):
    report = FileField(
        _l("Bounce messages (.eml or mbox file)"),
        validators=[FileRequired(_l("Please choose a file."))],
    )
