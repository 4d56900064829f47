"""Spreadsheet-safe cells and the CSV flavour French spreadsheet users expect, for every export;
and reading the rows of an imported CSV, XLSX or ODS file (`read_rows`).

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula in a
spreadsheet, so it gets a leading apostrophe (OWASP, "CSV Injection"); CSV files are UTF-8 with
a byte order mark (accents read correctly) and `;` separators (the French list separator).
"""

import csv
import io
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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


def ods_bytes(rows: Iterable[Iterable], sheet_name: str) -> bytes:
    """Rows as an OpenDocument spreadsheet: whole numbers as numbers, the rest as text."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    spreadsheet = OpenDocumentSpreadsheet()
    table = Table(name=sheet_name)
    for row in rows:
        table_row = TableRow()
        for value in row:
            if isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    spreadsheet.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    spreadsheet.write(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed in a spreadsheet cell: 7501234567.0
    return str(value).strip()


class _FrenchCsv(csv.excel):
    delimiter = ";"


def _csv_rows(data: bytes) -> Iterable[list]:
    for encoding in ("utf-8-sig", "cp1252"):  # what spreadsheets in France save
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("neither UTF-8 nor Windows-1252")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:  # one column: no separator to find
        dialect = _FrenchCsv
    return csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(data: bytes) -> Iterable[tuple]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return workbook.worksheets[0].iter_rows(values_only=True)


def _ods_rows(data: bytes) -> Iterable[list]:
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    sheet = load(io.BytesIO(data)).spreadsheet.getElementsByType(Table)[0]
    for row in sheet.getElementsByType(TableRow):
        cells = []
        for cell in row.getElementsByType(TableCell):
            # Repeated cells are stored once (empty trailing columns repeat thousands of times).
            repeat = min(int(cell.getAttribute("numbercolumnsrepeated") or 1), 100)
            cells.extend([teletype.extractText(cell)] * repeat)
        yield cells


_READERS = {"csv": _csv_rows, "xlsx": _xlsx_rows, "ods": _ods_rows}


def read_rows(uploaded, kind: str, *, max_rows: int) -> list[list[str]]:
    """The non-empty rows of the file's first sheet, as stripped text cells.

    `kind` is what `privacy.uploads.check_upload` detected. A file that cannot be read, or
    holds more than `max_rows` non-empty rows, raises ValidationError with a French message.
    """
    uploaded.seek(0)
    data = uploaded.read()
    rows = []
    try:
        for row in _READERS[kind](data):
            cells = [_text(cell) for cell in row]
            if any(cells):
                rows.append(cells)
                if len(rows) > max_rows:
                    raise ValidationError(
                        _("Le fichier compte plus de %(count)s lignes : découpez-le.")
                        % {"count": max_rows},
                        code="too_many_rows",
                    )
    except ValidationError:
        raise
    except Exception as error:  # a damaged file: any parser error means "cannot be read"
        raise ValidationError(
            _(
                "Le fichier n'a pas pu être lu. Enregistrez-le de nouveau depuis votre tableur "
                "(CSV, .xlsx ou .ods) et réessayez."
            ),
            code="unreadable",
        ) from error
    return rows
