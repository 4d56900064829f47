"""Generate a deterministic, realistic dataset of N persons with their pathway (benchmarks)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from parcours.indicators.dataset import existing_persons, generate


def _n(value: int) -> str:
    """A count the French way: 1 000 000 (narrow no-break spaces)."""
    return f"{value:,}".replace(",", "\u202f")


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
            self.stdout.write(
                f"Le jeu de données compte déjà {_n(before)} personnes : rien à faire."
            )
            return
        start = time.perf_counter()
        summary = generate(persons, progress=lambda text: self.stdout.write(f"  {text}"))
        if connection.vendor == "postgresql":
            # What autovacuum or a nightly VACUUM ANALYZE gives a production database: planner
            # statistics and a visibility map (the anchors of docs/benchmarks.md assume them).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"{_n(summary.persons)} personnes, {_n(summary.sessions)} sessions, "
                f"{_n(summary.convocations)} convocations, {_n(summary.contracts)} CIR, "
                f"{_n(summary.checks)} entretiens CIP, {_n(summary.referrals)} orientations "
                f"({_n(summary.transitions)} changements d'état) en "
                f"{time.perf_counter() - start:.0f} s."
            )
        )
