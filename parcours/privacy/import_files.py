"""Retention of the person files waiting to be imported: an abandoned import's file is deleted.

An uploaded list (people.import_models.PersonImport.file) holds personal data of people who
may never be imported. It is deleted as soon as the import is committed or refused; a preview
nobody committed keeps it until this category's period (default one month) after its upload,
then the daily retention task deletes the file and its stored plan. The import's history row
(who, when, file name, counts) stays.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.people.import_models import ImportStatus, PersonImport
from parcours.privacy.retention import RetentionReport, register_category
from parcours.privacy.rules import retention_cutoff

# A file is imported within days of its upload; a month covers the holidays of its agent.
IMPORT_FILES_DEFAULT_MONTHS = 1


def apply_import_file_retention(now, months, *, dry_run=True, list_items=True):
    cutoff = retention_cutoff(now, months)
    abandoned = PersonImport.objects.filter(created_at__lt=cutoff).exclude(
        Q(file="") | Q(status=ImportStatus.DONE)
    )
    report = RetentionReport("person_import_files", months, cutoff, count=abandoned.count())
    if dry_run:
        if list_items:
            report.items = [(run.pk, run.file_name) for run in abandoned]
        return report
    for run in abandoned:
        run.drop_files()
        run.save(update_fields=["file", "plan_key"])
    report.applied = True
    return report


PERSON_IMPORT_FILES = register_category(
    "person_import_files",
    _("Fichiers d'import de personnes"),
    _(
        "Fichier déposé pour un import de personnes et jamais importé, compté à partir de son "
        "dépôt. À l'échéance, le fichier est supprimé ; l'historique de l'import (qui, quand, "
        "nom du fichier, nombres de lignes) reste."
    ),
    IMPORT_FILES_DEFAULT_MONTHS,
    apply_import_file_retention,
).code
