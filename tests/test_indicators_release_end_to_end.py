"""Issue 11, end to end: what a regional viewer gets from the database, on the page, in every
export format (CSV, XLSX, ODS, PDF) and in the DREETS's monthly e-mail, is exactly the
release of each DT's month (release.protect_month), the layer the attacker test
(test_indicators_release.py) plays against with its 500 generated months."""

import csv
import datetime
import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from parcours.indicators import conf, release, sending
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.models import Audience, ReleaseRecord, ReportRecipient
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.indicators.tables import SEX_ROWS
from parcours.organisations.roles import Role
from parcours.reception.states import AttendanceStatus
from tests.factories import PersonFactory, directorate
from tests.factories_indicators import ConvocationFactory, born, check_on
from tests.pdf_text import pdf_pages

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)
JANUARY = Month(2026, 1)
QUERY = "?start=2026-01&end=2026-01"
REGION = ("metz", "reims", "strasbourg")  # Grand Est: the regional viewer's DTs


def small_months():
    """DT Metz: counts of 1 to 4 in most cells, across attendance and the CIP's answers;
    DT Reims: three men. DT Strasbourg: nothing (a month of zeros)."""
    ages = (20, 30, 50, 70)
    for n in range(10):
        check = check_on(
            DAY,
            person=PersonFactory(sex="FH"[n % 2], birth_date=born(ages[n % 4], DAY)),
            already_ft=n % 3 == 0,
        )
        session = check.convocation.session
    for n, status in enumerate(
        (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)
    ):
        ConvocationFactory(
            session=session,
            status=status,
            person=PersonFactory(sex="F", birth_date=born(ages[n], DAY)),
        )
    for _ in range(3):
        check_on(DAY, dt="reims", person=PersonFactory(sex="H", birth_date=born(30, DAY)))


def expected_releases(codes=REGION):
    """Each DT's month as released, computed here from the database's tables."""
    definition = get_report(MONTHLY_REPORT)
    dts = [directorate(code) for code in codes]
    computed = compute_report(definition, dts, Period.single(JANUARY))
    return {
        dt.name: release.protect_month(
            definition,
            {i.code: computed.monthly_table(i.code, dt.id, JANUARY) for i in definition.indicators},
            conf.small_cell_threshold(),
        )
        for dt in dts
    }


def expected_tables(releases) -> dict[str, list[list[str]]]:
    """Caption → the table's lines as the files print them (label, cells, total; « s »)."""
    definition = get_report(MONTHLY_REPORT)
    result = {}  # in the order of the document: each indicator, then each DT
    for indicator in definition.indicators:
        for name, tables in releases.items():
            caption = f"{indicator.label} – {name}, {JANUARY.label}"
            result[caption] = [
                [str(line["label"])]
                + ["s" if v is None else str(v) for v in line["cells"]]
                + ["s" if line["total"] is None else str(line["total"])]
                for line in tables[indicator.code].lines()
            ]
    return result


def tables_in(rows) -> dict[str, list[list[str]]]:
    """Caption → the lines under its header, from a spreadsheet's rows (cells as text)."""
    rows = [["" if cell is None else str(cell) for cell in row] for row in rows]
    rows = [row[: max((i + 1 for i, c in enumerate(row) if c != ""), default=0)] for row in rows]
    result = {}
    for index, row in enumerate(rows):
        if len(row) == 1 and index + 2 + len(SEX_ROWS) < len(rows):
            header = rows[index + 1]
            if header and header[0] == "Sexe":
                result[row[0]] = rows[index + 2 : index + 3 + len(SEX_ROWS)]
    return result


def ods_rows(data: bytes) -> list[list]:
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = load(io.BytesIO(data))
    rows = []
    for row in document.spreadsheet.getElementsByType(Table)[0].getElementsByType(TableRow):
        cells = []
        for cell in row.getElementsByType(TableCell):
            text = "".join(str(p) for p in cell.getElementsByType(P))
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            cells += [text] * min(repeat, 50)
        rows.append(cells)
    return rows


def xlsx_rows(data: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def pdf_lines(data: bytes, label: str) -> list[list[str]]:
    """The last cells of every PDF line that starts with a row label (« Femmes »…)."""
    width = len(next(iter(expected_tables(expected_releases(("strasbourg",))).values()))[0]) - 1
    lines = "\n".join(pdf_pages(data)).splitlines()
    return [line.split()[-width:] for line in lines if line.strip().startswith(label)]


def test_the_page_every_format_and_the_email_show_exactly_the_release(client_for):
    small_months()
    release.clear_cache()
    releases = expected_releases()
    expected = expected_tables(releases)
    metz = releases["DT Metz"]
    # The month is worth protecting: small counts hidden, some across tables.
    assert metz["present"].hidden and metz["convoked"].hidden
    client = client_for(Role.REGIONAL_VIEWER)

    page = client.get("/chiffres/" + QUERY)
    assert page.status_code == 200
    document = page.context["board"].document
    for section in document.sections:
        for block in section.blocks:
            published = releases[block.directorate.name][block.indicator.code]
            assert block.published.hidden == published.hidden, block.caption
            assert block.published.lines() == published.lines(), block.caption
    page_text = page.content.decode()
    assert "secret statistique" in page_text.lower()

    csv_file = client.get("/chiffres/export.csv" + QUERY)
    text = b"".join(csv_file.streaming_content if csv_file.streaming else [csv_file.content])
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert tables_in(rows) == expected
    assert tables_in(xlsx_rows(client.get("/chiffres/export.xlsx" + QUERY).content)) == expected
    assert tables_in(ods_rows(client.get("/chiffres/export.ods" + QUERY).content)) == expected
    pdf = client.get("/chiffres/export.pdf" + QUERY).content
    for code, label in SEX_ROWS[:2]:
        printed = [lines[[c for c, _l in SEX_ROWS].index(code)][1:] for lines in expected.values()]
        assert pdf_lines(pdf, str(label)) == printed
    # What the viewer was given is recorded: a later release keeps these cells hidden.
    record = ReleaseRecord.objects.get(directorate__code="metz")
    assert {tuple(k.split("|")[1:]) for k in record.hidden if k.startswith("present|")} == (
        metz["present"].hidden
    )

    # The DREETS's monthly e-mail for DT Metz: the same month, the same values.
    ReportRecipient.objects.create(
        directorate=directorate("metz"), email="stats@dreets.example.org", audience=Audience.DREETS
    )
    sending.send_monthly_reports(JANUARY)
    (message,) = mail.outbox
    attachments = {name.rsplit(".", 1)[1]: content for name, content, _type in message.attachments}
    metz_only = {k: v for k, v in expected.items() if "DT Metz" in k}
    assert tables_in(xlsx_rows(attachments["xlsx"])) == metz_only
    for code, label in SEX_ROWS[:2]:
        printed = [lines[[c for c, _l in SEX_ROWS].index(code)][1:] for lines in metz_only.values()]
        assert pdf_lines(attachments["pdf"], str(label)) == printed
