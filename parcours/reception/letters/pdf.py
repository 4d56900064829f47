"""The convocation letter as PDF (WeasyPrint): French, then the person's language if any."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from parcours.core.pdf import write_pdf
from parcours.reception.letters import FRENCH, TRANSLATIONS


@dataclass(frozen=True)
class LetterBlock:
    code: str
    direction: str
    texts: dict


def _isolated(value: str) -> SafeString:
    # Each inserted value is a bidi isolate (FSI ... PDI: its own direction, from its first
    # letter), so that a Latin address or phone number inside an Arabic sentence keeps its
    # order. WeasyPrint ignores <bdi>, while Pango honours the Unicode isolate characters.
    return format_html("\u2068{}\u2069", value)


def _block(module, convocation) -> LetterBlock:
    session = convocation.session
    directorate = session.directorate
    contact = " – ".join(part for part in (directorate.phone, directorate.email) if part)
    values = {
        "date": _isolated(module.format_day(session.date)),
        "time": _isolated(module.format_time(session.start_time)),
        "address": _isolated(" ".join(session.address.split())),
        "contact": _isolated(contact or directorate.name),
    }
    texts = {}
    for key, text in module.TEXTS.items():
        if isinstance(text, list):
            texts[key] = [escape(item) for item in text]
        else:
            texts[key] = mark_safe(escape(text).format(**values))  # noqa: S308 (values escaped)
    return LetterBlock(module.CODE, module.DIRECTION, texts)


def letter_blocks(convocation) -> list[LetterBlock]:
    """The French block, then the block in the convocation's letter language if there is one."""
    blocks = [_block(FRENCH, convocation)]
    translation = TRANSLATIONS.get(convocation.letter_language)
    if translation is not None:
        blocks.append(_block(translation, convocation))
    return blocks


# Other apps add a part to every letter (issue 18: the link and QR code of the person's page)
# without the reception day knowing them: `source(convocations)` returns {convocation pk:
# {"link": text, "qr_svg": safe SVG markup}}.
_extra_sources: list = []


def register_letter_extras(source):
    if source not in _extra_sources:
        _extra_sources.append(source)
    return source


def render_convocations_pdf(convocations, *, today) -> bytes:
    """One letter per page for the given convocations (session and person loaded)."""
    convocations = list(convocations)
    extras: dict = {}
    for source in _extra_sources:
        for pk, values in source(convocations).items():
            extras.setdefault(pk, {}).update(values)
    letters = [
        {
            "convocation": convocation,
            "blocks": letter_blocks(convocation),
            "extras": extras.get(convocation.pk, {}),
        }
        for convocation in convocations
    ]
    html = render_to_string(
        "reception/letter_pdf.html",
        {"letters": letters, "header": FRENCH.HEADER, "today_text": FRENCH.format_day(today)},
    )
    return write_pdf(html)
