"""Send a month's report to every DT's recipients (dry run unless --apply); idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parcours.indicators.periods import Month
from parcours.indicators.sending import send_monthly_reports


class Command(BaseCommand):
    help = (
        "Envoie le rapport mensuel d'un mois aux destinataires de chaque DT. Sans --apply, "
        "affiche seulement ce qui serait envoyé. Un envoi déjà fait n'est jamais refait."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", help="Mois à envoyer, AAAA-MM (par défaut : le mois précédent)."
        )
        parser.add_argument("--apply", action="store_true", help="Envoyer réellement.")

    def handle(self, *args, **options):
        try:
            month = (
                Month.parse(options["month"])
                if options["month"]
                else Month.of(timezone.localdate()).previous
            )
        except ValueError as error:
            raise CommandError("--month attend un mois AAAA-MM, par exemple 2026-01.") from error
        summary = send_monthly_reports(month, dry_run=not options["apply"])
        if not options["apply"]:
            self.stdout.write(f"Simulation pour {month} (ajoutez --apply pour envoyer) :")
            for directorate, email, audience in summary.planned:
                self.stdout.write(f"  {directorate} → {email} ({audience})")
            self.stdout.write(f"  déjà envoyés : {summary.skipped}")
            return
        self.stdout.write(
            f"{month} : {len(summary.sent)} envoyé(s), {len(summary.failed)} en échec, "
            f"{summary.skipped} déjà envoyé(s)."
        )
