"""get_FOO_display() without translating every label of the field at each call.

Django's Model._get_FIELD_display builds `dict(make_hashable(field.flatchoices))` on every
call, and hashing that tuple hashes each lazy label, which translates it: a status of eight
choices costs eight gettext calls to show one. The day sheet shows about seventy of them per
page (issue 12, docs/benchmarks/2026-12-01-page-cpu.md). Here the {value: lazy label}
mapping is built once per field (only the values are hashed; labels stay lazy, so the
language is still the request's) and the one label shown is translated.
"""

from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS = "_parcours_choice_labels"


def _labels(field) -> dict:
    labels = field.__dict__.get(_LABELS)
    if labels is None:
        # As dict(make_hashable(flatchoices)): a repeated value keeps its last label.
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        # Choices given as a callable may change between calls: not kept.
        if isinstance(field.choices, (list, tuple)):
            setattr(field, _LABELS, labels)
    return labels


def _get_field_display(self, field):
    value = getattr(self, field.attname)
    return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


def speed_up_choice_displays() -> int:
    """Swap Django's get_FOO_display for the one above on every model where Django set it
    (an explicit get_FOO_display of a model is left alone). Returns how many were swapped."""
    swapped = 0
    for model in apps.get_models(include_auto_created=True):
        for name, attribute in list(vars(model).items()):
            if (
                name.startswith("get_")
                and name.endswith("_display")
                and isinstance(attribute, partialmethod)
                and attribute.func is Model._get_FIELD_display
            ):
                setattr(model, name, partialmethod(_get_field_display, **attribute.keywords))
                swapped += 1
    return swapped
