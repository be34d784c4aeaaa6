"""What stands in the way of publishing a version, every problem at once.

A version is published only when its English texts are there (title, privacy
notice and consent, every shown question's label), no page is empty, every
choice question has options, and no language is half translated: a language
with some texts but not all would silently not be offered, so staff finish it or
say, when publishing, that it is to be left out for now."""

from __future__ import annotations

from dataclasses import dataclass

from surveyapp.languages.registry import AUTHORED_LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.editing.text_edits import source_texts
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import translation_gaps, translation_status

#: English texts every version needs before it is published.
REQUIRED_TEXTS = (
    text_keys.QUESTIONNAIRE_TITLE,
    text_keys.PRIVACY_TEXT,
    text_keys.PRIVACY_CONSENT,
)


@dataclass(frozen=True)
class PublishProblem:
    """One reason not to publish: ``code`` names it, ``detail`` the names or keys."""

    #: "empty_page", "no_label", "no_choices", "no_text" or
    #: "incomplete_language"
    code: str
    detail: str = ""
    #: The language concerned ("incomplete_language").
    lang: str | None = None

    @property
    def blocks_always(self) -> bool:
        """False for a half-translated language, which staff may choose to leave out."""
        return self.code != "incomplete_language"


def publish_problems(version: QuestionnaireVersion) -> list[PublishProblem]:
    """Every problem of ``version`` (loaded with its pages), structural ones first."""
    problems: list[PublishProblem] = []
    source = source_texts(version.id)
    missing = [key for key in REQUIRED_TEXTS if not (source.get(key) or "").strip()]
    for page in version.pages:
        if not page.questions:
            problems.append(PublishProblem("empty_page", page.name))
        for q in page.questions:
            if TYPES[q.type].shown and not source.get(text_keys.question_label(q.name)):
                missing.append(text_keys.question_label(q.name))
            if q.has_choices and not (q.choice_list and q.choice_list.choices):
                problems.append(PublishProblem("no_choices", q.name))
    if missing:
        problems.append(PublishProblem("no_text", ", ".join(missing)))
    status = translation_status(version.id)
    for lang in AUTHORED_LANGUAGES:
        state = status[lang]
        if lang == SOURCE_LANGUAGE or state.translated or not (state.current or state.outdated):
            continue
        if lang in (version.withdrawn_languages or []):
            continue
        keys = [gap.key for gap in translation_gaps(version.id, lang) if gap.state == "missing"]
        problems.append(PublishProblem("incomplete_language", ", ".join(keys), lang))
    return problems
