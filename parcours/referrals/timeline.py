"""Referral steps on the person file's timeline (one query per person)."""

from django.utils.translation import gettext as _

from parcours.people.timeline import TimelineEvent, register
from parcours.referrals.models import ReferralTransition


@register
def referral_events(person):
    transitions = (
        ReferralTransition.objects.filter(referral__person_id=person.pk)
        .select_related("referral__scheme__organisation")
        .order_by("at", "pk")
    )
    for transition in transitions:
        scheme = transition.referral.scheme
        title = _("Orientation vers « %(scheme)s » : %(step)s") % {
            "scheme": scheme.name,
            "step": transition.label.lower(),
        }
        detail = scheme.organisation.name
        if transition.reason:
            detail = f"{detail} · {transition.reason_label}"
        yield TimelineEvent(transition.at, title, detail, kind="referral")
