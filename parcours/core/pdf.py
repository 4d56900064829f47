"""Every PDF of Parcours is printed here: WeasyPrint with the fonts shipped with the product.

Letters, reports and subject access exports name only fonts declared below with @font-face
(Marianne, the state design system's typeface, from django-dsfr's pinned assets; Amiri, a
Naskh typeface under the SIL Open Font License, in parcours/static/parcours/fonts/), so
that a letter is the same PDF whatever fonts the machine happens to have (ADR 0008).
"""

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


@cache
def font_face_css() -> str:
    rules = []
    for family, weight, style, static_path in FONT_FACES:
        found = finders.find(static_path)
        if not found:  # a broken install, not a user error: say which file is missing
            raise FileNotFoundError(f"PDF font missing from the static files: {static_path}")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f"font-style: {style}; src: url({Path(found).as_uri()}); }}"
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
