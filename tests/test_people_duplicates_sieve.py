"""The import's block sieve (duplicates.sieve) keeps every pair the exact scoring proposes."""

import csv
import datetime
from dataclasses import dataclass

from django.conf import settings

from parcours.people import duplicates


@dataclass
class _Person:
    pk: int
    last_name: str
    first_names: str
    birth_date: datetime.date | None
    agdref_number: str | None
    usual_name: str = ""


def _labelled():
    path = settings.BASE_DIR / "parcours" / "people" / "data" / "duplicate_pairs.csv"
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _wanted_and_persons():
    rows = _labelled()
    wanted = [
        (r["a_last_name"], r["a_first_names"], _day(r["a_birth_date"]), r["a_agdref"] or None)
        for r in rows
    ]
    persons = [
        _Person(
            i, r["b_last_name"], r["b_first_names"], _day(r["b_birth_date"]), r["b_agdref"] or None
        )
        for i, r in enumerate(rows)
    ]
    count = len(persons)
    # Usual names (married names) and a missing last name: the sieve's other branches.
    for i, person in enumerate(persons[:60]):
        persons.append(
            _Person(count + i, "", person.first_names, person.birth_date, None, person.last_name)
        )
        persons.append(
            _Person(
                2 * count + i,
                "AUTRE",
                person.first_names,
                person.birth_date,
                None,
                person.last_name,
            )
        )
    return wanted, persons


def test_the_sieve_keeps_every_pair_the_exact_score_proposes_on_the_labelled_set():
    wanted, persons = _wanted_and_persons()
    proposed = dropped = 0
    for last, first, day, agdref in wanted:
        for number in (agdref, None):
            described = {
                "last_name": last,
                "first_names": first,
                "birth_date": day,
                "agdref": number,
            }
            kept = {p.pk for p in duplicates.sieve(**described, persons=persons)}
            for person in persons:
                if duplicates.pair_score(**described, person=person) >= duplicates.THRESHOLD:
                    proposed += 1
                    dropped += person.pk not in kept
    assert proposed > 300  # every labelled same pair, by its number and by its names
    assert dropped == 0


def test_the_sieve_drops_names_and_dates_that_cannot_reach_the_threshold():
    day = datetime.date(1980, 5, 17)
    persons = [
        _Person(1, "BENALI", "MOHAMED", day, None),
        _Person(2, "DUPONT", "CLAIRE", day, None),  # same date, other names
        _Person(3, "BENALI", "MOHAMED", datetime.date(1975, 2, 3), None),  # born apart
        _Person(4, "BENALI", "MOHAMED", day, "1234567890"),  # another AGDREF number
    ]
    kept = duplicates.sieve(
        last_name="BENALY",
        first_names="MOHAMED",
        birth_date=day,
        agdref="0987654321",
        persons=persons,
    )
    assert [p.pk for p in kept] == [1]
