"""Throughput of the person import (issue 17): rows per second read, checked and matched
(the preview), then written through people.services (the commit). Run by `make bench`.

The file is generated (fictitious people, half of them already on file so that the plan
mixes creations, updates and unchanged rows), imported inside a transaction that is rolled
back: the database is left as it was. Other persons born on the file's birth dates are put
on file too (`--namesakes`), so that the duplicate search of the rows to create reads and
scores candidates as it would in a populated DT.
"""

import datetime
import io
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from parcours.people import imports, names
from parcours.people.models import Person, ResidenceStatus
from parcours.territories.models import Department

HEADER = "Numéro AGDREF;Nom;Prénoms;Date de naissance;Sexe;Catégorie de séjour;Département"
TARGET_ROWS_PER_SECOND = 5000


def birth_date(number: int) -> datetime.date:
    return datetime.date(1960 + number % 45, 1 + number % 12, 1 + number % 28)


def name(prefix: str, number: int) -> str:
    """Digits as consonants: names that sound apart, as a real file's do (a name key drops
    digits, so NOM1 and NOM2 would all be one key)."""
    return prefix + "".join("BCDFGKLMNP"[int(digit)] for digit in str(number))


def generated_file(rows: int, start: int) -> bytes:
    lines = [HEADER]
    for index in range(rows):
        number = start + index
        lines.append(
            f"{number:010d};{name('NOM', number)};Prénom{number % 97};"
            f"{birth_date(number):%d/%m/%Y};"
            f"{'FH'[number % 2]};Réfugié;57"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


class Command(BaseCommand):
    help = "Mesure le débit de l'import de personnes (lignes par seconde), sans rien garder."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20_000)
        parser.add_argument("--commit-rows", type=int, default=2_000)
        parser.add_argument("--namesakes", type=int, default=40_000)

    def handle(self, *args, rows, commit_rows, namesakes, **options):
        start = 9_000_000_000
        department = Department.objects.get(code="57")
        with transaction.atomic():
            # Half the file is already on file: those rows are matched, not created.
            Person.objects.bulk_create(
                [
                    Person(
                        agdref_number=f"{start + i:010d}",
                        last_name=name("NOM", start + i),
                        last_name_key=names.phonetic_key(name("NOM", start + i)),
                        first_names="Ancien",
                        birth_date=birth_date(start + i),
                        residence_status=ResidenceStatus.REFUGEE,
                        department=department,
                        directorate_id=department.directorate_id,
                    )
                    for i in range(0, rows, 2)
                ],
                batch_size=2000,
            )
            # Persons born on the file's dates, under other names: candidates to score.
            Person.objects.bulk_create(
                [
                    Person(
                        last_name=name("AUTRE", i),
                        last_name_key=names.phonetic_key(name("AUTRE", i)),
                        first_names="Homonyme",
                        birth_date=birth_date(start + i),
                        residence_status=ResidenceStatus.REFUGEE,
                        department=department,
                        directorate_id=department.directorate_id,
                    )
                    for i in range(namesakes)
                ],
                batch_size=2000,
            )
            data = generated_file(rows, start)
            began = time.perf_counter()
            plan = imports.read_plan(io.BytesIO(data), "csv", Person.objects.all())
            planned = time.perf_counter() - began
            small = imports.Plan(plan.rows[:commit_rows], plan.mapping)
            began = time.perf_counter()
            imports.commit(small, actor=None)
            committed = time.perf_counter() - began
            transaction.set_rollback(True)
        preview_rate = rows / planned
        commit_rate = len(small.rows) / committed
        verdict = "ok" if preview_rate >= TARGET_ROWS_PER_SECOND else "BELOW TARGET"
        self.stdout.write(
            f"person import on {connection.vendor}: "
            f"preview {rows} rows in {planned:.2f} s = {preview_rate:,.0f} rows/s "
            f"(target {TARGET_ROWS_PER_SECOND:,}: {verdict}); "
            f"commit {len(small.rows)} rows in {committed:.2f} s = {commit_rate:,.0f} rows/s; "
            f"plan {plan.counts}, {len(plan.to_review)} to check "
            f"({namesakes:,} namesakes on file)"
        )
