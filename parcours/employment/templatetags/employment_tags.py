"""The professional profile section of the person file, read in a fixed number of queries."""

from django import template
from django.utils import timezone

from parcours.employment.models import OccupationKind, ProfessionalProfile
from parcours.employment.shortage import shortage_codes

register = template.Library()


@register.simple_tag
def professional_profile(person) -> dict:
    try:
        # Read with the person by the file's view (select_related): no statement when absent.
        profile = person.professional_profile
    except ProfessionalProfile.DoesNotExist:
        return {"profile": None}
    lines = list(profile.occupations.select_related("occupation"))
    qualifications = list(profile.qualifications.select_related("country"))
    region_code = person.department.region.code if person.department_id else None
    codes = shortage_codes(region_code, timezone.localdate()) if region_code else frozenset()
    return {
        "profile": profile,
        "held": [line for line in lines if line.kind == OccupationKind.HELD],
        "sought": [line for line in lines if line.kind == OccupationKind.SOUGHT],
        "qualifications": qualifications,
        "shortage_codes": codes,
        "in_shortage": any(line.occupation_id in codes for line in lines),
        "needs_recognition_advice": any(q.needs_recognition_advice for q in qualifications),
    }
