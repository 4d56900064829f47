"""Throughput of the person import (issue 17): rows per second of the preview (read, checked,
matched, duplicates searched, the plan stored) and of the commit (the stored plan checked
still true, `imports.plan_generation`, and written through the person services' bulk path;
`--replan`: also the commit that reads and plans the file again, when the persons on record
changed since the preview), with the peak memory of the process. Run by `make bench`.

The figures are given in wall time and in processor time of this process (the database
server's time is in the wall time only, on PostgreSQL).

The files are generated (fictitious people): half of the rows are already on file (half of
those with a changed first name: updates with their history rows; the others unchanged), the
other half are new. Persons born on the file's birth dates under other names and without
AGDREF number (`--namesakes`) make the duplicate search read and score candidates as in a
populated DT, and the database is filled up to `--on-file` persons first. Everything happens
inside a transaction that is rolled back: the database is left as it was.
"""

import datetime
import io
import os
import resource
import tempfile
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from parcours.people import imports
from parcours.people.models import Person, ResidenceStatus
from parcours.territories.models import Department

HEADER = "Numéro AGDREF;Nom;Prénoms;Date de naissance;Sexe;Catégorie de séjour;Département"
TARGET_ROWS_PER_SECOND = 5000
START = 9_000_000_000


def birth_date(number: int) -> datetime.date:
    return datetime.date(1960 + number % 45, 1 + number % 12, 1 + number % 28)


def name(prefix: str, number: int) -> str:
    """Digits as consonants: names that sound apart, as a real file's do (a name key drops
    digits, so NOM1 and NOM2 would all be one key)."""
    return prefix + "".join("BCDFGKLMNP"[int(digit)] for digit in str(number))


def first_name(number: int) -> str:
    return f"Prénom{name('', number % 97)}"


def generated_file(rows: int, start: int = START) -> bytes:
    lines = [HEADER]
    for index in range(rows):
        number = start + index
        lines.append(
            f"{number:010d};{name('NOM', number)};{first_name(number)};"
            f"{birth_date(number):%d/%m/%Y};"
            f"{'FH'[number % 2]};Réfugié;57"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _person(department, **values) -> Person:
    person = Person(
        residence_status=ResidenceStatus.REFUGEE,
        department=department,
        directorate_id=department.directorate_id,
        **values,
    )
    person.fill_name_keys()
    return person


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Mesure le débit de l'import de personnes (lignes par seconde), sans rien garder."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
        parser.add_argument("--namesakes", type=int, default=40_000)
        parser.add_argument("--on-file", type=int, default=100_000)
        parser.add_argument("--replan", action="store_true")

    def handle(self, *args, rows, namesakes, on_file, replan, **options):
        self.replan = replan
        department = Department.objects.get(code="57")
        largest = max(rows)
        with transaction.atomic():
            # Half the largest file is on file: those rows are matched, not created; one in
            # two of them has another first name (an update with its history row).
            Person.objects.bulk_create(
                [
                    _person(
                        department,
                        agdref_number=f"{START + i:010d}",
                        last_name=name("NOM", START + i),
                        first_names=first_name(START + i) if i % 4 else "Ancien",
                        birth_date=birth_date(START + i),
                        sex="FH"[(START + i) % 2],
                    )
                    for i in range(0, largest, 2)
                ],
                batch_size=2000,
            )
            # Persons born on the file's dates, under other names: candidates to score.
            Person.objects.bulk_create(
                [
                    _person(
                        department,
                        last_name=name("AUTRE", i),
                        first_names="Homonyme",
                        birth_date=birth_date(START + i),
                    )
                    for i in range(namesakes)
                ],
                batch_size=2000,
            )
            missing = on_file - Person.objects.count()
            if missing > 0:
                Person.objects.bulk_create(
                    [
                        _person(
                            department,
                            last_name=name("FOND", i),
                            first_names="Dossier",
                            birth_date=birth_date(i),
                        )
                        for i in range(missing)
                    ],
                    batch_size=2000,
                )
            persons = Person.objects.count()
            for size in rows:
                self._one(size, persons, namesakes)
            transaction.set_rollback(True)

    def _one(self, size: int, persons: int, namesakes: int) -> None:
        data = generated_file(size)
        everyone = Person.objects.all()
        with tempfile.TemporaryFile() as plan:
            began, cpu = time.perf_counter(), time.process_time()
            generation = imports.plan_generation()
            result = imports.preview(io.BytesIO(data), "csv", everyone, plan_out=plan)
            planned, planned_cpu = time.perf_counter() - began, time.process_time() - cpu
            preview_peak = _peak_mb()
            plan.seek(0)
            try:
                with transaction.atomic():
                    began, cpu = time.perf_counter(), time.process_time()
                    # What the commit task does: the plan is still true, then replayed.
                    assert imports.plan_generation() == generation
                    imports.commit_stored(plan, actor=None, total=result.total)
                    committed = time.perf_counter() - began
                    committed_cpu = time.process_time() - cpu
                    raise _Rollback
            except _Rollback:
                pass
        replanned = ""
        if self.replan:
            try:
                with transaction.atomic():
                    began, cpu = time.perf_counter(), time.process_time()
                    imports.commit_file(io.BytesIO(data), "csv", everyone, actor=None)
                    wall, used = time.perf_counter() - began, time.process_time() - cpu
                    raise _Rollback
            except _Rollback:
                pass
            replanned = (
                f"; commit planning again {size / wall:,.0f} rows/s wall, "
                f"{size / used:,.0f} rows/s CPU"
            )
        preview_rate, commit_rate = size / planned_cpu, size / committed_cpu
        verdict = (
            "ok" if min(preview_rate, commit_rate) >= TARGET_ROWS_PER_SECOND else "BELOW TARGET"
        )
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(
            f"person import on {connection.vendor}, {size:,} rows, {persons:,} persons on file "
            f"({namesakes:,} namesakes), load average {load}: "
            f"preview {planned_cpu:.2f} s CPU = {preview_rate:,.0f} rows/s "
            f"({planned:.2f} s wall = {size / planned:,.0f} rows/s), "
            f"commit {committed_cpu:.2f} s CPU = {commit_rate:,.0f} rows/s "
            f"({committed:.2f} s wall = {size / committed:,.0f} rows/s), "
            f"whole import {size / (planned_cpu + committed_cpu):,.0f} rows/s CPU "
            f"({size / (planned + committed):,.0f} rows/s wall) "
            f"(target {TARGET_ROWS_PER_SECOND:,} rows/s of processor time: {verdict}); "
            f"plan {result.counts}, {len(result.review)} to check; peak memory "
            f"{preview_peak:,.0f} MB after the preview, {_peak_mb():,.0f} MB after the commit "
            f"(ru_maxrss of the process){replanned}"
        )
