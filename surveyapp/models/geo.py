from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db

# The registry imports nothing of the app: models may read it.
from surveyapp.languages.registry import SOURCE_LANGUAGE, is_cyrillic, spoken_language
from surveyapp.languages.transliteration import (
    cyrillic_to_latin,
    macedonian_to_serbian,
    serbian_to_macedonian,
)

#: Languages whose readers know Kosovo's municipalities by their Serbian names
#: (Leposavić, Zvečan), in their own script.
SERBIAN_NAME_READERS = frozenset({"sr", "bs", "cnr", "hr"})


class Country(db.Model):
    """A country or territory of the region."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: AL, BA, XK, ME, MK, RS
    code: Mapped[str] = mapped_column(String(2), unique=True)
    #: The country's name in each of the app's languages: {"en": "Albania", ...}
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Our language codes that officials there work in, most used first.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="country")

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get(SOURCE_LANGUAGE) or self.code


class Municipality(db.Model):
    """A local self-government unit (municipality, city, district)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"), index=True)
    #: Stable ASCII slug, e.g. "mk-cair".
    code: Mapped[str] = mapped_column(String(64), unique=True)
    #: FBiH / RS / BD in Bosnia and Herzegovina, "city" for the City of Skopje.
    entity: Mapped[str | None] = mapped_column(String(8))
    #: Official name in Latin script, in the majority local language.
    name_latn: Mapped[str] = mapped_column(String(120))
    #: Official Cyrillic name where a Cyrillic-script language is official.
    name_cyrl: Mapped[str | None] = mapped_column(String(120))
    #: Albanian name where Albanian is official or co-official.
    name_sq: Mapped[str | None] = mapped_column(String(120))
    #: Names in further languages where the language has a form of its own, not the
    #: official name in its letters: {"mk": "Белград"}, {"sr": "Драч", "mk": "Драч"}.
    names: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    country: Mapped[Country] = relationship(back_populates="municipalities")

    def name(self, lang: str) -> str:
        """The name a reader of ``lang`` expects, where the data has one:

        - Albanian pages: the Albanian name (Kosovo, Albania, and where Albanian is
          co-official), else the official Latin name;
        - Kosovo's municipalities on Serbian, Bosnian, Montenegrin and Croatian pages:
          their Serbian names (Лепосавић on Serbian Cyrillic pages, Leposavić on Latin
          ones), not the Albanian forms;
        - a name of the reader's language's own where the data has one (``names``:
          Белград in Macedonian, Драч in Serbian);
        - Cyrillic pages (mk, sr): the Cyrillic name in the reader's letters: a Serbian
          name on a Macedonian page takes Ѓ and Ќ for Ђ and Ћ (Ѓаковица, Ќуприја), a
          Macedonian name on a Serbian page the other way round (Ђорче Петров), and a
          Serbian Latin page reads the Serbian page's name transliterated;
        - otherwise the official Latin name.

        Two entities of Bosnia and Herzegovina have a municipality of the same
        name (Kupres, Trnovo); their codes end in the entity, and their names
        carry it, so that nobody picks or reads the wrong one.
        """
        spoken = spoken_language(lang)
        cyrillic = is_cyrillic(lang)
        name = self.name_latn
        if spoken == "sq":
            name = self.name_sq or name
        elif (self.names or {}).get(spoken):
            # A name of the language's own (Белград on a Macedonian page; Драч, Drač
            # on Serbian ones).
            name = (self.names or {})[spoken]
            if not cyrillic:
                name = cyrillic_to_latin(name)
        elif self.name_cyrl and (
            spoken in ("mk", "sr")
            or (spoken in SERBIAN_NAME_READERS and self.code.startswith("xk-"))
        ):
            # The name as a Cyrillic page of the spoken language has it...
            macedonian = self.code.startswith("mk-")
            if spoken == "mk":
                name = self.name_cyrl if macedonian else serbian_to_macedonian(self.name_cyrl)
            else:
                name = macedonian_to_serbian(self.name_cyrl) if macedonian else self.name_cyrl
            # ... and on a Latin page (Serbian Latin, Bosnian...), transliterated.
            if not cyrillic:
                name = cyrillic_to_latin(name)
        entity = SHARED_NAME_ENTITIES.get(self.code.rsplit("-", 1)[-1])
        if entity:
            name = f"{name} ({entity[1] if cyrillic else entity[0]})"
        return name


#: Last part of a code -> the entity's abbreviation (Latin, Cyrillic), for shared names.
SHARED_NAME_ENTITIES = {"fbih": ("FBiH", "ФБиХ"), "rs": ("RS", "РС")}
