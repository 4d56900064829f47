"""Signatories whose language course ends soon, for a partner's information session (seed 004).

CFP02 presents its schemes "at the end of the training" in the language training centres: the
list of people to invite is computed from the language prescriptions of the reception day.
Prescriptions record hours, not an end date, so the end is estimated with the parameters below
(dated data, to confirm with the DTs and training providers; a provider that records real end
dates can register its own source with `register_source`).
"""

import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class CourseEstimate:
    """How a course's end is estimated from its prescription (assumption, valid from)."""

    valid_from: datetime.date
    start_delay_days: int  # from the prescription to the first lesson
    hours_per_week: int  # typical rhythm of an OFII language course


COURSE_ESTIMATES = [CourseEstimate(datetime.date(2019, 3, 1), 30, 12)]


def estimate_for(day: datetime.date) -> CourseEstimate:
    candidates = [e for e in COURSE_ESTIMATES if e.valid_from <= day]
    return max(candidates, key=lambda e: e.valid_from) if candidates else COURSE_ESTIMATES[0]


def estimated_end(decided_on: datetime.date, hours: int) -> datetime.date:
    """The estimated last day of a course of `hours` prescribed on `decided_on`."""
    estimate = estimate_for(decided_on)
    weeks = math.ceil(hours / estimate.hours_per_week)
    return decided_on + datetime.timedelta(days=estimate.start_delay_days + 7 * weeks)


@dataclass(frozen=True)
class CourseEnd:
    person_id: int
    ends_on: datetime.date
    hours: int


Source = Callable[[Iterable[int], datetime.date, datetime.date], Iterable[CourseEnd]]
_sources: list[Source] = []


def register_source(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def unregister_source(source: Source) -> None:
    if source in _sources:
        _sources.remove(source)


def courses_ending(department_ids: Iterable[int], start: datetime.date, end: datetime.date):
    """Courses of persons living in `department_ids` ending between `start` and `end`
    (included), one per person (the latest), soonest first."""
    department_ids = list(department_ids)
    latest: dict[int, CourseEnd] = {}
    for source in _sources:
        for course in source(department_ids, start, end):
            known = latest.get(course.person_id)
            if known is None or course.ends_on > known.ends_on:
                latest[course.person_id] = course
    return sorted(latest.values(), key=lambda c: (c.ends_on, c.person_id))


@register_source
def from_reception_prescriptions(department_ids, start, end) -> list[CourseEnd]:
    """Courses prescribed, or proposed and accepted, on the reception day."""
    if not apps.is_installed("parcours.reception"):
        return []
    Prescription = apps.get_model("reception", "LanguagePrescription")
    # A course ends at most `start_delay + 600 h` after its prescription: bound the scan.
    oldest = start - datetime.timedelta(days=400)
    rows = (
        Prescription.objects.filter(
            person__department_id__in=department_ids,
            decided_on__gte=oldest,
            decided_on__lte=end,
            hours__gt=0,
        )
        .exclude(kind="proposed", answer="declined")
        .exclude(kind="none")
        .values_list("person_id", "decided_on", "hours")
    )
    courses = []
    for person_id, decided_on, hours in rows:
        ends_on = estimated_end(decided_on, hours)
        if start <= ends_on <= end:
            courses.append(CourseEnd(person_id, ends_on, hours))
    return courses
