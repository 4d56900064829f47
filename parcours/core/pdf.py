"""Every PDF of Parcours is printed here: WeasyPrint with the fonts shipped with the product.

Letters, reports and subject access exports name only fonts declared below with @font-face
(Marianne, the state design system's typeface, from django-dsfr's pinned assets; Amiri, a
Naskh typeface under the SIL Open Font License, in parcours/static/parcours/fonts/), so
that a letter is the same PDF whatever fonts the machine happens to have (ADR 0008).
"""

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders

# (family, weight, style, static path)
FONT_FACES = [
    ("Marianne", 400, "normal", "dsfr/dist/fonts/Marianne-Regular.woff2"),
    ("Marianne", 400, "italic", "dsfr/dist/fonts/Marianne-Regular_Italic.woff2"),
    ("Marianne", 700, "normal", "dsfr/dist/fonts/Marianne-Bold.woff2"),
    ("Marianne", 700, "italic", "dsfr/dist/fonts/Marianne-Bold_Italic.woff2"),
    ("Amiri", 400, "normal", "parcours/fonts/amiri-arabic-400-normal.woff2"),
    ("Amiri", 700, "normal", "parcours/fonts/amiri-arabic-700-normal.woff2"),
]
# Body text, and Arabic runs (Latin inside them falls back to Marianne). Amiri rather than
# Noto Naskh Arabic: Noto's current Naskh draws dots as separate marks on shared skeletons,
# so the text read back from the PDF (copy, search, screen readers) confuses ف/ن or ت/ة.
LATIN_FAMILY = '"Marianne", sans-serif'
ARABIC_FAMILY = '"Amiri", "Marianne", sans-serif'


def _decompressed(found: str) -> Path:
    """The font as plain OpenType, decompressed once per font file and machine.

    WeasyPrint decompresses WOFF2 with fontTools in pure Python for every document (about
    0.4 s of processor time for these six faces, several seconds on a loaded server, enough
    to reach the worker timeout), so each face is decompressed once into the temporary
    directory, named by its content's digest (a new font release gets a new file).
    """
    from fontTools.ttLib import woff2

    data = Path(found).read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "parcours-fonts" / f"{Path(found).stem}-{digest}.otf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        with open(found, "rb") as source, open(partial, "wb") as out:
            woff2.decompress(source, out)
        partial.replace(target)  # atomic: another process never reads half a font
    return target


@cache
def font_face_css() -> str:
    rules = []
    for family, weight, style, static_path in FONT_FACES:
        found = finders.find(static_path)
        if not found:  # a broken install, not a user error: say which file is missing
            raise FileNotFoundError(f"PDF font missing from the static files: {static_path}")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f"font-style: {style}; src: url({_decompressed(found).as_uri()}); }}"
        )
    rules.append(f"body {{ font-family: {LATIN_FAMILY}; }}")
    rules.append(f'[lang="ar"] {{ font-family: {ARABIC_FAMILY}; }}')
    return "\n".join(rules)


def write_pdf(html: str, *, stylesheets=(), base_url: str | None = None) -> bytes:
    """Print an HTML document with the shipped fonts, then the given stylesheet files."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    sheets = [CSS(string=font_face_css(), font_config=font_config)]
    sheets += [CSS(filename=str(path), font_config=font_config) for path in stylesheets]
    return HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=sheets, font_config=font_config
    )
