"""What referrals declare to the privacy module: tracked changes, activity dates,
anonymisation and erasure limits (issue 6)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.privacy.erasure import register_erasure_check
from parcours.privacy.history import track_changes
from parcours.privacy.retention import model_anonymiser, register_activity, register_anonymiser
from parcours.referrals.models import InformationSessionAttendee, Referral, ReferralTransition
from parcours.referrals.states import OPEN_STATES, ReferralStatus

# Issue 6, "Change history": referrals, field by field (transitions have their own log too).
track_changes(
    Referral,
    [
        "status",
        "scheme",
        "planned_entry_date",
        "note",
        "waiver_justification",
        "refusal_reason",
        "answer_comment",
        "entered_on",
        "exited_on",
        "drop_out_reason",
    ],
)


@register_activity
def referral_steps_since(since):
    """Persons with a referral created, sent, answered or closed on or after `since`."""
    return Referral.objects.filter(
        Q(created_at__gte=since)
        | Q(sent_at__gte=since)
        | Q(answered_at__gte=since)
        | Q(closed_at__gte=since)
        | Q(entered_on__gte=since)
        | Q(exited_on__gte=since)
    ).values("person_id")


# Free text removed, dates kept by month; states and structured reasons stay for the funnel.
register_anonymiser(
    model_anonymiser(
        Referral,
        truncate=["planned_entry_date", "entered_on", "exited_on"],
        clear={"note": "", "waiver_justification": "", "answer_comment": ""},
    )
)
register_anonymiser(
    model_anonymiser(ReferralTransition, person_field="referral__person", clear={"comment": ""})
)
register_anonymiser(model_anonymiser(InformationSessionAttendee, truncate=["interviewed_on"]))


@register_erasure_check
def referral_in_progress(person):
    """A partner is acting on an open referral: erasing now would break its follow-up."""
    if Referral.objects.filter(
        person=person, status__in=OPEN_STATES - {ReferralStatus.DRAFT}
    ).exists():
        return _("Une orientation est en cours auprès d'un partenaire.")
    return None
