"""The duplicate finder: persons that may be the one being entered (person form, imports).

One function, `find_candidates`, used by the person form and by imports (issue 17, point 5):

- the same AGDREF number is the same person (the number is unique per foreign national,
  CESEDA art. R142-1 and the AGDREF decree n° 93-1362);
- otherwise the names and the birth date, tolerant to the ways an Arabic or Cyrillic name is
  written in Latin letters, to compound first names with or without a hyphen or space, to
  particles (« Abd El » / « Abdel »), to first and last names swapped, and to day and month
  swapped in the birth date (people/names.py holds the keys);
- people who merely share a common name and were born clearly apart (two years or more) are
  not proposed: the birth date weighs as much as it does for an agent at the counter.

Candidates are read in ONE query from indexes (AGDREF, birth date, name key with birth date),
then scored in Python with rapidfuzz: fast at a million persons. Pairs an agent marked
distinct (`DuplicatePair`) are not proposed again. Precision and recall on the labelled set
`people/data/duplicate_pairs.csv` are measured by tests/test_people_duplicates.py and printed
by `manage.py bench_duplicates` (docs/duplicates.md).
"""

import datetime
import functools
from dataclasses import dataclass, field

import numpy
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from parcours.people import names
from parcours.people.models import DuplicatePair, Person

# A pair at or above this score is proposed (tuned on the labelled set, docs/duplicates.md).
THRESHOLD = 0.8
# Weights of the names and of the birth date in the score.
NAME_WEIGHT = 0.65
DATE_WEIGHT = 0.35
# Score given to a birth date that one side does not know: neither for nor against.
UNKNOWN_DATE = 0.5
# At most this many rows are read and scored for one search (the index paths are narrow:
# about 40 persons per birth date at a million persons).
MAX_ROWS = 400


@dataclass
class Candidate:
    """A person that may be the one being entered: score from 0 to 1, reasons in French."""

    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Identity:
    last: str
    first: str
    last_key: str
    first_key: str
    first_word: str


# An import scores each row against many persons and each person against many rows: the
# keys of a name are computed once (pure function of the two strings).
@functools.lru_cache(maxsize=65_536)
def _identity(last_name: str, first_names: str) -> _Identity:
    # The words of each name are read once (names.words is most of the cost).
    first_words = names.words(first_names)
    last, first = names.glued(last_name), "".join(first_words)
    return _Identity(
        last,
        first,
        names.glued_key(last),
        names.glued_key(first),
        first_words[0] if first_words else "",
    )


def _identity_of(person) -> _Identity:
    """`_identity` of a person read with its stored phonetic keys (`keys_from_database`, the
    import's rows of the database: computed by Person.fill_name_keys on every write) without
    computing them again; of any other person (a form's, a file's row) from its names."""
    if not getattr(person, "keys_from_database", False):
        return _identity(person.last_name, person.first_names)
    first_words = names.words(person.first_names)
    return _Identity(
        names.glued(person.last_name),
        "".join(first_words),
        person.last_name_key,
        person.first_name_key,
        first_words[0] if first_words else "",
    )


def _similarity(a: str, b: str, key_a: str, key_b: str) -> float:
    """0–1: the spelled forms' similarity, raised to 0.95 when they sound alike."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = fuzz.ratio(a, b) / 100
    if key_a and key_a == key_b:
        ratio = max(ratio, 0.95)
    return ratio


def _first_names_similarity(a: _Identity, b: _Identity) -> float:
    value = _similarity(a.first, b.first, a.first_key, b.first_key)
    # « Mohamed Ali » and « Mohamed »: the first of the first names is the one in use.
    if a.first_word and a.first_word == b.first_word:
        value = max(value, 0.9)
    return value


def _names_score(a: _Identity, b: _Identity) -> tuple[float, bool]:
    """The names' score and whether it is the first and last names swapped that match."""
    straight = (
        _similarity(a.last, b.last, a.last_key, b.last_key) + _first_names_similarity(a, b)
    ) / 2
    swapped = (
        _similarity(a.last, b.first, a.last_key, b.first_key)
        + _similarity(a.first, b.last, a.first_key, b.last_key)
    ) / 2
    # A swap is a little less likely than a same-order spelling.
    swapped *= 0.97
    return (swapped, True) if swapped > straight else (straight, False)


def _swapped_day_month(day: datetime.date) -> datetime.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def _one_digit_apart(a: datetime.date, b: datetime.date) -> bool:
    left, right = a.strftime("%d%m%Y"), b.strftime("%d%m%Y")
    return sum(x != y for x, y in zip(left, right, strict=True)) == 1


def _date_value(a: datetime.date | None, b: datetime.date | None) -> tuple[float, str]:
    """The birth dates' score and the key of its reason (`_DATE_REASONS`), untranslated: an
    import scores thousands of pairs and keeps a few."""
    if a is None or b is None:
        return UNKNOWN_DATE, "unknown"
    if a == b:
        return 1.0, "same"
    if _swapped_day_month(a) == b:
        return 0.9, "swapped"
    if _one_digit_apart(a, b):
        return 0.75, "digit"
    if a.year == b.year:
        return 0.5, "year"
    if abs(a.year - b.year) == 1:
        return 0.3, "next_year"
    return 0.0, ""


_DATE_REASONS = {
    "unknown": gettext_lazy("date de naissance inconnue pour l'un des deux dossiers"),
    "same": gettext_lazy("même date de naissance"),
    "swapped": gettext_lazy("date de naissance avec le jour et le mois inversés"),
    "digit": gettext_lazy("date de naissance à un chiffre près"),
    "year": gettext_lazy("même année de naissance"),
    "next_year": gettext_lazy("années de naissance voisines"),
}


def _date_score(a: datetime.date | None, b: datetime.date | None) -> tuple[float, str]:
    value, key = _date_value(a, b)
    return value, str(_DATE_REASONS[key]) if key else ""


def _score(*, last_name, first_names, birth_date, agdref, person) -> tuple[float, float, bool, str]:
    """The score (before rounding), the names' score, whether swapped, the date's reason key."""
    wanted = _identity(last_name, first_names)
    names_value, swapped = _names_score(wanted, _identity(person.last_name, person.first_names))
    if person.usual_name:
        usual_value, usual_swapped = _names_score(
            wanted, _identity(person.usual_name, person.first_names)
        )
        if usual_value > names_value:
            names_value, swapped = usual_value, usual_swapped
    date_value, date_key = _date_value(birth_date, person.birth_date)
    score = NAME_WEIGHT * names_value + DATE_WEIGHT * date_value
    if agdref and person.agdref_number:
        # Two different AGDREF numbers are two foreign nationals, unless one was mistyped.
        score *= 0.7
    return score, names_value, swapped, date_key


def pair_score(
    *,
    last_name: str,
    first_names: str,
    birth_date: datetime.date | None,
    agdref: str | None,
    person,
) -> float:
    """`score_pair`'s score alone, without its French reasons: an import's first sieve."""
    if agdref and person.agdref_number and agdref == person.agdref_number:
        return 1.0
    score = _score(
        last_name=last_name,
        first_names=first_names,
        birth_date=birth_date,
        agdref=agdref,
        person=person,
    )[0]
    return round(min(score, 1.0), 3)


# The sieve's margin below THRESHOLD: its float32 scores and unrounded sums differ from
# `pair_score` by far less than this, so no pair the exact scoring would keep is dropped.
_SIEVE_MARGIN = 0.005


# Up to this many persons, `sieve` scores them one by one (`pair_score`, about 10 µs a pair):
# below it, numpy's fixed cost per call (about 80 µs) is the larger (measured in issue 17).
_EXACT_UP_TO = 6


@functools.lru_cache(maxsize=65_536)
def _date_weight(a: datetime.date | None, b: datetime.date | None) -> float:
    return _date_value(a, b)[0]


def _positions(keys) -> dict:
    """Where each key stands in a block: key → positions (a sieve then raises the ratios of
    equal keys at these positions instead of comparing every key of the block)."""
    found: dict = {}
    for index, key in enumerate(keys):
        if key:
            found.setdefault(key, []).append(index)
    return {key: numpy.array(indices) for key, indices in found.items()}


def _raise(ratios, at, floor: float) -> None:
    """`_similarity`'s raise to `floor` where the keys are equal (`at`), in place."""
    if at is not None:
        ratios[at] = numpy.maximum(ratios[at], floor)


def _exact_sieve(persons: list, last_name, first_names, birth_date, agdref) -> list:
    """`sieve` for a handful of persons: scored one by one, faster than as arrays."""
    described = {
        "last_name": last_name,
        "first_names": first_names,
        "birth_date": birth_date,
        "agdref": agdref,
    }
    return [p for p in persons if pair_score(**described, person=p) >= THRESHOLD - _SIEVE_MARGIN]


class Block:
    """Persons on file prepared once for `sieve`: their name keys and strings as arrays.

    An import scores every row born on a date against the same persons (about 16 rows per
    birth date in a 20,000-row file): the block of a birth date is prepared once.
    """

    def __init__(self, persons: list):
        self.persons = persons
        others = [_identity_of(p) for p in persons]
        self.usual_at = [i for i, p in enumerate(persons) if p.usual_name]
        usuals = [_identity(persons[i].usual_name, persons[i].first_names) for i in self.usual_at]
        self.count = len(persons)
        self.choices = [o.last for o in others] + [o.first for o in others]
        self.choices += [u.last for u in usuals]
        self.empty = numpy.array([not text for text in self.choices], dtype=bool)
        self.last_keys = _positions(o.last_key for o in others)
        self.first_keys = _positions(o.first_key for o in others)
        self.first_words = _positions(o.first_word for o in others)
        self.usual_keys = _positions(u.last_key for u in usuals)
        self.numbered = numpy.array([bool(p.agdref_number) for p in persons], dtype=bool)
        self.unnumbered = self.count - int(self.numbered.sum())
        self.pks = {p.pk for p in persons}
        self.numbers = _positions(p.agdref_number for p in persons)
        self._dates: dict = {}

    def date_values(self, birth_date):
        if birth_date not in self._dates:
            self._dates[birth_date] = numpy.array(
                [_date_weight(birth_date, p.birth_date) for p in self.persons], dtype=float
            )
        return self._dates[birth_date]

    def sieve(self, *, last_name, first_names, birth_date, agdref) -> list:
        """`sieve` on this block."""
        if self.count <= _EXACT_UP_TO:
            return _exact_sieve(self.persons, last_name, first_names, birth_date, agdref)
        count = self.count
        dates = self.date_values(birth_date)
        same_number = numpy.zeros(count, dtype=bool)
        if agdref and agdref in self.numbers:
            same_number[self.numbers[agdref]] = True
        # The best names (1.0) need this much of the birth date to reach the threshold.
        needed = (THRESHOLD - _SIEVE_MARGIN - NAME_WEIGHT) / DATE_WEIGHT
        if not (same_number | (dates >= needed)).any():
            return []
        wanted = _identity(last_name, first_names)
        # One call: the wanted last and first names against every last, first and usual name.
        ratios = (
            process.cdist([wanted.last, wanted.first], self.choices, scorer=fuzz.ratio).astype(
                numpy.float64
            )
            / 100
        )
        # `_similarity` is 0 when either side is empty.
        ratios[:, self.empty] = 0.0
        if not wanted.last:
            ratios[0, :] = 0.0
        if not wanted.first:
            ratios[1, :] = 0.0
        # Each quarter of `ratios` is raised once, in place: a view read by one score only.
        same_last, same_first = ratios[0, :count], ratios[1, count : 2 * count]
        last_first, first_last = ratios[0, count : 2 * count], ratios[1, :count]
        _raise(same_last, self.last_keys.get(wanted.last_key), 0.95)
        _raise(same_first, self.first_keys.get(wanted.first_key), 0.95)
        if wanted.first_word:
            # « Mohamed Ali » and « Mohamed »: the first of the first names is the one in use.
            _raise(same_first, self.first_words.get(wanted.first_word), 0.9)
        _raise(last_first, self.first_keys.get(wanted.last_key), 0.95)
        _raise(first_last, self.last_keys.get(wanted.first_key), 0.95)
        straight = (same_last + same_first) / 2
        swapped = 0.97 * (last_first + first_last) / 2
        names_value = numpy.maximum(straight, swapped)
        if self.usual_at:
            at = numpy.array(self.usual_at)
            usual_last, usual_first_last = ratios[0, 2 * count :], ratios[1, 2 * count :]
            _raise(usual_last, self.usual_keys.get(wanted.last_key), 0.95)
            _raise(usual_first_last, self.usual_keys.get(wanted.first_key), 0.95)
            usual_value = numpy.maximum(
                (usual_last + same_first[at]) / 2,
                0.97 * (last_first[at] + usual_first_last) / 2,
            )
            names_value[at] = numpy.maximum(names_value[at], usual_value)
        score = NAME_WEIGHT * names_value + DATE_WEIGHT * dates
        if agdref:
            score = numpy.where(self.numbered, score * 0.7, score)
        keep = (score >= THRESHOLD - _SIEVE_MARGIN) | same_number
        return [p for p, kept in zip(self.persons, keep.tolist(), strict=True) if kept]


def sieve(
    *,
    last_name: str,
    first_names: str,
    birth_date: datetime.date | None,
    agdref: str | None,
    persons: list,
) -> list:
    """The persons among `persons` whose `pair_score` may reach THRESHOLD, in their order.

    The same formula as `_score`, computed for the whole block in one `rapidfuzz.process.cdist`
    call and numpy (issue 17: an import scores about 32 persons per row); the pairs kept are
    then scored exactly, one by one, by `pair_score` / `score_pair`. A pair is dropped only when
    its block score is below THRESHOLD by more than `_SIEVE_MARGIN`.
    """
    if len(persons) <= _EXACT_UP_TO:
        return _exact_sieve(persons, last_name, first_names, birth_date, agdref)
    return Block(persons).sieve(
        last_name=last_name, first_names=first_names, birth_date=birth_date, agdref=agdref
    )


def score_pair(
    *,
    last_name: str,
    first_names: str,
    birth_date: datetime.date | None,
    agdref: str | None,
    person: Person,
) -> Candidate:
    """How likely `person` is the one described by the other arguments."""
    if agdref and person.agdref_number and agdref == person.agdref_number:
        return Candidate(person, 1.0, [_("même numéro AGDREF")])
    score, names_value, swapped, date_key = _score(
        last_name=last_name,
        first_names=first_names,
        birth_date=birth_date,
        agdref=agdref,
        person=person,
    )
    reasons = []
    if names_value >= 0.999:
        reasons.append(_("mêmes nom et prénoms"))
    elif swapped:
        reasons.append(_("nom et prénom inversés"))
    elif names_value >= 0.85:
        reasons.append(_("nom et prénoms très proches (orthographe, translittération)"))
    elif names_value >= 0.7:
        reasons.append(_("nom et prénoms proches"))
    if date_key:
        reasons.append(str(_DATE_REASONS[date_key]))
    if agdref and person.agdref_number:
        reasons.append(_("numéros AGDREF différents"))
    return Candidate(person, round(min(score, 1.0), 3), reasons)


def _rows(*, last_name, first_names, birth_date, agdref, exclude_pk, within) -> list[Person]:
    keys = {k for k in (names.phonetic_key(last_name), names.phonetic_key(first_names)) if k}
    condition = Q(pk__in=[])
    if agdref:
        condition |= Q(agdref_number=agdref)
    if birth_date is not None:
        dates = {birth_date}
        swapped = _swapped_day_month(birth_date)
        if swapped:
            dates.add(swapped)
        condition |= Q(birth_date__in=sorted(dates))
        if keys:
            # A name sounding alike, born within about a year (a mistyped day or year).
            condition |= Q(
                last_name_key__in=sorted(keys),
                birth_date__range=(
                    birth_date - datetime.timedelta(days=400),
                    birth_date + datetime.timedelta(days=400),
                ),
            )
    elif keys:
        condition |= Q(last_name_key__in=sorted(keys))
    queryset = Person.objects.all() if within is None else within
    queryset = queryset.filter(condition).filter(anonymised_at__isnull=True)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    # The strongest evidence first, so that the MAX_ROWS read are the likeliest: at a million
    # persons a birth date alone matches hundreds of people, and an arbitrary cut dropped the
    # very person with the same AGDREF number (make bench, bench_duplicates: recall 0.56).
    evidence = []
    if agdref:
        evidence.append(When(agdref_number=agdref, then=Value(0)))
    if birth_date is not None and keys:
        sounding = Q(last_name_key__in=sorted(keys))
        evidence.append(When(sounding & Q(birth_date__in=sorted(dates)), then=Value(1)))
        evidence.append(When(sounding, then=Value(2)))
    if birth_date is not None:
        evidence.append(When(birth_date=birth_date, then=Value(3)))
    if evidence:
        strength = Case(*evidence, default=Value(4), output_field=IntegerField())
        queryset = queryset.order_by(strength, "pk")
    else:
        queryset = queryset.order_by()
    return list(
        queryset.only(
            "pk",
            "last_name",
            "usual_name",
            "first_names",
            "birth_date",
            "agdref_number",
            "sex",
            "directorate_id",
            "department_id",
            "city",
        )[:MAX_ROWS]
    )


def find_candidates(
    *,
    first_name: str,
    last_name: str,
    birth_date: datetime.date | None,
    agdref: str | None = None,
    exclude_pk: int | None = None,
    limit: int = 10,
    within=None,
) -> list[Candidate]:
    """Persons that may be the one described, best first, score >= THRESHOLD.

    `within` narrows the search to a queryset of persons (the persons the agent may see:
    a duplicate in another DT is not shown to this DT's agents). Two queries at most: the
    candidates, and the pairs already marked distinct when `exclude_pk` is a stored person.
    """
    agdref = (agdref or "").strip() or None
    rows = _rows(
        last_name=last_name,
        first_names=first_name,
        birth_date=birth_date,
        agdref=agdref,
        exclude_pk=exclude_pk,
        within=within,
    )
    if not rows:
        return []
    distinct: set[int] = set()
    if exclude_pk is not None:
        distinct = DuplicatePair.distinct_from(exclude_pk, [row.pk for row in rows])
    found = []
    for person in rows:
        if person.pk in distinct:
            continue
        candidate = score_pair(
            last_name=last_name,
            first_names=first_name,
            birth_date=birth_date,
            agdref=agdref,
            person=person,
        )
        if candidate.score >= THRESHOLD:
            found.append(candidate)
    found.sort(key=lambda c: (-c.score, c.person.last_name, c.person.first_names, c.person.pk))
    return found[:limit]
