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
