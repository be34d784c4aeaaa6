"""The interface's gettext catalogs: extract, update, compile.

Extraction and update run Babel's own ``pybabel`` so translators get the
catalogs they know; compilation uses Babel's API so it can run from the set-up
and from a test fixture without a subprocess. Compiled ``.mo`` files are never
committed.
"""

from __future__ import annotations

# bandit: subprocess only runs our own interpreter with arguments from our code.
import subprocess  # nosec B404
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from surveyapp.languages.registry import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = ["_", "_l", "gettext", "ngettext:1,2", "lazy_gettext", "N_"]


def po_path(code: str, directory: Path = TRANSLATIONS) -> Path:
    return directory / LANGUAGES[code].catalog / "LC_MESSAGES" / "messages.po"


def catalog_languages() -> list[str]:
    """Our languages that have a catalog of their own."""
    return [code for code, lang in LANGUAGES.items() if lang.catalog]


def _pybabel(*args: str) -> None:
    subprocess.run(  # nosec B603
        [sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT
    )


def extract() -> Path:
    """Write ``translations/messages.pot`` from the code and templates."""
    keyword_args = [arg for k in KEYWORDS for arg in ("-k", k)]
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        *keyword_args,
        "--add-comments=I18N:",
        "--no-location",
        "--sort-output",
        "--project=surveyapp",
        "--copyright-holder=surveyapp",
        "-o",
        str(POT),
        "surveyapp",
    )
    return POT


def update() -> None:
    """Merge the template into every language's catalog, creating missing ones.

    Plural-Forms headers come from the language registry (``pybabel init``
    gets Macedonian wrong), and ``pybabel update`` keeps them.
    """
    for code in catalog_languages():
        po = po_path(code)
        if not po.exists():
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", LANGUAGES[code].catalog)
            fix_header(po, code)
        _pybabel(
            "update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", LANGUAGES[code].catalog,
            "--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching",
        )  # fmt: skip


def fix_header(po: Path, code: str) -> None:
    """Our code as the catalog's language, and the registry's Plural-Forms.

    Babel would write ``sr_Latn_ME`` for Montenegrin and a wrong plural rule
    for Macedonian.
    """
    lang = LANGUAGES[code]
    lines = po.read_text("utf-8").splitlines(keepends=True)
    with po.open("w", encoding="utf-8") as fp:
        for number, line in enumerate(lines):
            if number == 0 and line.startswith("# "):
                line = f"# {lang.autonym} ({code}) translations for surveyapp.\n"
            elif line.startswith('"Plural-Forms:'):
                line = f'"Plural-Forms: {lang.plural_forms}\\n"\n'
            elif line.startswith('"Language:'):
                line = f'"Language: {code}\\n"\n'
            elif line.startswith('"Language-Team:'):
                line = f'"Language-Team: {lang.autonym} <LL@li.org>\\n"\n'
            fp.write(line)


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every ``<code>/LC_MESSAGES/messages.po`` to ``.mo``; fuzzy entries are left out."""
    written = []
    for code in catalog_languages():
        po = po_path(code, directory)
        if not po.exists():
            continue
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=None, domain="messages")
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        written.append(mo)
    return written
