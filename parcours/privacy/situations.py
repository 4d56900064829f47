"""What the situation updates of persons (issue 20) declare to the privacy module: activity
dates for retention, anonymisation, and their section of the subject access export."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.people.situations import SituationUpdate
from parcours.privacy.access_log import register_operation
from parcours.privacy.retention import model_anonymiser, register_activity, register_anonymiser
from parcours.privacy.subject_access import Section, _text, register_provider

# The page of a person's changes of situation names the person and what they do: logged.
SITUATION_READ = register_operation(
    "situation_read", gettext_lazy("Consultation des changements de situation")
)


@register_activity
def situation_updates_since(since):
    """Persons with a change of situation recorded on or after `since` (a recorded step)."""
    return SituationUpdate.objects.filter(recorded_at__gte=since).values("person_id")


# Issue 6 ("dates by month"): the kind, contract type, ROME code and training kind stay for
# the impact figures; the employer's name and the free detail go. The date of the change is
# kept whole, like session dates and the CIR signature (ADR 0013): the impact is counted in
# months from the reception day to the day, so the past figures stay identical.
register_anonymiser(
    model_anonymiser(
        SituationUpdate,
        truncate=["recorded_at"],
        clear={"employer_name": "", "detail": "", "idempotency_key": ""},
    )
)


@register_provider
def situation_updates(person) -> Section:
    section = Section(
        "situation_updates",
        _("Changements de situation"),
        [
            ("date", _("Date")),
            ("kind", _("Changement")),
            ("detail", _("Détail")),
            ("organisation", _("Saisi par la structure")),
            ("source", _("Source")),
        ],
        empty=_("Aucun changement de situation enregistré."),
    )
    updates = SituationUpdate.objects.filter(person_id=person.pk).select_related("organisation")
    for update in updates.order_by("occurred_on", "pk"):
        section.rows.append(
            {
                "date": _text(update.occurred_on),
                "kind": update.get_kind_display(),
                "detail": update.summary,
                "organisation": str(update.organisation),
                "source": update.get_source_display(),
            }
        )
    return section
