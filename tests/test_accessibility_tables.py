"""Every DSFR table scrolls inside a region a keyboard can reach and a screen reader names.

The DSFR scrolls wide tables inside `.fr-table__container`; axe-core's rule
"scrollable-region-focusable" (WCAG 2.1.1) fails on it unless it is focusable, and a focusable
region needs a name (WCAG 4.1.2). The journeys check this in the browser on the pages they
visit; this test checks every template, so a new table cannot forget it.
"""

import re
from pathlib import Path

from django.template import Context, Template

import parcours

TEMPLATES = sorted(Path(parcours.__file__).parent.glob("**/templates/**/*.html"))
CONTAINER = re.compile(r'<div class="fr-table__container"([^>]*)>')


def test_every_table_container_is_a_named_focusable_region():
    checked, wrong = 0, []
    for path in TEMPLATES:
        text = path.read_text()
        for attributes in CONTAINER.findall(text):
            checked += 1
            if not all(
                part in attributes
                for part in ('tabindex="0"', 'role="region"', 'aria-labelledby="{{ caption_id }}"')
            ):
                wrong.append(path.name)
        if CONTAINER.search(text):
            # The id the region points to is the table's caption.
            assert text.count('<caption id="{{ caption_id }}"') == len(CONTAINER.findall(text))
    assert checked > 20
    assert wrong == []


def test_table_ids_are_unique_within_a_page_and_stable_between_loads():
    template = Template(
        "{% load tables %}{% for i in '123' %}{% table_id as caption_id %}{{ caption_id }} "
        "{% endfor %}"
    )
    first = template.render(Context({}))
    assert first.split() == ["tableau-1", "tableau-2", "tableau-3"]
    assert template.render(Context({})) == first
