"""What employment declares to the privacy module: employer contacts' retention, anonymisation.

The contact at an employer is a third party's personal data (name, professional e-mail and
phone): kept while confirmed, cleared by the daily retention task once unconfirmed for the
period the data controller sets (default 24 months, the CNIL social-sector reference for active
data, DOMAIN.md), as partners' contacts are (partnerships/privacy.py). A person's profile goes
with the person file: when it is anonymised, qualification titles are cleared and the
availability date kept by month; occupations stay (coded, for the figures).
"""

from django.utils.translation import gettext_lazy as _

from parcours.employment.models import Employer, ProfessionalProfile, Qualification
from parcours.privacy.retention import (
    RetentionReport,
    model_anonymiser,
    register_anonymiser,
    register_category,
)
from parcours.privacy.rules import RETENTION_DEFAULT_MONTHS, retention_cutoff


def apply_employer_contact_retention(now, months, *, dry_run=True, list_items=True):
    cutoff = retention_cutoff(now, months)
    expired = Employer.objects.filter(contact_confirmed_on__lt=cutoff.date()).exclude(
        contact_name="", contact_email="", contact_phone=""
    )
    report = RetentionReport("employer_contacts", months, cutoff, count=expired.count())
    if dry_run:
        if list_items:
            report.items = [(employer.pk, employer.name) for employer in expired]
        return report
    expired.update(contact_name="", contact_email="", contact_phone="")
    report.applied = True
    return report


EMPLOYER_CONTACTS = register_category(
    "employer_contacts",
    _("Contacts des employeurs"),
    _(
        "Nom, adresse et téléphone professionnels de la personne à joindre chez un employeur, "
        "comptés à partir de la dernière confirmation. À l'échéance, le contact est effacé ; "
        "l'employeur et ses postes restent."
    ),
    RETENTION_DEFAULT_MONTHS,
    apply_employer_contact_retention,
).code

register_anonymiser(model_anonymiser(ProfessionalProfile, truncate=["available_from"]))
register_anonymiser(
    model_anonymiser(Qualification, person_field="profile__person", clear={"label": ""})
)
