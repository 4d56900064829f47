"""Age bands: a configurable set that covers every age exactly once, plus "unknown age".

Pure values, no database. DOMAIN.md ("The experiment's monthly indicators") and seed 001 ask
for figures "inférieur à 25 ans, 26 – 45 ans, 46-64 ans": those bands leave 25-year-olds and
people aged 65 or more uncovered, so the default set closes the gaps explicitly and every
label says on which side a boundary falls. People whose age is unknown are counted in a real
"âge inconnu" column, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from parcours.people.ages import age_on  # noqa: F401  (part of this module's interface)

UNKNOWN_AGE = "unknown"


class InvalidBands(ValueError):
    """A band set that leaves an age uncovered or covers one twice."""


@dataclass(frozen=True)
class AgeBand:
    """Ages from `minimum` to `maximum` years, both included; `maximum=None` is open-ended."""

    code: str
    label: str
    minimum: int
    maximum: int | None = None

    def contains(self, age: int) -> bool:
        return age >= self.minimum and (self.maximum is None or age <= self.maximum)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label": str(self.label),
            "minimum": self.minimum,
            "maximum": self.maximum,
        }


@dataclass(frozen=True)
class AgeBandSet:
    """Bands that cover 0..∞ exactly once, in increasing order, and the "unknown" column."""

    code: str
    label: str
    bands: tuple[AgeBand, ...]
    unknown_label: str = _("âge inconnu")

    def __post_init__(self):
        validate_bands(self.bands)

    def band_for(self, age: int | None) -> str:
        """The code of the band an age falls in; UNKNOWN_AGE when the age is not known."""
        if age is None:
            return UNKNOWN_AGE
        if age < 0:
            raise ValueError(f"negative age: {age}")
        for band in self.bands:
            if band.contains(age):
                return band.code
        raise AssertionError("validated bands cover every age")  # pragma: no cover

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(code, label) of every column of a table by age band, "unknown" last."""
        return [(band.code, str(band.label)) for band in self.bands] + [
            (UNKNOWN_AGE, str(self.unknown_label))
        ]

    @property
    def codes(self) -> list[str]:
        return [code for code, _label in self.columns]

    def as_dict(self) -> dict:
        """A JSON-ready description, frozen with approved figures and printed in reports."""
        return {
            "code": self.code,
            "label": str(self.label),
            "bands": [band.as_dict() for band in self.bands],
            "unknown_label": str(self.unknown_label),
        }

    @classmethod
    def from_dict(cls, data: dict) -> AgeBandSet:
        return cls(
            code=data["code"],
            label=data["label"],
            bands=tuple(
                AgeBand(b["code"], b["label"], b["minimum"], b["maximum"]) for b in data["bands"]
            ),
            unknown_label=data.get("unknown_label", _("âge inconnu")),
        )

    @classmethod
    def from_lower_bounds(cls, code: str, label: str, lower_bounds: list[int]) -> AgeBandSet:
        """Build a set from the first age of each band, e.g. [0, 26, 46, 65].

        Labels state both ends ("26 à 45 ans"), so a reader knows where 45 and 46 fall.
        """
        bounds = sorted(set(lower_bounds))
        if not bounds or bounds[0] != 0:
            raise InvalidBands("the first band must start at 0 years")
        bands = []
        for index, low in enumerate(bounds):
            high = bounds[index + 1] - 1 if index + 1 < len(bounds) else None
            bands.append(AgeBand(_band_code(low, high), _band_label(low, high), low, high))
        return cls(code=code, label=label, bands=tuple(bands))


def _band_code(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


def _band_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s ans et plus") % {"low": low}
    if low == 0:
        return _("moins de %(limit)s ans (jusqu'à %(high)s ans inclus)") % {
            "limit": high + 1,
            "high": high,
        }
    return _("%(low)s à %(high)s ans") % {"low": low, "high": high}


def validate_bands(bands: tuple[AgeBand, ...] | list[AgeBand]) -> None:
    """Check that bands cover every age from 0 upwards exactly once, in order.

    DOMAIN.md: the seed's bands leave gaps (25, 65 and over); Parcours must cover every age
    and say where each boundary falls, so a gap or an overlap is refused here.
    """
    if not bands:
        raise InvalidBands("at least one band is needed")
    codes = [band.code for band in bands]
    if len(set(codes)) != len(codes) or UNKNOWN_AGE in codes:
        raise InvalidBands("band codes must be unique and differ from 'unknown'")
    expected_start = 0
    for index, band in enumerate(bands):
        if band.minimum != expected_start:
            kind = "gap" if band.minimum > expected_start else "overlap"
            raise InvalidBands(f"{kind} before band {band.code!r} (starts at {band.minimum})")
        last = index == len(bands) - 1
        if band.maximum is None:
            if not last:
                raise InvalidBands(f"open-ended band {band.code!r} must be the last one")
            return
        if band.maximum < band.minimum:
            raise InvalidBands(f"band {band.code!r} ends before it starts")
        expected_start = band.maximum + 1
    raise InvalidBands("the last band must be open-ended (… ans et plus)")


# Seed 001 bands with their gaps closed: 25 goes with "under 26" (the seed's "inférieur à
# 25 ans" read as "up to 25 included", the usual age limit of youth schemes such as Epide
# and missions locales), and people aged 65 or more get their own band.
DEFAULT_BANDS = AgeBandSet(
    code="seed001",
    label=_("Tranches de l'expérimentation (seed 001), complétées"),
    bands=(
        AgeBand("0-25", _("moins de 26 ans (25 ans inclus)"), 0, 25),
        AgeBand("26-45", _("26 à 45 ans"), 26, 45),
        AgeBand("46-64", _("46 à 64 ans"), 46, 64),
        AgeBand("65+", _("65 ans et plus"), 65, None),
    ),
)
