"""Apply the retention periods: a dry run by default, `--apply` to anonymise and purge."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from parcours.privacy.access_log import purge_access_log, purge_cutoff
from parcours.privacy.retention import categories, run_retention, send_retention_notices


class Command(BaseCommand):
    help = (
        "Anonymise les dossiers dont la durée de conservation est écoulée et purge le journal "
        "des accès. Sans --apply, liste seulement ce qui partirait (numéros de dossier, jamais "
        "de nom)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Écrire (sinon : simulation).")
        parser.add_argument(
            "--notify", action="store_true", help="Envoyer aussi les préavis aux DT."
        )

    def handle(self, *args, apply=False, notify=False, **options):
        now = timezone.now()
        labels = {category.code: category.label for category in categories()}
        if not apply:
            self.stdout.write("Simulation : rien n'est modifié (ajoutez --apply pour écrire).")
        for report in run_retention(now, dry_run=not apply):
            verb = "anonymisés" if report.applied else "à anonymiser"
            self.stdout.write(
                f"{labels[report.category]} – {report.months} mois, dernière étape avant le "
                f"{timezone.localtime(report.cutoff):%d/%m/%Y} : {report.count} {verb}"
            )
            for person_id, directorate_code in report.items:
                self.stdout.write(f"  n° {person_id} ({directorate_code})")
        purged = purge_access_log(now, dry_run=not apply)
        verb = "supprimées" if apply else "à supprimer"
        self.stdout.write(
            f"Journal des accès – lignes antérieures au "
            f"{timezone.localtime(purge_cutoff(now)):%d/%m/%Y} : {purged} {verb}"
        )
        if notify:
            for code, count in send_retention_notices(now).items():
                self.stdout.write(f"Préavis envoyé à la DT {code} : {count} dossiers")
