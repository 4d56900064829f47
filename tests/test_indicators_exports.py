"""Exports: the real CSV, XLSX, ODS and PDF files, opened and read back."""

import csv
import datetime
import io
import zipfile

import pytest
from openpyxl import load_workbook

from parcours.indicators import exports
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import build_document
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from tests.factories import PersonFactory, directorate
from tests.factories_indicators import born, check_on
from tests.pdf_text import pdf_pages

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)
JANUARY = Month(2026, 1)


def make_document(*, exact=True, label="DT Metz"):
    # 7 women aged 30 and 2 men aged 50 accompanied; 2 of the women already at France Travail.
    for index in range(7):
        check_on(
            DAY,
            person=PersonFactory(sex="F", birth_date=born(30, DAY)),
            already_ft=index < 2,
        )
    for _ in range(2):
        check_on(DAY, person=PersonFactory(sex="H", birth_date=born(50, DAY)))
    metz = directorate("metz")
    computed = compute_report(get_report(MONTHLY_REPORT), [metz], Period.single(JANUARY))
    return build_document(computed, exact=exact, perimeter_label=label)


def rows_after(rows, caption_start):
    """The header and the four lines of the table whose caption starts with `caption_start`."""
    for index, row in enumerate(rows):
        if row and str(row[0]).startswith(caption_start):
            return rows[index + 1 : index + 6]
    raise AssertionError(f"no table {caption_start!r}")


def test_csv_is_utf8_with_bom_and_semicolons_for_french_spreadsheets():
    data = exports.to_csv(make_document())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, women, men, unknown, total = rows_after(rows, "Personnes accompagnées")
    assert header[0] == "Sexe" and "26 à 45 ans" in header
    assert women == ["Femmes", "0", "7", "0", "0", "0", "7"]
    assert men == ["Hommes", "0", "0", "2", "0", "0", "2"]
    assert total[-1] == "9"
    assert "âge inconnu" in text and "Définitions" in text


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+33 6", "-2+3", "@SUM(A1)"])
def test_cells_that_would_run_as_formulas_are_neutralised(dangerous):
    document = make_document(label=dangerous)
    text = exports.to_csv(document).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'" + dangerous) for cell in cells)
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(document))).active
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)


def test_xlsx_holds_numbers_as_numbers():
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(make_document()))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    _header, women, *_rest, total = rows_after(rows, "Personnes accompagnées")
    assert women[:3] == ["Femmes", 0, 7]
    assert total[-1] == 9


def test_ods_is_a_real_opendocument_spreadsheet_with_the_figures():
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    data = exports.to_ods(make_document())
    assert zipfile.ZipFile(io.BytesIO(data)).read("mimetype") == (
        b"application/vnd.oasis.opendocument.spreadsheet"
    )
    document = load(io.BytesIO(data))
    rows = []
    for row in document.spreadsheet.getElementsByType(Table)[0].getElementsByType(TableRow):
        cells = []
        for cell in row.getElementsByType(TableCell):
            text = "".join(str(p) for p in cell.getElementsByType(P))
            cells.append(
                int(cell.getAttribute("value"))
                if cell.getAttribute("valuetype") == "float"
                else text
            )
        rows.append(cells)
    _header, women, *_rest = rows_after(rows, "Personnes accompagnées")
    assert women[:3] == ["Femmes", 0, 7]


def test_outside_the_dt_exports_hide_small_cells(tmp_path):
    document = make_document(exact=False, label="Grand Est")
    text = exports.to_csv(document).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    _header, women, men, _unknown, total = rows_after(rows, "Personnes accompagnées")
    assert men[3] == "s"  # two men aged 46-64: hidden
    assert women[2] == "s"  # hidden too, or 9 - 2 would give the men away
    assert total[-1] == "9"
    assert "Secret statistique" in text
    already = rows_after(rows, "Déjà inscrites")
    assert all(cell in ("s", "0") for line in already[1:] for cell in line[1:])


def test_the_pdf_report_is_ready_to_send():
    text = "\n".join(pdf_pages(exports.to_pdf(make_document())))
    assert "Rapport mensuel" in text
    assert "DT Metz – janvier 2026" in text
    assert "Personnes accompagnées" in text
    assert "Chiffres provisoires" in text
    assert "moins de 26 ans" in text and "65 ans et plus" in text
    assert "Définitions" in text and "conseiller en insertion" in text
    women = next(line for line in text.splitlines() if line.strip().startswith("Femmes"))
    assert women.split()[1:] == ["0", "7", "0", "0", "0", "7"]


def test_file_names_say_what_the_file_is():
    assert exports.filename(make_document(), "xlsx") == "monthly-dt-metz-2026-01-exact.xlsx"
    protected = make_document(exact=False, label="Grand Est")
    assert exports.filename(protected, "pdf") == "monthly-grand-est-2026-01-protege.pdf"
