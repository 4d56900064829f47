"""Configuration of the figures: age bands and the small-cell threshold, from settings.

Both are deployment choices (issue 5: bands are "a configurable set", the threshold is
"default 4, configurable"). A deployment may set, in its settings:

    PARCOURS_AGE_BAND_LOWER_BOUNDS = [0, 26, 46, 65]   # first age of each band
    PARCOURS_SMALL_CELL_THRESHOLD = 4                  # counts 1..4 hidden outside the DT

or the environment variables of the same names ("0,26,46,65" and "4"). Without them, the
defaults below apply; every report states the bands and threshold it used.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from parcours.indicators.bands import DEFAULT_BANDS, AgeBandSet, InvalidBands

DEFAULT_SMALL_CELL_THRESHOLD = 4


def _setting(name: str):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or None
    return value


def age_bands() -> AgeBandSet:
    """The band set in force: the configured lower bounds, or the seed's bands completed."""
    bounds = _setting("PARCOURS_AGE_BAND_LOWER_BOUNDS")
    if bounds is None:
        return DEFAULT_BANDS
    if isinstance(bounds, str):
        try:
            bounds = [int(part) for part in bounds.split(",") if part.strip()]
        except ValueError as error:
            raise ImproperlyConfigured(f"PARCOURS_AGE_BAND_LOWER_BOUNDS: {error}") from error
    try:
        return AgeBandSet.from_lower_bounds("configured", _("Tranches configurées"), bounds)
    except InvalidBands as error:
        raise ImproperlyConfigured(f"PARCOURS_AGE_BAND_LOWER_BOUNDS: {error}") from error


def small_cell_threshold() -> int:
    value = _setting("PARCOURS_SMALL_CELL_THRESHOLD")
    if value is None:
        return DEFAULT_SMALL_CELL_THRESHOLD
    try:
        threshold = int(value)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"PARCOURS_SMALL_CELL_THRESHOLD: {value!r}") from error
    if threshold < 0:
        raise ImproperlyConfigured("PARCOURS_SMALL_CELL_THRESHOLD must be 0 or more")
    return threshold


DEFAULT_MIN_STATISTIC_POPULATION = 11


def min_statistic_population() -> int:
    """Fewest people a median or percentile may describe outside the DT (issue 11: 11).

    `PARCOURS_MIN_STATISTIC_POPULATION` in the settings or the environment.
    """
    value = _setting("PARCOURS_MIN_STATISTIC_POPULATION")
    if value is None:
        return DEFAULT_MIN_STATISTIC_POPULATION
    try:
        population = int(value)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"PARCOURS_MIN_STATISTIC_POPULATION: {value!r}") from error
    if population < 3:
        # A statistic is the mean of three people's values at least (pathway.shared_percentile).
        raise ImproperlyConfigured("PARCOURS_MIN_STATISTIC_POPULATION must be 3 or more")
    return population
