"""Ids that tie a DSFR table's scrolling container to its caption, unique within a page.

The DSFR scrolls a wide table inside `.fr-table__container` (overflow: auto); a keyboard user
reaches that region only if it is focusable and named (WCAG 2.1.1 and 4.1.2, axe-core rule
"scrollable-region-focusable"), so each container carries tabindex="0", role="region" and
aria-labelledby pointing to the table's caption, whose id this tag gives.
"""

import itertools

from django import template

register = template.Library()

_COUNTER = "_parcours_table_ids"


@register.simple_tag(takes_context=True)
def table_id(context, prefix: str = "tableau") -> str:
    """A new id for this page, counted per request (or per rendering without one, as for a
    PDF), so the same page gets the same ids on every load."""
    request = context.get("request")
    if request is not None:
        if not hasattr(request, _COUNTER):
            setattr(request, _COUNTER, itertools.count(1))
        counter = getattr(request, _COUNTER)
    else:
        counter = context.render_context.setdefault(_COUNTER, itertools.count(1))
    return f"{prefix}-{next(counter)}"
