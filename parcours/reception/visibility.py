"""Persons a CIP may see: those convoked to the PFA sessions they staff (people registry)."""

from django.db.models import Exists, OuterRef

from parcours.people.models import register_visibility
from parcours.reception.models import Convocation, StaffRole


@register_visibility
def convoked_to_sessions_staffed(membership):
    """Seed 001: the CIP of the experiment interviews the people convoked to the PFA sessions
    it staffs, for an operator of that directorate's experiment."""
    staffed = Convocation.objects.filter(
        person_id=OuterRef("pk"),
        session__staff__user_id=membership.user_id,
        session__staff__role=StaffRole.CIP,
        session__directorate__cip_experiments__operator_id=membership.organisation_id,
    )
    return Exists(staffed)
