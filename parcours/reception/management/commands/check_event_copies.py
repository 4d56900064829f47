"""Find (and with --repair, fix) events whose copies for the figures disagree (ADR 0007)."""

from django.core.management.base import BaseCommand

from parcours.reception.facts import repair_copies, stale_copies


class Command(BaseCommand):
    help = (
        "Checks the directorate, session date and sex copied on convocations and CIP "
        "interviews against their session and person; --repair sets them again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="rewrite the copies")

    def handle(self, *args, repair=False, **options):
        found = repair_copies() if repair else stale_copies()
        for table, count in found.items():
            self.stdout.write(f"{table}: {count}")
        if any(found.values()) and not repair:
            self.stderr.write("Copies out of date: run again with --repair.")
            raise SystemExit(1)
