"""Real spreadsheet files built in memory for upload and import tests (openpyxl, odfpy)."""

import io

from parcours.core.spreadsheets import ods_bytes


def xlsx_file(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_file(rows) -> bytes:
    return ods_bytes(rows, "Feuille1")
