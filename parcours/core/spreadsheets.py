"""Spreadsheet-safe cells and the CSV flavour French spreadsheet users expect, for every export.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula in a
spreadsheet, so it gets a leading apostrophe (OWASP, "CSV Injection"); CSV files are UTF-8 with
a byte order mark (accents read correctly) and `;` separators (the French list separator).
"""

import csv
import io
from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """Rows as CSV bytes: UTF-8 with BOM, `;`, CRLF, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
