"""Spreadsheet-safe cells and the CSV flavour French spreadsheet users expect, for every export
(imported files are read by `core.spreadsheet_reader`).

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


def xlsx_bytes(rows: Iterable[Iterable], sheet_name: str) -> bytes:
    """Rows as an Excel workbook (first row in bold): numbers and dates typed, text cells
    neutralised. Written in streaming mode: memory stays flat with the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_name[:31])
    bold = Font(bold=True)
    for index, row in enumerate(rows):
        if index == 0:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=neutralise(value))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
