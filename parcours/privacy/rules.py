"""Data-protection rules as plain functions over plain values (no database).

Sources: issue 6 of Parcours ("Privacy facts" in DOMAIN.md; CNIL social-sector reference:
active data 2 years after the last contact, access logs 6 to 12 months).
"""

import calendar
import datetime

from parcours.core.spreadsheets import neutralise
from parcours.organisations.roles import Role

# Issue 6: "a retention period per data category, set by the data controller (default:
# active data 24 months after the last recorded step, within 1 to 36 months)".
RETENTION_MIN_MONTHS = 1
RETENTION_MAX_MONTHS = 36
RETENTION_DEFAULT_MONTHS = 24
# The DT is told a month before a file is anonymised (issue 6, "Retention").
NOTICE_MONTHS_BEFORE = 1
# CNIL: access logs are kept 6 to 12 months; the database refuses to purge younger rows.
ACCESS_LOG_MIN_MONTHS = 6

# Roles that read person files beyond their own follow-up (managers of the DT see every file
# of the directorate) must say why they open one (issue 6, "a purpose where the role must
# give one").
PURPOSE_REQUIRED_FOR_PERSON_READ = frozenset({Role.DT_DIRECTOR, Role.DT_ADMIN})


def subtract_months(moment, months: int):
    """The same day `months` earlier (the last day of the month when that day does not exist)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_months(moment, months: int):
    return subtract_months(moment, -months)


def retention_cutoff(now, months: int):
    """Files whose last recorded step is before this moment have expired.

    Issue 6: active data is kept `months` after the last recorded step.
    """
    validate_retention_months(months)
    return subtract_months(now, months)


def notice_cutoff(now, months: int):
    """Files whose last step is before this moment expire within the notice period."""
    return add_months(retention_cutoff(now, months), NOTICE_MONTHS_BEFORE)


def validate_retention_months(months: int) -> None:
    """Issue 6: a retention period lies within 1 to 36 months."""
    if not (RETENTION_MIN_MONTHS <= int(months) <= RETENTION_MAX_MONTHS):
        raise ValueError(
            f"retention must be {RETENTION_MIN_MONTHS} to {RETENTION_MAX_MONTHS} months: {months}"
        )


def first_of_month(day: datetime.date | None) -> datetime.date | None:
    """What anonymisation keeps of a date: its year and month (issue 6, "dates by month")."""
    if day is None:
        return None
    if isinstance(day, datetime.datetime):
        return day.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return day.replace(day=1)


def age_at_month(birth: datetime.date | None, event: datetime.date) -> int | None:
    """Age in whole years, counted by months: the same before and after anonymisation.

    Anonymisation keeps the birth year and month and the event's month (issue 6); an age
    computed from the day of the month would move a person between age bands when the days
    are removed. Counting by months (someone born in May is a year older from 1 May) gives the
    same figure on full and on anonymised dates.
    """
    if birth is None:
        return None
    years = event.year - birth.year
    if event.month < birth.month:
        years -= 1
    return years


def purpose_required(role: str, operation: str) -> bool:
    """Whether this role must state a purpose for this operation.

    Exports of one person's data, erasure and reading the access log of others are never
    routine: a purpose is always asked. Managers of a DT state why they open a file.
    """
    from parcours.privacy.access_log import Operation  # the registry of operations

    if operation in {Operation.SUBJECT_ACCESS_EXPORT, Operation.ERASURE}:
        return True
    return operation == Operation.PERSON_READ and role in PURPOSE_REQUIRED_FOR_PERSON_READ


def spreadsheet_safe(value) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    return neutralise("" if value is None else str(value))
