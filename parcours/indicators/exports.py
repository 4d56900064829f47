"""Writing a report document to CSV, XLSX, ODS and PDF files.

Every format carries the same rows: title, perimeter and period, approval status, the bands
and method notes, then each table with its totals, hidden values as "s", and the definition of
every indicator. Spreadsheets used in France read CSV as UTF-8 only with a byte-order mark and
split on ";"; a text cell starting with "=", "+", "-" or "@" (or a tab or carriage return)
would run as a formula, so it is neutralised with a leading apostrophe (OWASP, "CSV
Injection"), in every format.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.core.pdf import write_pdf
from parcours.core.spreadsheets import csv_bytes, neutralise, ods_bytes
from parcours.indicators.documents import HIDDEN_MARK, ReportDocument

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "pdf": "application/pdf",
}


def _shown(value):
    return HIDDEN_MARK if value is None else value


def document_rows(document: ReportDocument) -> list[list]:
    """The report as rows of cells (text or integers), shared by every spreadsheet format."""
    rows: list[list] = [
        [document.title],
        [document.subtitle],
        [document.status_text],
        [
            _("Produit le %(date)s par Parcours")
            % {"date": timezone.localtime(document.generated_at).strftime("%d/%m/%Y %H:%M")}
        ],
    ]
    rows.extend([note] for note in document.method_notes)
    header = [_("Sexe")] + [str(label) for _code, label in document.bands.columns] + [_("Total")]
    for section in document.sections:
        rows.append([])
        rows.append([str(section.section.title)])
        for block in section.blocks:
            rows.append([])
            rows.append([block.caption])
            rows.append(header)
            for line in block.published.lines():
                rows.append(
                    [str(line["label"])]
                    + [_shown(v) for v in line["cells"]]
                    + [_shown(line["total"])]
                )
    for block in document.rates:
        rows.append([])
        rows.append([str(block.rate.label)])
        for line in block.lines:
            rows.append([line.label, line.text])
    if len(document.period.months) > 1 or len(document.directorates) > 1:
        rows.append([])
        rows.append([_("Vue d'ensemble : total de chaque tableau par DT et par mois")])
        for overview in document.overviews:
            rows.append([])
            rows.append([str(overview.indicator.label)])
            month_labels = [month.label for month in overview.months]
            rows.append(
                [_("Direction territoriale")]
                + month_labels
                + ([_("Total")] if document.exact else [])
            )
            lines = overview.lines + ([overview.totals] if overview.totals else [])
            for line in lines:
                rows.append(
                    [line.label]
                    + [_shown(v) for v in line.values]
                    + ([_shown(line.total)] if document.exact else [])
                )
    rows.append([])
    rows.append([_("Définitions")])
    for label, help_text in document.definitions:
        rows.append([label, help_text])
    return [[neutralise(cell) for cell in row] for row in rows]


def to_csv(document: ReportDocument) -> bytes:
    return csv_bytes(document_rows(document))


def to_xlsx(document: ReportDocument) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Rapport")[:31]
    for row in document_rows(document):
        sheet.append(row)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    # Text that only looks like a formula stays text (belt and braces with neutralise()).
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_ods(document: ReportDocument) -> bytes:
    return ods_bytes(document_rows(document), _("Rapport")[:31])


def to_pdf(document: ReportDocument) -> bytes:
    """The monthly report, ready to send: tables with captions, status, definitions."""
    html = render_to_string("indicators/pdf/report.html", {"document": document})
    stylesheet = settings.BASE_DIR / "parcours" / "indicators" / "pdf.css"
    return write_pdf(html, stylesheets=[stylesheet], base_url=str(settings.BASE_DIR))


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "ods": to_ods, "pdf": to_pdf}


def export(document: ReportDocument, file_format: str) -> bytes:
    return WRITERS[file_format](document)


def filename(document: ReportDocument, file_format: str) -> str:
    """An ASCII file name: report, perimeter, period and, outside the DT, "protege"."""
    parts: Iterable[str] = [
        document.definition.code,
        _slug(document.perimeter_label),
        str(document.period).replace("..", "_"),
        "exact" if document.exact else "protege",
    ]
    return "-".join(part for part in parts if part) + f".{file_format}"


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)[:40]
