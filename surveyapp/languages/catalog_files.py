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

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from surveyapp.languages.registry import LANGUAGES, VARIANTS

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = ["_", "_l", "gettext", "ngettext:1,2", "lazy_gettext", "lazy_ngettext:1,2", "N_"]


def po_path(code: str, directory: Path = TRANSLATIONS) -> Path:
    return directory / LANGUAGES[code].catalog / "LC_MESSAGES" / "messages.po"


def catalog_languages() -> list[str]:
    """Our languages that have a catalog of their own."""
    return [code for code, lang in LANGUAGES.items() if lang.catalog]


def variant_po_path(variant: str, directory: Path = TRANSLATIONS) -> Path:
    """A regional variant's override catalog (``translations/sq_XK/...``)."""
    return directory / VARIANTS[variant].catalog / "LC_MESSAGES" / "messages.po"


def catalog_files(directory: Path = TRANSLATIONS) -> list[tuple[str, Path]]:
    """(code, .po) of every interface catalog: the languages', then the variants'."""
    return [(code, po_path(code, directory)) for code in catalog_languages()] + [
        (variant, variant_po_path(variant, directory)) for variant in VARIANTS
    ]


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=None, domain="messages")


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


def update() -> dict[str, list[str]]:
    """Merge the template into every language's catalog, creating missing ones.

    Plural-Forms headers come from the language registry (``pybabel init``
    gets Macedonian wrong), and ``pybabel update`` keeps them. Returns, per regional
    variant, the overrides whose source string is gone (``update_variant``).
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
    return {variant: update_variant(variant) for variant in VARIANTS}


def update_variant(variant: str, directory: Path = TRANSLATIONS, pot: Path = POT) -> list[str]:
    """Keep a variant's overrides in step with the template; create it when missing.

    A variant holds only the strings that differ, so nothing is added: overrides
    whose source string left the code are kept as obsolete (``#~``) for the
    translator to move to the new wording, and reported. Returns their msgids.
    """
    template = read_catalog(pot)
    path = variant_po_path(variant, directory)
    language = LANGUAGES[VARIANTS[variant].language]
    if path.exists():
        catalog = read_catalog(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(project="surveyapp", copyright_holder="surveyapp", fuzzy=False)
    catalog.locale = None
    gone = []
    for message in list(catalog):
        if message.id and message.id not in template:
            gone.append(message.id if isinstance(message.id, str) else message.id[0])
            catalog.obsolete[message.id] = message  # type: ignore[index]  # babel's ids
            catalog.delete(message.id, message.context)
        elif message.id:
            source = template.get(message.id, message.context)
            message.auto_comments = list(source.auto_comments) if source else []
    with path.open("wb") as fp:
        write_po(fp, catalog, width=None, no_location=True, sort_output=True)
    _fix_header(path, variant, language.plural_forms, VARIANTS[variant].name)
    return gone


def fix_header(po: Path, code: str) -> None:
    """Our code as the catalog's language, and the registry's Plural-Forms.

    Babel would write ``sr_Latn_ME`` for Montenegrin and a wrong plural rule
    for Macedonian.
    """
    lang = LANGUAGES[code]
    _fix_header(po, code, lang.plural_forms, lang.autonym)


def _fix_header(po: Path, code: str, plural_forms: str, name: str) -> None:
    wanted = {
        "Language": f'"Language: {code}\\n"\n',
        "Language-Team": f'"Language-Team: {name} <LL@li.org>\\n"\n',
        "Plural-Forms": f'"Plural-Forms: {plural_forms}\\n"\n',
    }
    lines = po.read_text("utf-8").splitlines(keepends=True)
    written = set()
    in_header = True
    with po.open("w", encoding="utf-8") as fp:
        for number, line in enumerate(lines):
            field = line[1:].split(":", 1)[0] if line.startswith('"') else None
            if number == 0 and line.startswith("# "):
                line = f"# {name} ({code}) translations for surveyapp.\n"
            elif in_header and field in wanted:
                line = wanted[field]
                written.add(field)
            elif in_header and not line.strip():
                # A catalog Babel wrote without a locale lacks these; add them.
                fp.writelines(wanted[f] for f in wanted if f not in written)
                in_header = False
            fp.write(line)
        if in_header:
            fp.writelines(wanted[f] for f in wanted if f not in written)


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every ``<code>/LC_MESSAGES/messages.po`` to ``.mo``; fuzzy entries are left out."""
    written = []
    for _code, po in catalog_files(directory):
        if not po.exists():
            continue
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=None, domain="messages")
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        written.append(mo)
    return written
