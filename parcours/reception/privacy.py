"""What the reception day declares to the privacy module: tracked changes, activity dates,
anonymisation and erasure limits (issue 6)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.privacy.erasure import register_erasure_check
from parcours.privacy.history import track_changes
from parcours.privacy.retention import (
    RetentionReport,
    model_anonymiser,
    register_activity,
    register_anonymiser,
    register_category,
)
from parcours.privacy.rules import retention_cutoff
from parcours.reception.models import (
    Contract,
    Convocation,
    ConvocationImport,
    ConvocationImportStatus,
    DiagnosticInterview,
    EmploymentCheck,
    LanguagePrescription,
)

# Not the shape of a France Travail identifier, so it can never be mistaken for one.
ANONYMISED_IDENTIFIER = "ANONYME"

# Issue 6, "Change history": convocations and interviews, field by field.
track_changes(Convocation, ["status", "rescheduled_to", "letter_language"])
track_changes(
    DiagnosticInterview,
    [
        "employment_status",
        "accommodation",
        "need_employment",
        "need_housing",
        "need_health",
        "need_mobility",
        "need_childcare",
        "need_language",
    ],
    person_attr="convocation.person",
)
track_changes(
    EmploymentCheck,
    [
        "situation",
        "already_ft",
        "rsa_recipient",
        "agir_followed",
        "registered_today",
        "reregistration_reason",
        "ft_identifier",
        "ft_registration_date",
        "first_appointment_date",
        "accompaniment",
        "accompaniment_date",
    ],
    person_attr="convocation.person",
)
track_changes(Contract, ["signed_on", "civic_training_date", "civic_training_place"])
track_changes(
    LanguagePrescription,
    ["hours", "kind", "answer", "modality", "pace", "modality_override_reason"],
)


@register_activity
def reception_steps_since(since):
    """Persons with a convocation, positioning, interview or CIR recorded on or after `since`."""
    return (
        Convocation.objects.filter(
            Q(updated_at__gte=since)
            | Q(positioning__recorded_at__gte=since)
            | Q(interview__recorded_at__gte=since)
            | Q(employment_check__recorded_at__gte=since)
        )
        .values("person_id")
        .union(Contract.objects.filter(created_at__gte=since).values("person_id"))
    )


# Identifiers removed and dates kept by month; structured situations stay for the figures.
register_anonymiser(
    model_anonymiser(
        EmploymentCheck,
        person_field="person",
        truncate=["ft_registration_date", "first_appointment_date", "accompaniment_date"],
        # A registration keeps a (placeholder) identifier: the table requires one.
        clear={"ft_identifier": ANONYMISED_IDENTIFIER},
    )
)
# The signature date stays whole, like the session dates (ADR 0007): the CIR → France Travail
# delay is counted in days from it, and must not change when the file is anonymised (issue 13).
register_anonymiser(model_anonymiser(Contract, truncate=["civic_training_date"]))
register_anonymiser(model_anonymiser(LanguagePrescription, truncate=["decided_on"]))


@register_erasure_check
def contract_in_progress(person):
    """A signed CIR is followed for one year, extendable by one (DOMAIN.md): keep it."""
    if Contract.objects.filter(person=person).exists():
        return _("Un CIR a été signé : le dossier sert encore au suivi du contrat.")
    return None


# Issue 17, point 4: a convocation list waiting for its confirmation holds the AGDREF numbers,
# names and birth dates of people who may never be convoked. It is emptied at confirmation,
# refusal or a newer upload; one nobody confirmed is emptied by the daily retention task after
# this period (a month, as the person import files: privacy/import_files.py).
CONVOCATION_FILES_DEFAULT_MONTHS = 1


def apply_convocation_file_retention(now, months, *, dry_run=True, list_items=True):
    cutoff = retention_cutoff(now, months)
    waiting = ConvocationImport.objects.filter(created_at__lt=cutoff).exclude(content=b"")
    report = RetentionReport("convocation_import_files", months, cutoff, count=waiting.count())
    if dry_run:
        if list_items:
            report.items = list(waiting.values_list("pk", "file_name"))
        return report
    waiting.filter(status=ConvocationImportStatus.PREVIEWED).update(
        status=ConvocationImportStatus.ABANDONED, content=b""
    )
    waiting.update(content=b"")
    report.applied = True
    return report


CONVOCATION_IMPORT_FILES = register_category(
    "convocation_import_files",
    _("Listes de convocation déposées"),
    _(
        "Liste de numéros AGDREF déposée pour convoquer une session et jamais confirmée, "
        "comptée à partir de son dépôt. À l'échéance, le fichier est supprimé et l'import "
        "marqué abandonné ; l'historique de la session (qui, quand, nom du fichier, nombres "
        "de lignes) reste."
    ),
    CONVOCATION_FILES_DEFAULT_MONTHS,
    apply_convocation_file_retention,
).code
