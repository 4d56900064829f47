"""Template filters of the figures pages (issue 16): a published table's own total."""

from django import template

from parcours.indicators.tables import TOTAL

register = template.Library()


@register.filter
def table_total(published):
    """The table's total as published with it (None when the protection hides it)."""
    return published.value(TOTAL, TOTAL)
