"""Generate a deterministic, realistic dataset of N persons with their pathway (benchmarks)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from parcours.indicators.dataset import existing_persons, generate


class Command(BaseCommand):
    help = (
        "Crée un jeu de données de mesure déterministe : N personnes avec tout leur parcours "
        "(sessions, convocations, CIR, entretiens CIP, orientations dans tous les états). "
        "Relancé, il ne crée que ce qui manque. À réserver à une base de mesure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, required=True, help="Nombre de personnes.")

    def handle(self, *args, **options):
        persons = options["persons"]
        if persons < 1:
            raise CommandError("--persons doit être un nombre positif.")
        before = existing_persons()
        if before >= persons:
            self.stdout.write(f"Le jeu de données compte déjà {before:,} personnes : rien à faire.")
            return
        start = time.perf_counter()
        summary = generate(persons, progress=lambda text: self.stdout.write(f"  {text}"))
        if connection.vendor == "postgresql":
            # Fresh planner statistics, as the nightly ANALYZE of a production database gives.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.persons:,} personnes, {summary.sessions:,} sessions, "
                f"{summary.convocations:,} convocations, {summary.contracts:,} CIR, "
                f"{summary.checks:,} entretiens CIP, {summary.referrals:,} orientations "
                f"({summary.transitions:,} changements d'état) en "
                f"{time.perf_counter() - start:.0f} s."
            )
        )
