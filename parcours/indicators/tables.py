"""Cross tables (sex × age band) whose totals are always computed from their cells.

Pure values, no database. DESIGN.md: "Totals always equal the sum of their parts, with
'unknown' as a real column"; STYLE.md (Primero, DHIS2): sex × age tables come with row,
column and grand totals. A table never stores a total: it adds its cells up, so a total can
never disagree with them. A *published* table (after small-cell protection) is a separate
object, `PublishedTable`, where some values may be hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

TOTAL = "total"

# DOMAIN.md: figures by sex F/H, and "unknown" as a real row. The codes are those of
# people.models.Sex (kept literal so this module needs no model; a test ties them).
SEX_ROWS: list[tuple[str, str]] = [
    ("F", _("Femmes")),
    ("H", _("Hommes")),
    ("X", _("Sexe non renseigné")),
]


@dataclass
class CrossTable:
    """Counts by row × column; totals are sums of cells, never stored."""

    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self):
        row_codes, column_codes = self.row_codes, self.column_codes
        for (row, column), value in self.cells.items():
            if row not in row_codes or column not in column_codes:
                raise KeyError(f"cell ({row!r}, {column!r}) is outside the table")
            if value < 0:
                raise ValueError("counts are never negative")

    @classmethod
    def empty(cls, rows, columns) -> CrossTable:
        return cls(list(rows), list(columns), {})

    @property
    def row_codes(self) -> list[str]:
        return [code for code, _label in self.rows]

    @property
    def column_codes(self) -> list[str]:
        return [code for code, _label in self.columns]

    def get(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)

    def add(self, row: str, column: str, count: int) -> None:
        if row not in self.row_codes or column not in self.column_codes:
            raise KeyError(f"cell ({row!r}, {column!r}) is outside the table")
        if count < 0:
            raise ValueError("counts are never negative")
        self.cells[(row, column)] = self.get(row, column) + count

    def row_total(self, row: str) -> int:
        return sum(self.get(row, column) for column in self.column_codes)

    def column_total(self, column: str) -> int:
        return sum(self.get(row, column) for row in self.row_codes)

    @property
    def grand_total(self) -> int:
        return sum(self.get(row, column) for row in self.row_codes for column in self.column_codes)

    def value(self, row: str, column: str) -> int:
        """Any value of the table with its margins: `TOTAL` as row or column for totals."""
        if row == TOTAL and column == TOTAL:
            return self.grand_total
        if row == TOTAL:
            return self.column_total(column)
        if column == TOTAL:
            return self.row_total(row)
        return self.get(row, column)

    def matrix(self) -> list[list[int]]:
        """Inner cells as a list of rows (no totals)."""
        return [[self.get(r, c) for c in self.column_codes] for r in self.row_codes]

    def __add__(self, other: CrossTable) -> CrossTable:
        # Codes decide, labels are only printed: a table frozen in one language adds up with
        # one computed in another (issue 21: an approved month opened in English).
        if self.row_codes != other.row_codes or self.column_codes != other.column_codes:
            raise ValueError("only tables with the same rows and columns add up")
        result = CrossTable(list(self.rows), list(self.columns), dict(self.cells))
        for (row, column), value in other.cells.items():
            result.add(row, column, value)
        return result

    def as_dict(self) -> dict:
        """JSON-ready, by codes only: inner cells (totals are recomputed when read back).

        Labels are never stored: they are translated, and a stored table is read in whatever
        language its reader uses (`with_labels_of`).
        """
        return {
            "rows": self.row_codes,
            "columns": self.column_codes,
            "cells": {f"{r}|{c}": v for (r, c), v in sorted(self.cells.items()) if v},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> CrossTable:
        """A stored table, labelled by its codes until `with_labels_of` gives it labels.

        Tables stored before codes only were [code, label] pairs: the label is dropped.
        """

        def code(item) -> str:
            return item[0] if isinstance(item, list | tuple) else item

        cells = {}
        for key, value in data.get("cells", {}).items():
            row, column = key.split("|", 1)
            cells[(row, column)] = int(value)
        return cls(
            [(code(item), code(item)) for item in data["rows"]],
            [(code(item), code(item)) for item in data["columns"]],
            cells,
        )

    def with_labels_of(self, other: CrossTable) -> CrossTable:
        """The same counts under the labels of a table with the same codes."""
        if self.row_codes != other.row_codes or self.column_codes != other.column_codes:
            raise ValueError("only tables with the same rows and columns share labels")
        return CrossTable(list(other.rows), list(other.columns), dict(self.cells))

    def published(self, hidden: Iterable[tuple[str, str]] = ()) -> PublishedTable:
        return PublishedTable(self, frozenset(hidden))


def sum_tables(tables: Iterable[CrossTable], rows, columns) -> CrossTable:
    """The cell-by-cell sum of tables with the given rows and columns (empty when none)."""
    result = CrossTable.empty(rows, columns)
    for table in tables:
        result = result + table
    return result


@dataclass(frozen=True)
class PublishedTable:
    """A table as shown: every value with its margins, some of them hidden.

    `hidden` holds (row, column) keys, where TOTAL stands for a margin; a hidden value reads
    as None. The exact table stays inside: only `value()` and `lines()` are meant for display.
    """

    table: CrossTable
    hidden: frozenset[tuple[str, str]] = frozenset()
    # Hidden values that are small counts themselves (primary), the others being hidden so
    # that no small count can be worked out (secondary). Kept for the record and the audit;
    # readers outside the DT see one mark for both (release.py says why).
    primary: frozenset[tuple[str, str]] = frozenset()

    @property
    def rows(self):
        return self.table.rows

    @property
    def columns(self):
        return self.table.columns

    @property
    def is_protected(self) -> bool:
        return bool(self.hidden)

    def value(self, row: str, column: str) -> int | None:
        if (row, column) in self.hidden:
            return None
        return self.table.value(row, column)

    def lines(self) -> list[dict]:
        """Rows for templates and exports: label, cells (None when hidden) and the total."""
        lines = []
        for code, label in self.table.rows:
            lines.append(
                {
                    "code": code,
                    "label": label,
                    "cells": [self.value(code, column) for column in self.table.column_codes],
                    "total": self.value(code, TOTAL),
                    "is_total": False,
                }
            )
        lines.append(
            {
                "code": TOTAL,
                "label": _("Total"),
                "cells": [self.value(TOTAL, column) for column in self.table.column_codes],
                "total": self.value(TOTAL, TOTAL),
                "is_total": True,
            }
        )
        return lines
