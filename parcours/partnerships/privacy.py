"""What the partnerships declare to the privacy module: the contacts' retention period.

Issue 19, item 5: contacts at partners are kept to what is needed (role, professional e-mail
and phone) and covered by the retention rules: a contact nobody confirmed within the period
set by the data controller (default 24 months, the CNIL social-sector reference for active
data, DOMAIN.md) is deleted by the daily retention task, and a dry run lists who would go.
"""

from django.utils.translation import gettext_lazy as _

from parcours.partnerships.models import Contact
from parcours.privacy.retention import RetentionReport, register_category
from parcours.privacy.rules import RETENTION_DEFAULT_MONTHS, retention_cutoff


def apply_contact_retention(now, months, *, dry_run=True, list_items=True) -> RetentionReport:
    cutoff = retention_cutoff(now, months)
    expired = Contact.objects.filter(confirmed_on__lt=cutoff.date())
    report = RetentionReport("partner_contacts", months, cutoff, count=expired.count())
    if dry_run:
        if list_items:
            report.items = [
                (contact.pk, f"{contact.full_name} ({contact.organisation.name})")
                for contact in expired.select_related("organisation")
            ]
        return report
    expired.delete()
    report.applied = True
    return report


PARTNER_CONTACTS = register_category(
    "partner_contacts",
    _("Contacts des partenaires"),
    _(
        "Nom, fonction, adresse et téléphone professionnels des personnes à joindre chez les "
        "partenaires, comptés à partir de la dernière confirmation. À l'échéance, le contact "
        "est supprimé."
    ),
    RETENTION_DEFAULT_MONTHS,
    apply_contact_retention,
).code
