"""Persons a partner may see: those referred to one of its schemes (people registry)."""

from django.db.models import Exists, OuterRef

from parcours.people.models import register_visibility
from parcours.referrals.models import Referral
from parcours.referrals.states import ReferralStatus


@register_visibility
def referred_to_organisation(membership):
    """A referral sent to one of the partner's schemes; a draft is not yet shared with it."""
    referred = Referral.objects.filter(
        person_id=OuterRef("pk"), scheme__organisation_id=membership.organisation_id
    ).exclude(status=ReferralStatus.DRAFT)
    return Exists(referred)


def persons_for_situations(membership):
    """The persons the membership may record a change of situation for (issue 20): DT staff
    the persons of their DT, a partner the persons referred to one of its schemes (never a
    person it only met at a PFA session); anonymised files are closed to writes."""
    from parcours.organisations.permissions import Action, can
    from parcours.organisations.roles import PARTNER_ROLES
    from parcours.people.models import Person

    if not can(membership, Action.RECORD_SITUATION):
        return Person.objects.none()
    persons = Person.objects.visible_to(membership)
    if membership.role in PARTNER_ROLES:
        persons = persons.filter(referred_to_organisation(membership))
    return persons


def situations_visible_to(membership, person_ids=None):
    """The situation updates the membership reads: DT staff every update of the persons of
    their DT; a partner only those its organisation recorded, for persons still referred to
    it (a partner never reads what others said of a person's work: projection.py)."""
    from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES
    from parcours.people.models import Person
    from parcours.people.situations import SituationUpdate

    if membership is None:
        return SituationUpdate.objects.none()
    if membership.role in OFII_DT_ROLES:
        persons = Person.objects.visible_to(membership)
        updates = SituationUpdate.objects.filter(person__in=persons)
    elif membership.role in PARTNER_ROLES:
        persons = Person.objects.filter(referred_to_organisation(membership))
        updates = SituationUpdate.objects.filter(
            person__in=persons, organisation_id=membership.organisation_id
        )
    else:
        return SituationUpdate.objects.none()
    if person_ids is not None:
        updates = updates.filter(person_id__in=list(person_ids))
    return updates
