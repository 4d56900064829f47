"""Precision and recall of the duplicate finder on the labelled set (docs/duplicates.md).

The set `people/data/duplicate_pairs.csv` (built by scripts/build_duplicate_pairs.py) holds
pairs (A, B) labelled same person or not. Every A is stored as a person, then
`find_candidates` is asked about every B as an agent would type it: a pair is found when A is
among the candidates. Used by tests/test_people_duplicates.py (a floor is asserted) and by
`manage.py bench_duplicates` (printed by `make bench`).
"""

import csv
import datetime
import pathlib
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from parcours.people.duplicates import find_candidates
from parcours.people.models import Person
from parcours.territories.models import Department

PAIRS_FILE = pathlib.Path(__file__).resolve().parent / "data" / "duplicate_pairs.csv"


@dataclass
class Evaluation:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    seconds: float = 0.0
    missed: Counter = field(default_factory=Counter)
    wrongly_proposed: Counter = field(default_factory=Counter)

    @property
    def pairs(self) -> int:
        return (
            self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
        )

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        same = self.true_positives + self.false_negatives
        return self.true_positives / same if same else 1.0

    def summary(self) -> str:
        return (
            f"duplicates: {self.pairs} labelled pairs, precision {self.precision:.3f}, "
            f"recall {self.recall:.3f} (TP {self.true_positives}, FP {self.false_positives}, "
            f"FN {self.false_negatives}, TN {self.true_negatives}), "
            f"{1000 * self.seconds / max(self.pairs, 1):.1f} ms per search"
        )


def load_pairs(path: pathlib.Path = PAIRS_FILE) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class _Rollback(Exception):
    pass


def evaluate(pairs: list[dict] | None = None) -> Evaluation:
    """Store every A, search every B; nothing stays in the database."""
    pairs = load_pairs() if pairs is None else pairs
    result = Evaluation()
    try:
        with transaction.atomic():
            department = Department.objects.filter(directorate__isnull=False).first()
            stored = []
            for row in pairs:
                person = Person(
                    last_name=row["a_last_name"],
                    first_names=row["a_first_names"],
                    birth_date=_date(row["a_birth_date"]),
                    agdref_number=row["a_agdref"] or None,
                    residence_status="refugee",
                    department=department,
                    directorate_id=department.directorate_id,
                )
                person.fill_name_keys()
                stored.append(person)
            # Labelled sets may give one AGDREF to two A sides: the evaluation keeps the first.
            seen: set[str] = set()
            for person in stored:
                if person.agdref_number in seen:
                    person.agdref_number = None
                seen.add(person.agdref_number)
            stored = Person.objects.bulk_create(stored)
            started = time.perf_counter()
            for row, person in zip(pairs, stored, strict=True):
                candidates = find_candidates(
                    first_name=row["b_first_names"],
                    last_name=row["b_last_name"],
                    birth_date=_date(row["b_birth_date"]),
                    agdref=row["b_agdref"] or None,
                )
                found = any(c.person.pk == person.pk for c in candidates)
                if row["same"] == "1":
                    if found:
                        result.true_positives += 1
                    else:
                        result.false_negatives += 1
                        result.missed[row["variant"]] += 1
                elif found:
                    result.false_positives += 1
                    result.wrongly_proposed[row["variant"]] += 1
                else:
                    result.true_negatives += 1
            result.seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return result
