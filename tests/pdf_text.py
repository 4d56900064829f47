"""Read PDFs back in tests with pypdf (pure Python): text in logical order, and page counts."""

import io
import re

import pypdf

# Direction marks around right-to-left runs, and the bidi isolates the letters insert.
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_pages(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [BIDI_MARKS.sub("", page.extract_text() or "") for page in reader.pages]


def pdf_text(pdf: bytes) -> str:
    """The whole document's text, with runs of white space made one space."""
    return " ".join(" ".join(pdf_pages(pdf)).split())


def pdf_page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdf_font_names(pdf: bytes) -> set[str]:
    """The base names of the fonts embedded in the document (subset prefix included)."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/"))
    return names
