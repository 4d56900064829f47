"""Perimeters of what a partner creates: where it may hold an information session, whom it lists.

Issue 10 (door 2): an information session lists the signatories whose course ends soon (name,
level, estimated end), so it may only be held at a venue serving one of the organising
partner's départements, and it lists only the people of the départements both serve. A
partner serving no département lists nobody (denied by default, DESIGN.md).
"""

from parcours.organisations.models import Organisation
from parcours.organisations.roles import OrganisationKind
from parcours.territories.models import Department


def session_venues(organisation):
    """Training organisations where `organisation` may hold an information session."""
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.TRAINING,
            is_active=True,
            departments__in=organisation.departments.all(),
        )
        .exclude(pk=organisation.pk)
        .distinct()
    )


def session_departments(session) -> list[int]:
    """Ids of the départements whose people a session may list: the venue's that the
    organising partner serves (all the partner's when the venue declares none)."""
    served = Department.objects.filter(partner_organisations=session.organisation_id)
    venue = Department.objects.filter(partner_organisations=session.venue_id)
    if venue.exists():
        served = served.filter(pk__in=venue.values("pk"))
    return list(served.order_by("pk").values_list("pk", flat=True))
