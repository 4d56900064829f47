"""Time the protection and audit of releases on generated months (no database); print a table."""

from django.core.management.base import BaseCommand

from parcours.indicators.bench import run_release_benchmarks, table


class Command(BaseCommand):
    help = (
        "Mesure la protection et l'audit d'un mois de DT (lecteur régional) et de l'année "
        "nationale, sur des mois générés (médiane, p95)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="Exécutions par mesure.")

    def handle(self, *args, **options):
        self.stdout.write(table(run_release_benchmarks(options["runs"])))
