"""Repeats in an XLSForm: ``begin repeat``/``end repeat`` and ``begin loop over <list>``/
``end loop`` rows, read into repeat pages and written back.

A repeat becomes a page of its own (``Page.repeat``): its questions are asked once per
entry. ``repeat_count`` (a number or an expression) fixes the number of entries; a loop
has one entry per choice of its list. A repeat inside a group ends the group's page: the
repeat is a page, and the group's questions after it go on a page of their own with the
group's relevance. Its ``relevant`` joins that of the groups around it. A repeat inside a
repeat is refused; a group inside a repeat is flattened into it, as groups in groups are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires import text_keys

if TYPE_CHECKING:
    from surveyapp.models import Page
    from surveyapp.questionnaires.xlsform.survey_sheet import SurveySheetReader

#: ``begin loop over <list>`` (any case, ``_`` or spaces).
BEGIN_LOOP = re.compile(r"begin[ _]+loop[ _]+over\s+(\S+)", re.IGNORECASE)
WHOLE_NUMBER = re.compile(r"\s*[0-9]{1,4}\s*")
#: Most entries a fixed repeat_count may ask for.
MAX_COUNT = 1000


def is_begin(kind: str) -> bool:
    keyword = kind.lower().replace("_", " ")
    return keyword == "begin repeat" or BEGIN_LOOP.fullmatch(kind) is not None


def is_end(kind: str) -> bool:
    return kind.lower().replace("_", " ") in ("end repeat", "end loop")


def begin(reader: SurveySheetReader, number: int, row: list[str], kind: str, name: str) -> None:
    """A ``begin repeat`` or ``begin loop over`` row: a new repeat page."""
    from surveyapp.questionnaires.xlsform.survey_sheet import ImportedPage, _Open

    at, column = reader.at, reader.type_column
    if any(o.kind == "repeat" for o in reader.open):
        at.error(number, column, _l("A repeat inside a repeat is not supported."))
    relevant = reader.expression(number, row, "relevant")
    around = [o.relevant for o in reader.open if o.relevant]
    if reader.open and reader.page is not None and reader.page.relevant:
        around.insert(0, reader.page.relevant)  # the group's page's own
    conditions = [*around, relevant] if relevant else around
    joined = (
        (" and ".join(f"({c})" for c in conditions) if len(conditions) > 1 else conditions[0])
        if conditions
        else None
    )
    repeat: dict[str, Any] = {"kind": "repeat"}
    loop = BEGIN_LOOP.fullmatch(kind)
    if loop:
        repeat = {"kind": "loop", "list": loop.group(1)}
        if loop.group(1) not in reader.form.lists:
            message = _l("There is no choice list “%(list)s” in the choices sheet.")
            at.error(number, column, message % {"list": loop.group(1)})
    count = reader.columns.value(row, "repeat_count")
    if count and loop:
        message = _l("A loop has one entry per choice: its “repeat_count” is ignored.")
        at.warn(number, reader.columns.header("repeat_count"), message)
    elif count and WHOLE_NUMBER.fullmatch(count):
        if not 1 <= int(count) <= MAX_COUNT:
            message = _l("Write a whole number from 1 to %(count)d.")
            at.error(number, reader.columns.header("repeat_count"), message % {"count": MAX_COUNT})
        repeat["count"] = str(int(count))
    elif count:
        repeat["count"] = reader.expression(number, row, "repeat_count")
    if not reader.take_name(number, name):
        name = ""
    reader.form.questions.add(name)  # ``count(${repeat})`` names it
    page = ImportedPage(name, joined, number)
    page.repeat = repeat
    reader.form.pages.append(page)
    reader.form.add_texts(text_keys.page_title(name), reader.columns.texts_of(row, "label"))
    reader.form.add_texts(text_keys.page_intro(name), reader.columns.texts_of(row, "hint"))
    reader.page = page
    reader.open.append(_Open("repeat", number, None))


def end(reader: SurveySheetReader, number: int) -> None:
    """An ``end repeat`` or ``end loop`` row. Inside a group, the group's questions that
    follow go on a new page with the group's relevance (made only if there are some)."""
    from surveyapp.questionnaires.xlsform.survey_sheet import ImportedPage

    repeat_page = reader.page
    reader.end(number, "repeat")
    if reader.open and repeat_page is not None:
        group_pages = [p for p in reader.form.pages if p.repeat is None and p.row]
        relevant = group_pages[-1].relevant if group_pages else None
        reader.page = ImportedPage(None, relevant, None)
        reader.form.pages.append(reader.page)


def drop_empty_continuations(pages: list) -> list:
    """The pages made after a repeat inside a group that got no questions, left out."""
    return [p for p in pages if p.questions or p.row is not None or p.repeat is not None]


# Export ---------------------------------------------------------------------


def begin_row(page: Page) -> dict[str, Any]:
    """The survey row opening ``page``: a group, a repeat or a loop."""
    repeat = page.repeat
    if not repeat:
        return {"type": "begin group", "name": page.name, "relevant": page.relevant}
    kind = f"begin loop over {repeat['list']}" if repeat.get("kind") == "loop" else "begin repeat"
    return {
        "type": kind,
        "name": page.name,
        "relevant": page.relevant,
        "repeat_count": _count_cell(repeat.get("count")),
    }


def end_row(page: Page) -> dict[str, Any]:
    repeat = page.repeat
    if not repeat:
        return {"type": "end group"}
    return {"type": "end loop" if repeat.get("kind") == "loop" else "end repeat"}


def _count_cell(count: str | None) -> int | str | None:
    if count and WHOLE_NUMBER.fullmatch(count):
        return int(count)
    return count or None
