"""Which directorates a membership sees figures of, and whether exactly or protected.

Issue 5, item 4: a DT sees its own figures exactly; the DREETS sees its region's DTs as
aggregates only, protected; OFII headquarters sees everything, protected whenever a table is
shown outside the DT. A partner admin (who may view aggregates, permissions.py) sees the DTs
of the départements its organisation serves, protected. Denied by default: any other
membership sees no directorate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES, Role
from parcours.territories.models import Directorate


@dataclass(frozen=True)
class Perimeter:
    """The directorates a membership may select, and how their figures are shown."""

    directorates: tuple[Directorate, ...]
    exact: bool
    label: str
    # Who receives the figures, for the record of releases (release.py): "" inside the DT.
    audience: str = ""
    # Every directorate the reader may select (kept when narrowed to one): the release that
    # is protected together (issue 11).
    whole: tuple[Directorate, ...] = ()

    @property
    def selectable(self) -> tuple[Directorate, ...]:
        return self.whole or self.directorates

    @property
    def ids(self) -> list[int]:
        return [d.pk for d in self.directorates]

    def narrowed(self, directorate_id: int | None) -> Perimeter:
        """The same perimeter restricted to one of its directorates (unchanged if None)."""
        if directorate_id is None:
            return self
        chosen = tuple(d for d in self.directorates if d.pk == directorate_id)
        return Perimeter(
            chosen,
            self.exact,
            chosen[0].name if chosen else self.label,
            self.audience,
            self.selectable,
        )


def perimeter_for(membership) -> Perimeter:
    """The perimeter of figures for the membership in use (one query)."""
    nothing = Perimeter((), exact=False, label="")
    if membership is None:
        return nothing
    organisation = membership.organisation
    directorates = Directorate.objects.order_by("name")
    if membership.role in OFII_DT_ROLES:
        if not organisation.directorate_id:
            return nothing
        chosen = tuple(directorates.filter(pk=organisation.directorate_id))
        return Perimeter(chosen, exact=True, label=chosen[0].name if chosen else "")
    if membership.role == Role.REGIONAL_VIEWER and organisation.region_id:
        return Perimeter(
            tuple(directorates.filter(region_id=organisation.region_id)),
            exact=False,
            label=str(organisation.region) if organisation.region else "",
            audience=f"region:{organisation.region_id}",
        )
    if membership.role == Role.NATIONAL_ADMIN:
        return Perimeter(
            tuple(directorates), exact=False, label=str(_("Toutes les DT")), audience="national"
        )
    if membership.role in PARTNER_ROLES:
        served = directorates.filter(departments__partner_organisations=organisation).distinct()
        return Perimeter(
            tuple(served),
            exact=False,
            label=organisation.name,
            audience=f"organisation:{organisation.pk}",
        )
    return nothing
