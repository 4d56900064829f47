"""The link and QR code of the person's page, printed on each convocation letter."""

import segno
from django.utils.safestring import mark_safe

from parcours.messaging import compose
from parcours.messaging.services import pages_for
from parcours.messaging.texts import FRENCH, for_language
from parcours.reception.letters.pdf import register_letter_extras


@register_letter_extras
def letter_extras(convocations) -> dict:
    pages = pages_for(convocations)
    extras = {}
    for convocation in convocations:
        link = compose.page_link(pages[convocation.pk].token)
        svg = segno.make(link, error="m").svg_inline(scale=3, border=2)
        labels = [{"code": "fr", "direction": "ltr", "text": FRENCH.LETTER_LINK}]
        texts = for_language(compose.message_language(convocation))
        if texts is not FRENCH:
            labels.append(
                {"code": texts.CODE, "direction": texts.DIRECTION, "text": texts.LETTER_LINK}
            )
        extras[convocation.pk] = {
            "link": link,
            "qr_svg": mark_safe(svg),  # noqa: S308 (segno's own markup, no user text)
            "labels": labels,
        }
    return extras
