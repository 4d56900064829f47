"""Protected releases: every table one audience is given about a DT's month, protected together.

Issue 11 (ADR 0015, updating 0006): the unit of protection is the release, not the table. A
reader outside the DT is given, for each directorate and month, the tables of every indicator
of the report (page, CSV, XLSX, ODS, PDF and the monthly e-mail all print the same tables,
documents.py), in any period that contains the month (month, quarter, year) and in any
perimeter that contains the DT (the DT narrowed, the region, the nation): sums over several
directorates or months are never published outside the DT (ADR 0006), so every value a reader
can obtain is a value of one directorate's month, and the release of that month is the
system of its tables, their margins and the relations declared with the report
(definitions.Relation). That system is protected and audited as one (disclosure.py).

- The same data always gets the same pattern (deterministic; cached by a fingerprint of the
  exact values, the threshold and the relations, so a figure that changes changes the key).
- What an audience received before counts as published: the values it was shown hidden stay
  hidden in any later release of the month to it (`ReleaseRecord`).
- An approved month is released from its frozen figures (documents.py), so its protection is
  frozen with it: same figures, same fingerprint, same pattern; and a month the audience
  received before starts from the pattern it was given, which the audit keeps when it still
  passes, so a later version of the algorithm does not hide values already published.
- A release that cannot be protected raises `ReleaseRefused`, with the French message shown
  instead of the figures; it is never sent.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from parcours.indicators.definitions import ReportDefinition
from parcours.indicators.disclosure import System, Unprotectable, add_table, protect
from parcours.indicators.suppression import table_network
from parcours.indicators.tables import CrossTable, PublishedTable

_CACHE_SIZE = 20_000
_cache: OrderedDict[str, dict[str, tuple[frozenset, frozenset]]] = OrderedDict()
_lock = threading.Lock()


class ReleaseRefused(Exception):
    """A release that could not be protected: shown as its message, never sent (fail closed)."""

    def __init__(self, label: str = ""):
        self.label = label
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _(
            "Ces chiffres ne peuvent pas être publiés hors de la DT : aucune façon de masquer "
            "les petits effectifs (%(label)s) ne garantit qu'ils ne puissent pas être "
            "recalculés. Ils ne sont ni affichés ni envoyés ; la DT garde ses chiffres exacts."
        ) % {"label": self.label}


def fingerprint(
    definition: ReportDefinition,
    tables: Mapping[str, CrossTable],
    threshold: int,
    already_hidden: Iterable[tuple[str, str, str]] = (),
) -> str:
    """A key for the protection of these exact tables (changes whenever a figure changes)."""
    data = {
        "report": definition.code,
        "threshold": threshold,
        "relations": [(r.kind, r.whole, list(r.parts)) for r in definition.relations],
        "tables": {code: tables[code].as_dict() for code in sorted(tables) if code in tables},
        "hidden": sorted(list(k) for k in already_hidden),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def month_system(
    definition: ReportDefinition, tables: Mapping[str, CrossTable]
) -> tuple[System, dict[str, dict]]:
    """The linear system of one directorate's month: each table with its margins, and the
    report's relations cell by cell. Returns it with the keys of every table's values."""
    system = System()
    keys = {}
    codes = [indicator.code for indicator in definition.indicators]
    for code in codes:
        keys[code] = add_table(system, (code,), tables[code])
    first = tables[codes[0]]
    for relation in definition.relations:
        for row in first.row_codes:
            for column in first.column_codes:
                for coefficients, equality in relation.rows():
                    system.relate(
                        {(code, row, column): c for code, c in coefficients.items()},
                        equality=equality,
                    )
    return system, keys


def protect_month(
    definition: ReportDefinition,
    tables: Mapping[str, CrossTable],
    threshold: int,
    *,
    already_hidden: Iterable[tuple[str, str, str]] = (),
    label: str = "",
) -> dict[str, PublishedTable]:
    """Every table of one directorate's month as it may leave the DT, protected together.

    `already_hidden` holds (indicator code, row, column) values hidden in what this audience
    received before. Raises ReleaseRefused when no pattern passes the audit.
    """
    already_hidden = frozenset(tuple(k) for k in already_hidden)
    key = fingerprint(definition, tables, threshold, already_hidden)
    with _lock:
        patterns = _cache.get(key)
        if patterns is not None:
            _cache.move_to_end(key)
    if patterns is None:
        patterns = _patterns(definition, tables, threshold, already_hidden, label)
        with _lock:
            _cache[key] = patterns
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return {
        code: PublishedTable(tables[code], hidden, primary)
        for code, (hidden, primary) in patterns.items()
    }


def _patterns(definition, tables, threshold, already_hidden, label):
    system, keys = month_system(definition, tables)
    start = set(already_hidden)
    if not start:
        # A first release starts from each table's own network-flow pattern (suppression.py):
        # it already lets every small count move both ways inside its table; the audit then
        # widens it across tables where the relations call for it.
        for code in keys:
            start |= {(code, *cell) for cell in table_network(tables[code]).protect(threshold)}
    # A month this audience received before starts from what it was shown hidden, and only
    # the audit adds to it: the same figures (an approved month's are frozen) give the same
    # release again, whatever the starting heuristic of a later version (issue 11: "an
    # approved month keeps its published figures").
    start = {keys[k[0]][k[1:]] for k in start if k[0] in keys and k[1:] in keys[k[0]]}
    try:
        protection = protect(system, threshold, already_hidden=start)
    except Unprotectable as error:
        raise ReleaseRefused(label) from error
    patterns = {}
    for code, table_keys in keys.items():
        hidden = frozenset(cell for cell, k in table_keys.items() if protection.is_hidden(k))
        primary = frozenset(cell for cell, k in table_keys.items() if protection.is_primary(k))
        patterns[code] = (hidden, primary)
    return patterns


def clear_cache() -> None:
    with _lock:
        _cache.clear()


# ---------------------------------------------------------------------------------------------
# What each audience received (ReleaseRecord)
# ---------------------------------------------------------------------------------------------


def audience_for_region(region_id) -> str:
    """The audience of a region's DREETS: its regional viewers and its monthly sending."""
    return f"region:{region_id}"


def received_hidden(
    audience: str, report_code: str, directorate_ids: Iterable[int], months: Iterable
) -> dict[tuple[int, object], set[tuple[str, str, str]]]:
    """Values hidden in any release of these months already given to the audience (one
    query, on the primary database: a record just written must be seen)."""
    from django.db import DEFAULT_DB_ALIAS

    from parcours.indicators.models import ReleaseRecord
    from parcours.indicators.periods import Month

    months = list(months)
    if not audience or not months:
        return {}
    rows = ReleaseRecord.objects.using(DEFAULT_DB_ALIAS).filter(
        audience=audience,
        report_code=report_code,
        directorate_id__in=list(directorate_ids),
        month__in=[m.first_day for m in months],
    )
    result: dict = {}
    for directorate_id, month, hidden in rows.values_list("directorate_id", "month", "hidden"):
        cells = result.setdefault((directorate_id, Month.of(month)), set())
        cells |= {tuple(key.split("|", 2)) for key in hidden}
    return result


def record_release(audience: str, document) -> int:
    """Write what the audience is given of each directorate's month (one query; a release
    already recorded with the same figures and pattern writes nothing). Returns rows offered."""
    rows = release_rows(audience, document)
    _insert(rows)
    return len(rows)


def release_rows(audience: str, document) -> list[dict]:
    """The records of what the audience is given of each directorate's month, as plain data:
    the figures page keeps them with its cached page and writes them again on every view."""
    from parcours.indicators.tables import TOTAL

    if not audience or document.exact:
        return []
    rows = []
    for (directorate_id, month), tables in document.releases.items():
        values, hidden = {}, []
        for code, published in tables.items():
            table = published.table
            for row in table.row_codes + [TOTAL]:
                for column in table.column_codes + [TOTAL]:
                    values[f"{code}|{row}|{column}"] = published.value(row, column)
            hidden += [f"{code}|{row}|{column}" for row, column in sorted(published.hidden)]
        digest = hashlib.sha256(json.dumps([values, hidden], sort_keys=True).encode()).hexdigest()
        rows.append(
            {
                "audience": audience,
                "directorate_id": directorate_id,
                "month": month.first_day,
                "report_code": document.definition.code,
                "fingerprint": digest,
                "threshold": document.threshold,
                "values": values,
                "hidden": hidden,
            }
        )
    return rows


# What makes a release record the same version (its unique constraint).
VERSION = ("audience", "directorate_id", "month", "report_code", "fingerprint")


def write_release(rows: list[dict]) -> int:
    """Record the rows of `release_rows` not recorded yet, for a page served again and again
    (the figures page's cached views, issue 12): one read of the versions already there by
    the unique index, then an insert of the others only. Inserting a national year's 48
    records to have them ignored cost 43 ms of statement (their values parsed before the
    conflict) and their serialisation. Two views at once may both insert: the constraint
    keeps one."""
    from django.db import DEFAULT_DB_ALIAS

    from parcours.indicators.models import ReleaseRecord

    if not rows:
        return 0
    recorded = set(
        ReleaseRecord.objects.using(DEFAULT_DB_ALIAS)
        .filter(**{f"{name}__in": sorted({row[name] for row in rows}) for name in VERSION})
        .values_list(*VERSION)
    )
    _insert([row for row in rows if tuple(row[name] for name in VERSION) not in recorded])
    return len(rows)


def _insert(rows: list[dict]) -> None:
    """One insert of release records, those already recorded ignored (the constraint)."""
    from django.db import DEFAULT_DB_ALIAS

    from parcours.indicators.models import ReleaseRecord

    if rows:
        ReleaseRecord.objects.using(DEFAULT_DB_ALIAS).bulk_create(
            [ReleaseRecord(**row) for row in rows], ignore_conflicts=True
        )
