"""Load or refresh the ROME referential shipped in parcours/employment/data (idempotent)."""

from django.core.management.base import BaseCommand

from parcours.employment.loaders import load_rome


class Command(BaseCommand):
    help = "Charge le référentiel ROME (métiers et appellations) livré avec Parcours."

    def handle(self, *args, **options):
        occupations, titles = load_rome()
        self.stdout.write(f"ROME: {occupations} occupations, {titles} job titles")
