"""The type column of a survey sheet's question rows: which of our question types
an XLSForm type is (``SIMPLE_TYPES``, the selects with their choice list, ODK's
``acknowledge``), and the lists that ``_from_file`` and ``_external`` selects read
(:mod:`.external_choices`), each read once per sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.xlsform import external_choices

if TYPE_CHECKING:
    from surveyapp.questionnaires.xlsform.reader import ImportedForm
    from surveyapp.questionnaires.xlsform.workbook import SheetReport

#: Device metadata: not collected, the row is skipped with a warning.
METADATA_TYPES = frozenset(
    {"deviceid", "subscriberid", "simserial", "phonenumber"}
    | {"username", "email", "audit", "start-geopoint", "imei", "uri:deviceid"}
)
#: XLSForm type → (our type, source_type kept for export).
SIMPLE_TYPES = {
    "text": ("short_text", None),
    "string": ("short_text", None),
    "integer": ("number", None),
    "int": ("number", None),
    "decimal": ("number", None),
    "range": ("number", "range"),
    "note": ("note", None),
    "date": ("date", None),
    "calculate": ("calculate", None),
    "phone number": ("short_text", "phone number"),
    "time": ("time", None),
    "datetime": ("datetime", None),
    "geopoint": ("geopoint", None),
    "gps": ("geopoint", "gps"),
    "hidden": ("hidden", None),
    "start": ("start", None),
    "end": ("end", None),
    "today": ("today", None),
    # uploads (surveyapp.uploads): "photo" is the old name of "image"
    "image": ("image", None),
    "photo": ("image", "photo"),
    "audio": ("audio", None),
    "video": ("video", None),
    "file": ("file", None),
    # no scanner on a municipal PC: the code is typed (a warning says so)
    "barcode": ("short_text", "barcode"),
}
#: ODK's "OK" tick: a single choice whose one choice is "OK" (what ODK stores).
ACKNOWLEDGE, ACKNOWLEDGED = "acknowledge", "OK"
#: Types whose rows need no label.
UNLABELLED = frozenset({"calculate", "hidden", "start", "end", "today"})
SELECT = re.compile(
    r"(select_one|select one|select_multiple|select multiple|select all that apply)"
    r"(?:\s+from)?\s+(\S+)(?:\s+(or_other|or other|or specify other))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RowType:
    """What a question row's type column says."""

    our_type: str
    #: Kept for the export (``Question.source_type``).
    source_type: str | None
    list_name: str | None
    #: The list is read from a file or an external_choices sheet (``list_name`` None: it
    #: is missing).
    external: bool = False


class RowTypes:
    """Reads the type column of the question rows of one survey sheet."""

    def __init__(self, form: ImportedForm, at: SheetReport, type_column: str) -> None:
        self.form, self.at, self.type_column = form, at, type_column
        #: (from a file, file or list name) -> the stored list's name (None: missing)
        self.external_names: dict[tuple[bool, str], str | None] = {}
        self.acknowledge_name: str | None = None

    def read(self, number: int, kind: str) -> RowType | None:
        """The row's type; None (the error reported) for a type not supported."""
        select_type, list_name = SELECT.fullmatch(kind), None
        from_file = external_choices.parse_type(kind)
        if from_file:
            list_name = self.external_list(number, *from_file)
            single = from_file[0].startswith("select_one")
            our_type = "single_choice" if single else "multiple_choice"
            source_type = f"{from_file[0]} {from_file[1]}"
            if len(source_type) > 60:
                self.at.error(
                    number, self.type_column, _l("At most %(count)d characters.") % {"count": 60}
                )
        elif select_type:
            list_name = select_type.group(2)
            if list_name not in self.form.lists:
                message = _l("There is no choice list “%(list)s” in the choices sheet.")
                self.at.error(number, self.type_column, message % {"list": list_name})
            scored = any(c.score is not None for c in self.form.lists.get(list_name, []))
            single = select_type.group(1).lower() in ("select_one", "select one")
            our_type = "multiple_choice" if not single else "scale" if scored else "single_choice"
            source_type = (select_type.group(3) or "").lower() or None
            if source_type and our_type == "scale":
                our_type = "single_choice"  # "Other" has no score
        elif kind.lower() == ACKNOWLEDGE:
            our_type, source_type = "single_choice", ACKNOWLEDGE
            list_name = self.acknowledge_list()
        elif kind.lower() in SIMPLE_TYPES:
            our_type, source_type = SIMPLE_TYPES[kind.lower()]
        else:
            message = _l("The question type “%(type)s” is not supported.")
            self.at.error(number, self.type_column, message % {"type": kind})
            return None
        return RowType(our_type, source_type, list_name, external=bool(from_file))

    def acknowledge_list(self) -> str:
        """The list of the one choice "OK" that every ``acknowledge`` question shares,
        labelled "OK" in each of the form's languages."""
        from surveyapp.questionnaires.xlsform.reader import ImportedChoice  # a cycle otherwise

        if self.acknowledge_name is None:
            self.acknowledge_name = external_choices.list_name_for(self.form, ACKNOWLEDGE)
            self.form.lists[self.acknowledge_name] = [ImportedChoice(ACKNOWLEDGED, None, None)]
            self.form.add_texts(
                text_keys.choice_label(self.acknowledge_name, ACKNOWLEDGED),
                {self.form.languages.plain(): ACKNOWLEDGED},
            )
        return self.acknowledge_name

    def external_list(self, number: int, command: str, source: str) -> str | None:
        """The stored name of a list from a file or the external_choices sheet, read now:
        a list of its own, even where the choices sheet has one of the same name; read
        once for every question that names it."""
        key = (command.endswith("from_file"), source)
        if key in self.external_names:
            return self.external_names[key]
        self.external_names[key] = self._external_list(number, command, source)
        return self.external_names[key]

    def _external_list(self, number: int, command: str, source: str) -> str | None:
        found = self.form.external.find(command, source)
        if found is None and command.endswith("external") and source in self.form.lists:
            return external_choices.copy_list(self.form, source)
        if found is None:
            if command.endswith("from_file"):
                message = _l(
                    "The choices file “%(file)s” is missing: upload it beside the form "
                    "(“Choice files”)."
                )
                self.at.error(number, self.type_column, message % {"file": source})
            else:
                message = _l(
                    "The list “%(list)s” is in no external_choices sheet: add the sheet, or "
                    "upload itemsets.csv beside the form."
                )
                self.at.error(number, self.type_column, message % {"list": source})
            return None
        list_name = external_choices.list_name_for(self.form, source)
        external_choices.read_list(self.form, found[0], found[1], list_name)
        return list_name
