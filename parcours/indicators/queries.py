"""One grouped SQL query per report: counts by indicator, directorate, month, sex and age band.

DESIGN.md: indicators are "computed with one grouped query per report, not one query per
cell". Indicators reading the same records on the same date form a family, read by one scan
with one conditional count per indicator; the families' SELECTs are joined by UNION ALL. The
number of queries thus does not grow with directorates, months or cells, and the work grows
with the records read, not with the indicators. The age band is mapped in SQL with CASE WHEN
from the age at the event's date (stored on the event when available, computed from the
birth date otherwise), so the database returns a handful of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    TruncDate,
    TruncMonth,
)
from django.db.models.lookups import Exact, LessThan

from parcours.indicators.bands import UNKNOWN_AGE, AgeBandSet
from parcours.indicators.db import aggregate_cursor, raw_date
from parcours.indicators.definitions import Counted, Indicator, ReportDefinition
from parcours.indicators.periods import Month, Period


def _field_at(model, path: str):
    """The model field at the end of a lookup path such as "session__date"."""
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return field


def _join(*parts: str) -> str:
    """A lookup path from parts, skipping empty ones ("" = the record itself)."""
    return "__".join(part for part in parts if part)


def computed_age(birth_field: str, date_field: str):
    """Age in whole years at the event, from a birth date, in portable SQL (None if unknown).

    Same arithmetic as bands.age_on: one year less when the birthday is not yet reached.
    """
    event_year, event_month, event_day = (
        ExtractYear(date_field),
        ExtractMonth(date_field),
        ExtractDay(date_field),
    )
    birth_month, birth_day = ExtractMonth(birth_field), ExtractDay(birth_field)
    before_birthday = Case(
        When(LessThan(event_month, birth_month), then=Value(1)),
        When(
            Exact(event_month, birth_month) & LessThan(event_day, birth_day),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return Case(
        When(**{f"{birth_field}__isnull": True}, then=Value(None)),
        default=ExpressionWrapper(
            event_year - ExtractYear(birth_field) - before_birthday,
            output_field=IntegerField(),
        ),
        output_field=IntegerField(),
    )


def band_case(age_annotation: str, bands: AgeBandSet) -> Case:
    """CASE WHEN mapping an annotated age to its band code; "unknown" when the age is NULL.

    Bands are validated to be contiguous from 0, so "age <= maximum" in order is enough.
    """
    whens = [When(Q(**{f"{age_annotation}__isnull": True}), then=Value(UNKNOWN_AGE))]
    for band in bands.bands:
        if band.maximum is not None:
            whens.append(When(Q(**{f"{age_annotation}__lte": band.maximum}), then=Value(band.code)))
    return Case(*whens, default=Value(bands.bands[-1].code), output_field=CharField())


def family_key(indicator: Indicator) -> tuple:
    """Indicators with the same records, date, directorate, person, age and sex share one scan."""
    base = indicator.source()
    return (
        base.model._meta.label,
        str(base.query),
        indicator.date_field,
        indicator.directorate_field,
        indicator.person_field,
        indicator.age_field,
        indicator.age_fallback_field,
        indicator.sex_field,
    )


def families(indicators: Iterable[Indicator]) -> list[list[Indicator]]:
    """Indicators grouped by family_key, in the order they first appear."""
    grouped: dict[tuple, list[Indicator]] = {}
    for indicator in indicators:
        grouped.setdefault(family_key(indicator), []).append(indicator)
    return list(grouped.values())


def _counter(indicator: Indicator):
    """The indicator's count in a group: distinct persons, or records, matching its filter."""
    condition = indicator.filters if indicator.filters else None
    if indicator.counted == Counted.PERSONS:
        return Count(indicator.person_field or "pk", distinct=True, filter=condition)
    return Count("pk", filter=condition)


def family_counts_query(
    family: list[Indicator],
    all_codes: list[str],
    bands: AgeBandSet,
    *,
    start: datetime.date,
    end: datetime.date,
    directorate_ids: Iterable[int] | None,
):
    """Grouped SELECT of a family: (directorate, month, sex, band, one count per indicator).

    Every indicator of the report has a column, 0 for those of other families, so the
    families' SELECTs line up in one UNION ALL. Each indicator's filter is a FILTER (WHERE …)
    of its count, so one scan of the records serves the whole family.
    """
    first = family[0]
    queryset = first.source()
    model = queryset.model
    date_field = _field_at(model, first.date_field)
    if isinstance(date_field, DateTimeField):
        # Timestamps count on the local calendar day (Europe/Paris), like agents read them.
        day = TruncMonth(first.date_field, output_field=DateField())
        lower = {f"{first.date_field}__date__gte": start}
        upper = {f"{first.date_field}__date__lt": end}
        event_day = TruncDate(first.date_field)
    else:
        day = TruncMonth(first.date_field)
        lower = {f"{first.date_field}__gte": start}
        upper = {f"{first.date_field}__lt": end}
        event_day = F(first.date_field)
    person = first.person_field
    if first.age_field:
        age = F(first.age_field)
    else:
        age = computed_age(_join(person, "birth_date"), event_day)
        if first.age_fallback_field:
            age = Coalesce(age, F(first.age_fallback_field), output_field=IntegerField())
    queryset = queryset.filter(**lower, **upper)
    if directorate_ids is not None:
        queryset = queryset.filter(**{f"{first.directorate_field}__in": list(directorate_ids)})
    if all(indicator.filters for indicator in family):
        # Only the records some indicator counts need to be read.
        wanted = Q()
        for indicator in family:
            wanted |= indicator.filters
        queryset = queryset.filter(wanted)
    mine = {indicator.code: indicator for indicator in family}
    counts = {
        f"_n_{code}": _counter(mine[code]) if code in mine else Value(0, IntegerField())
        for code in all_codes
    }
    return (
        queryset.annotate(
            _age=age,
            _directorate=F(first.directorate_field),
            _month=day,
            _sex=F(first.sex_field or _join(person, "sex")),
        )
        .annotate(_band=band_case("_age", bands))
        .values("_directorate", "_month", "_sex", "_band")
        .annotate(**counts)
        .values_list("_directorate", "_month", "_sex", "_band", *counts)
        .order_by()
    )


# The report's SQL is compiled once per (report, bands, number of directorates, database) with
# placeholder values, then run with the real period and directorates: compiling ten filtered
# counts through the ORM costs more than running them on a DT's month (docs/benchmarks.md).
_SENTINEL_START = datetime.date(1901, 1, 1)
_SENTINEL_END = datetime.date(1901, 1, 2)
_SENTINEL_ID = -1_000_000
_compiled: dict[tuple, tuple[str, list]] = {}


def _compile(report: ReportDefinition, bands: AgeBandSet, directorates: int | None, using: str):
    key = (
        report.code,
        id(report),
        tuple((b.code, b.maximum) for b in bands.bands),
        directorates,
        using,
    )
    if key in _compiled:
        return _compiled[key]
    codes = [indicator.code for indicator in report.indicators]
    ids = None if directorates is None else [_SENTINEL_ID - i for i in range(directorates)]
    pieces, params = [], []
    for family in families(report.indicators):
        inner = family_counts_query(
            family, codes, bands, start=_SENTINEL_START, end=_SENTINEL_END, directorate_ids=ids
        )
        inner_sql, inner_params = inner.query.sql_with_params()
        pieces.append(inner_sql)  # no ORDER BY nor LIMIT: valid as a UNION member everywhere
        params.extend(inner_params)
    sql = " UNION ALL ".join(pieces)
    slots = []
    # Dates reach the parameters as the backend adapts them (text on SQLite).
    start_forms = (_SENTINEL_START, str(_SENTINEL_START))
    end_forms = (_SENTINEL_END, str(_SENTINEL_END))
    for value in params:
        if type(value) in (datetime.date, str) and value in start_forms:
            slots.append(("start", None))
        elif type(value) in (datetime.date, str) and value in end_forms:
            slots.append(("end", None))
        elif type(value) is int and value <= _SENTINEL_ID:
            slots.append(("id", _SENTINEL_ID - value))
        else:
            slots.append(("value", value))
    _compiled[key] = (sql, slots)
    return _compiled[key]


def report_counts(
    report: ReportDefinition,
    bands: AgeBandSet,
    period: Period,
    directorate_ids: Iterable[int] | None = None,
    *,
    using: str | None = None,
) -> list[tuple[str, int, Month, str, str, int]]:
    """Run the report's one query; rows of (indicator, directorate id, month, sex, band, n).

    `directorate_ids` None means every directorate (the national view). The query runs on
    the read replica inside the figures' views, when there is one (core.replica).
    """
    from django.db import connections

    from parcours.core.replica import read_alias

    using = using or read_alias()

    if directorate_ids is not None:
        directorate_ids = list(directorate_ids)
        if not directorate_ids:
            return []
    sql, slots = _compile(
        report, bands, None if directorate_ids is None else len(directorate_ids), using
    )
    adapt = connections[using].ops.adapt_datefield_value
    values = {"start": adapt(period.start), "end": adapt(period.end_exclusive)}
    params = [
        values[kind] if kind in values else directorate_ids[arg] if kind == "id" else arg
        for kind, arg in slots
    ]
    with aggregate_cursor(using) as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    codes = [indicator.code for indicator in report.indicators]
    rows = []
    for directorate_id, month, sex, band, *counts in result:
        month = Month.of(raw_date(month))
        for code, count in zip(codes, counts, strict=True):
            if count:
                rows.append((code, directorate_id, month, sex, band, count))
    return rows
