"""Build step for translations: compile the .po catalogs into .mo files with Babel.

Pure Python, so `make demo` works on a machine without GNU gettext; the compiled files are
build products and are not committed. Usage: python -m parcours.core.i18n compile
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every django.po under locale_dir when its .mo is missing or older."""
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        with mo_path.open("wb") as handle:
            # Fuzzy entries are guesses awaiting review: never shown to users.
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] != ["compile"]:
        sys.exit("usage: python -m parcours.core.i18n compile")
    for path in compile_catalogs():
        print(f"compiled {path.relative_to(LOCALE_DIR.parent.parent)}")
