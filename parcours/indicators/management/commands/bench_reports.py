"""Time the monthly DT report and the national year on the current database, then the pathway
figures of a DT's month, its region's month and the national year; print two tables."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from parcours.indicators.bench import run_benchmarks, run_pathway_benchmarks, table
from parcours.indicators.periods import Month
from parcours.territories.models import Directorate


class Command(BaseCommand):
    help = (
        "Mesure le rapport mensuel d'une DT et l'année nationale, puis les chiffres du parcours "
        "(médiane, p95, requêtes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directorate", default="metz", help="Code de la DT (metz).")
        parser.add_argument("--month", default="2026-01", help="Mois du rapport de la DT.")
        parser.add_argument("--year", type=int, default=2025, help="Année nationale.")
        parser.add_argument("--runs", type=int, default=30, help="Exécutions par mesure.")

    def handle(self, *args, **options):
        directorate = Directorate.objects.filter(code=options["directorate"]).first()
        if directorate is None:
            raise CommandError(f"DT inconnue : {options['directorate']}")
        try:
            month = Month.parse(options["month"])
        except ValueError as error:
            raise CommandError("--month attend AAAA-MM.") from error
        self.stdout.write(
            f"Base : {connection.vendor} ({connection.settings_dict['NAME']}), "
            f"{options['runs']} exécutions par mesure"
        )
        measures = run_benchmarks(directorate, month, options["year"], options["runs"])
        self.stdout.write(table(measures))
        # Issue 12, item 3 (ADR 0022): the pathway figures, fewer runs (the national year).
        self.stdout.write("")
        pathway_runs = max(3, options["runs"] // 3)
        measures = run_pathway_benchmarks(directorate, month, options["year"], pathway_runs)
        self.stdout.write(table(measures))
