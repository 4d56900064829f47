"""Writes the spreadsheet corpus of tests/files/ (run once; the files are committed).

Each file mimics what a real tool writes (see README.md beside this script). Run it with
`python tests/files/make_corpus.py`; the tests never run it, they read the committed files.
"""

import codecs
import io
import re
import zipfile
from pathlib import Path

from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook

HERE = Path(__file__).parent
NUMBERS = [f"100000000{n}" for n in range(1, 7)]
NAMES = ["HADDAD", "KOVAL", "NGUYEN", "DIALLO", "SILVA", "POPESCU"]
PEOPLE = list(zip(NAMES, NUMBERS, strict=True))


def xlsx(sheets: dict, formats: dict | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell_name, number_format in (formats or {}).get(title, {}).items():
            sheet[cell_name].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def patch_member(data: bytes, name: str, change) -> bytes:
    """The same zip with one member rewritten by `change(text) -> text`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = change(content.decode()).encode()
            target.writestr(info, content)
    return buffer.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    return patch_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml),
    )


def list_rows():
    return [["Nom", "AGDREF"], *[[name, int(number)] for name, number in PEOPLE]]


def ods(rows_by_sheet: dict, merged_header: bool = False) -> bytes:
    document = OpenDocumentSpreadsheet()
    style = Style(name="ce1", family="table-cell")
    style.addElement(TableCellProperties(wrapoption="wrap"))
    document.automaticstyles.addElement(style)
    for name, rows in rows_by_sheet.items():
        table = Table(name=name)
        for index, row in enumerate(rows):
            table_row = TableRow()
            if merged_header and index == 0:
                # "Identité" spans two columns, as LibreOffice writes a merged cell.
                cell = TableCell(valuetype="string", numbercolumnsspanned=2, numberrowsspanned=1)
                cell.addElement(P(text="Identité"))
                table_row.addElement(cell)
                table_row.addElement(CoveredTableCell())
                row = row[2:]
            for value in row:
                if isinstance(value, int):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        # LibreOffice ends a sheet with its empty rows repeated to the last one.
        table.addElement(TableRow(numberrowsrepeated=1048000))
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def csv_text(rows, separator=";") -> str:
    return "\r\n".join(separator.join(row) for row in rows) + "\r\n"


def main():
    files = {}
    base = xlsx({"Feuille1": list_rows()})
    files["xlsx-dimension-smaller.xlsx"] = with_dimension(base, "A1:B3")
    files["xlsx-dimension-a1.xlsx"] = with_dimension(base, "A1")
    files["xlsx-dimension-huge.xlsx"] = with_dimension(base, "A1:XFD1048576")
    files["xlsx-second-sheet.xlsx"] = xlsx(
        {"Notes": [["Liste transmise par la plateforme"]], "Convoqués": list_rows()}
    )
    files["xlsx-two-lists.xlsx"] = xlsx(
        {"Mardi": list_rows()[:4], "Jeudi": list_rows()[:1] + list_rows()[4:]}
    )
    files["xlsx-title-rows.xlsx"] = xlsx(
        {"Feuille1": [["Liste des personnes à convoquer"], ["DT Metz, mars"], [], *list_rows()]}
    )
    zeros = [["AGDREF"], *[[int(n)] for n in ["0000000123", "0000004567"]]]
    files["xlsx-leading-zeros.xlsx"] = xlsx(
        {"Feuille1": zeros}, {"Feuille1": {"A2": "0000000000", "A3": "0000000000"}}
    )
    formulas = xlsx({"Feuille1": [["AGDREF"], ["=1000000000+1"], ["=1000000000+2"]]})
    files["xlsx-formula-stored.xlsx"] = patch_member(
        formulas,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            "<f>1000000000+1</f><v />", "<f>1000000000+1</f><v>1000000001</v>"
        ).replace("<f>1000000000+2</f><v />", "<f>1000000000+2</f><v>1000000002</v>"),
    )
    files["xlsx-formula-without-value.xlsx"] = formulas
    files["xlsx-named-row-without-number.xlsx"] = xlsx(
        {
            "Feuille1": [
                ["Nom", "AGDREF"],
                ["HADDAD", 1000000001],
                ["KOVAL", None],
                ["NGUYEN", 1000000003],
            ]
        }
    )

    rows = [["Nom", "AGDREF"], *[[name, number] for name, number in PEOPLE]]
    unicode_text = csv_text(rows, "\t")
    files["csv-texte-unicode.txt"] = codecs.BOM_UTF16_LE + unicode_text.encode("utf-16-le")
    files["csv-windows-1252.csv"] = csv_text(
        [["Prénom", "Nom", "N° AGDREF"], *[["Hélène", n, a] for n, a in PEOPLE]]
    ).encode("cp1252")
    files["csv-utf8-bom.csv"] = csv_text(rows).encode("utf-8-sig")
    files["csv-mac-cr.csv"] = csv_text(rows).replace("\r\n", "\r").encode("cp1252")
    files["csv-sep-line.csv"] = ("sep=,\r\n" + csv_text(rows, ",")).encode()
    files["csv-quoted-commas.csv"] = csv_text(
        [["AGDREF", "Nom", "Calcul"], *[[a, n, '"=SOMME(A1,B1,C1)"'] for n, a in PEOPLE]]
    ).encode("utf-8-sig")
    files["csv-invisible-characters.csv"] = csv_text(
        [["AGDREF"], *[[f"\u200b{a[:4]}\u00a0{a[4:]}\u200e"] for _, a in PEOPLE]]
    ).encode("utf-8-sig")
    files["csv-bad-number.csv"] = csv_text(
        [["Nom", "AGDREF"], ["HADDAD", "1000000001"], ["KOVAL", "10000"], ["NGUYEN", "ABCDEFGHIJ"]]
    ).encode()

    files["ods-merged-header.ods"] = ods(
        {"Feuille1": [["", "", "AGDREF"], *[[n, "Prénom", int(a)] for n, a in PEOPLE]]},
        merged_header=True,
    )
    files["ods-numbers-as-text.ods"] = ods({"Feuille1": [["AGDREF"], *[[a] for _, a in PEOPLE]]})
    files["ods-second-sheet.ods"] = ods(
        {"Consignes": [["Rien ici"]], "Liste": [["N° AGDREF"], *[[int(a)] for _, a in PEOPLE]]}
    )
    for name, content in files.items():
        (HERE / name).write_bytes(content)
        print(name, len(content))


if __name__ == "__main__":
    main()
