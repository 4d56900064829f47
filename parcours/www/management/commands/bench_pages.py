"""Measure the pages over HTTP on the current PostgreSQL database, or print saved runs."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.www.bench import runner


class Command(BaseCommand):
    help = (
        "Mesure les pages par HTTP (gunicorn, 16 clients) sur la base courante et enregistre "
        "le résultat (--output) ; avec --compare, affiche des mesures enregistrées côte à côte."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Fichier JSON du résultat.")
        parser.add_argument(
            "--create-database",
            action="store_true",
            help="Crée la base PostgreSQL de DATABASE_URL si elle n'existe pas, puis s'arrête.",
        )
        parser.add_argument(
            "--compare", nargs="+", type=Path, help="Fichiers JSON à afficher ensemble."
        )

    def handle(self, *args, **options):
        if options["create_database"]:
            try:
                self.stdout.write(runner.create_database())
            except RuntimeError as error:
                raise CommandError(str(error)) from error
            return
        if options["compare"]:
            try:
                reports = [json.loads(path.read_text()) for path in options["compare"]]
            except (OSError, ValueError) as error:
                raise CommandError(f"Mesures illisibles : {error}") from error
            self.stdout.write(runner.table(reports))
            return
        if options["output"] is None:
            raise CommandError("--output ou --compare est attendu.")
        try:
            report = runner.run(options["output"], self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(runner.table([report]))
