"""Serbian Cyrillic to Latin, and the Unicode form every typed text is kept in.

Serbian Latin has no catalog of its own: it is transliterated from the
Cyrillic one (Cyrillic to Latin is deterministic; the reverse is not).
"""

from __future__ import annotations

import unicodedata

_CYR_TO_LAT = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Ђ": "Đ", "Е": "E", "Ж": "Ž",
    "З": "Z", "И": "I", "Ј": "J", "К": "K", "Л": "L", "Љ": "Lj", "М": "M", "Н": "N",
    "Њ": "Nj", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T", "Ћ": "Ć", "У": "U",
    "Ф": "F", "Х": "H", "Ц": "C", "Ч": "Č", "Џ": "Dž", "Ш": "Š",
}  # fmt: skip
_CYR_TO_LAT.update({k.lower(): v.lower() for k, v in list(_CYR_TO_LAT.items())})
_DIGRAPHS = {"Љ": "LJ", "Њ": "NJ", "Џ": "DŽ"}


def cyrillic_to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic to Latin (Љ→Lj, Њ→Nj, Џ→Dž; ЉУБАВ→LJUBAV).

    Anything that is not a Serbian Cyrillic letter (placeholders such as
    ``%(name)s``, HTML, digits) is left as it is.
    """
    out = []
    for i, ch in enumerate(text):
        if ch in _DIGRAPHS:
            neighbours = text[max(i - 1, 0) : i] + text[i + 1 : i + 2]
            all_caps = any(c.isupper() for c in neighbours) and not any(
                c.islower() for c in neighbours
            )
            out.append(_DIGRAPHS[ch] if all_caps else _CYR_TO_LAT[ch])
        else:
            out.append(_CYR_TO_LAT.get(ch, ch))
    return "".join(out)


#: Serbian Cyrillic letters Macedonian does not have, and the Macedonian letters that
#: stand for the same sounds in names (Ђаковица -> Ѓаковица, Ћуприја -> Ќуприја), and back.
SERBIAN_ONLY_LETTERS = "ЂђЋћ"
_SERBIAN_TO_MACEDONIAN = str.maketrans({"Ђ": "Ѓ", "ђ": "ѓ", "Ћ": "Ќ", "ћ": "ќ"})
_MACEDONIAN_TO_SERBIAN = str.maketrans(
    {"Ѓ": "Ђ", "ѓ": "ђ", "Ќ": "Ћ", "ќ": "ћ", "Ѕ": "Дз", "ѕ": "дз"}
)


def serbian_to_macedonian(text: str) -> str:
    """A Serbian Cyrillic name in Macedonian letters (Пећ -> Пеќ); the letters both
    alphabets share (Љ, Њ, Ј, Џ) stay."""
    return text.translate(_SERBIAN_TO_MACEDONIAN)


def macedonian_to_serbian(text: str) -> str:
    """A Macedonian Cyrillic name in Serbian letters (Ѓорче Петров -> Ђорче Петров)."""
    return text.translate(_MACEDONIAN_TO_SERBIAN)


def normalise_text(text: str) -> str:
    """NFC, so that Montenegrin Ś/Ź typed as letter + accent compare equal."""
    return unicodedata.normalize("NFC", text)
