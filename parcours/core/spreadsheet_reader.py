"""The one reader of imported spreadsheets (CSV, XLSX, ODS), bounded in time and memory.

Every import reads its file here (issue 14, "Bad input never wins"; issue 10 point 6, "upload
bombs"). What the file claims about itself is never trusted:

- the used range an XLSX declares (`<dimension>`) is ignored: rows are read as they are stored,
  so a range smaller than the content loses nothing and `A1:XFD1048576` pads nothing;
- the XML of a sheet is streamed and refused above `MAX_SHEET_XML_BYTES` before any parsing,
  so a small zip that unpacks to hundreds of megabytes costs nothing;
- reading stops at `max_rows` non-empty rows (an error), at `EMPTY_RUN` empty rows in a row
  (the end of the list), and reports cells beyond `MAX_COLUMNS`.

Cells come back as clean text: invisible characters (zero-width spaces, bidirectional marks,
byte order marks) are removed, non-breaking spaces become spaces, a whole number stays whole,
a number formatted with leading zeros (`0000000000` in Excel) keeps its digits, a formula gives
its stored value, and a formula without one is reported with its row and column.
"""

import codecs
import contextlib
import csv
import datetime
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeElementTree
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A sheet's XML above this is refused unread: four times a list an agent imports (500 rows
# of 10 columns take about 0.5 MB), low enough to parse well within the 2 s budget of issue 10
# (defusedxml streams 4 to 10 MB/s of rows on one core).
MAX_SHEET_XML_BYTES = 2 * 1024 * 1024
# XLSX shared strings are held in memory by openpyxl: the same bound applies.
MAX_SHARED_STRINGS_BYTES = MAX_SHEET_XML_BYTES
MAX_COLUMNS = 100
MAX_SHEETS = 30
# This many empty rows in a row end the sheet (spreadsheets repeat empty rows to the bottom).
EMPTY_RUN = 200
_HEADER_SEARCH_ROWS = 20

# Characters nobody sees but that break a number: zero-width space and joiners, word joiner,
# byte order mark, soft hyphen, bidirectional marks (Unicode "format" category Cf).
_SPACE_LIKE = re.compile(r"[\u00a0\u2007\u202f\u2000-\u200a\u3000]")


def clean_text(value: str) -> str:
    """Text without invisible characters, with ordinary spaces, stripped."""
    if value.isascii() and value.isprintable():
        return value.strip()  # nothing invisible to drop (the usual cell; large imports)
    value = _SPACE_LIKE.sub(" ", value)
    return "".join(
        c for c in value if unicodedata.category(c) != "Cf" and (c >= " " or c in "\t\n")
    ).strip()


def column_letter(index: int) -> str:
    """`0` → `A`, `27` → `AB`: the column names a spreadsheet user sees."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """A cell the reader could not read: a French message with the row and the column."""

    row: int
    column: int
    message: str

    def __str__(self):
        return _("Ligne %(row)s, colonne %(column)s : %(message)s") % {
            "row": self.row,
            "column": column_letter(self.column),
            "message": self.message,
        }


@dataclass
class Row:
    number: int  # as the spreadsheet shows it, from 1
    cells: list[str]

    def cell(self, column: int) -> str:
        return self.cells[column] if column < len(self.cells) else ""


@dataclass
class Sheet:
    name: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Collector:
    """Keeps the non-empty rows of one sheet within the caps; with `on_row`, hands each row
    to it instead of keeping it (a large import streams its rows, `read_rows`)."""

    def __init__(self, sheet: Sheet, max_rows: int, on_row=None):
        self.sheet, self.max_rows, self.empty_run, self.done = sheet, max_rows, 0, False
        self.on_row, self.count = on_row, 0

    def add(self, number: int, cells: list, *, repeat: int = 1) -> None:
        if self.done:
            return
        texts = [clean_text(c) if isinstance(c, str) else c for c in cells]
        if len(texts) > MAX_COLUMNS:
            if any(texts[MAX_COLUMNS:]):
                self.sheet.problems.append(
                    Problem(
                        number,
                        MAX_COLUMNS,
                        _("le fichier compte plus de %(count)s colonnes.") % {"count": MAX_COLUMNS},
                    )
                )
            texts = texts[:MAX_COLUMNS]
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            self.empty_run += repeat
            self.done = self.empty_run >= EMPTY_RUN
            return
        self.empty_run = 0
        for offset in range(repeat):
            self.count += 1
            if self.on_row is None:
                self.sheet.rows.append(Row(number + offset, list(texts)))
            if self.count > self.max_rows:
                raise ValidationError(
                    _("Le fichier compte plus de %(count)s lignes : découpez-le.")
                    % {"count": self.max_rows},
                    code="too_many_rows",
                )
            if self.on_row is not None:
                self.on_row(self.sheet, Row(number + offset, list(texts)))


def _number_text(value, number_format: str = "General") -> str:
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # a number typed in a cell: 7501234567.0
    if isinstance(value, int):
        # A format of zeros only (`0000000000`) shows leading zeros the value does not hold.
        zeros = number_format.split(";")[0].strip('"')
        if zeros and set(zeros) == {"0"}:
            return str(value).zfill(len(zeros))
        return str(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time | datetime.datetime):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

_SEPARATORS = (";", "\t", ",", "|")


def decode_text(data: bytes) -> str | None:
    """The text of a CSV file, or None: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
    « Texte Unicode »), UTF-16 without BOM (zeros every other byte), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        head = data[:4096]
        if head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
            encodings = ["utf-16-le"]
        elif head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
            encodings = ["utf-16-be"]
        else:
            encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.removeprefix("\ufeff")
    return None


def _separator(lines: list[str]) -> str:
    """The separator that cuts the first lines into the most regular table.

    csv.Sniffer picks the wrong one when a quoted cell holds commas (a formula copied as text);
    here each candidate is tried with real CSV parsing (quotes respected) and scored by the
    number of lines that have the most common width, above one column.
    """
    best, best_score = ";", 0
    for separator in _SEPARATORS:
        widths = [len(r) for r in csv.reader(lines, delimiter=separator) if any(r)]
        multi = [w for w in widths if w > 1]
        if not multi:
            continue
        common = max(set(multi), key=multi.count)
        score = multi.count(common)
        if score > best_score:
            best, best_score = separator, score
    return best


def _csv_sheets(data: bytes, collect, limit: int = 0) -> Iterator[Sheet]:
    text = decode_text(data)
    if text is None:
        raise ValueError("not a text file")
    # Universal newlines: Windows CRLF, Unix LF and old Mac CR-only files read alike. Lines
    # are read one at a time (a large import does not hold a list of its lines).
    stream = (line.removesuffix("\n") for line in io.StringIO(text, newline=None))
    head = list(itertools.islice(stream, 50))
    lines = itertools.chain(head, stream)
    first = 1
    if head and re.fullmatch(r"\s*\"?sep=(.)\"?\s*", head[0], flags=re.IGNORECASE):
        separator = re.fullmatch(r"\s*\"?sep=(.)\"?\s*", head[0], flags=re.IGNORECASE)[1]
        next(lines)
        first = 2
    else:
        separator = _separator([line[:4096] for line in head])
    sheet = Sheet("CSV")
    collector = collect(sheet)
    reader = csv.reader(lines, delimiter=separator)
    for row in reader:
        collector.add(first + reader.line_num - 1, row[: MAX_COLUMNS + 1])
        if collector.done:
            break
    yield sheet


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def _check_member_sizes(archive: zipfile.ZipFile, names: Iterable[str], limit: int) -> None:
    for info in archive.infolist():
        if info.filename in names and info.file_size > limit:
            raise ValidationError(
                _(
                    "Une feuille de ce classeur est trop volumineuse pour une liste "
                    "(%(size)s Mo une fois décompressée, %(limit)s Mo au plus) : gardez "
                    "seulement la liste et réessayez."
                )
                % {"size": info.file_size // (1024 * 1024), "limit": limit // (1024 * 1024)},
                code="sheet_too_large",
            )


def _xlsx_sheets(data: bytes, collect, limit: int = MAX_SHEET_XML_BYTES) -> Iterator[Sheet]:
    from openpyxl import load_workbook

    archive = zipfile.ZipFile(io.BytesIO(data))
    xml_members = [n for n in archive.namelist() if n.startswith("xl/") and n.endswith(".xml")]
    _check_member_sizes(archive, xml_members, limit)
    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    if len(values.worksheets) > MAX_SHEETS:
        raise ValidationError(
            _("Le classeur compte plus de %(count)s feuilles.") % {"count": MAX_SHEETS},
            code="too_many_sheets",
        )
    for stored, written in zip(values.worksheets, formulas.worksheets, strict=True):
        if not hasattr(stored, "reset_dimensions"):
            continue  # a chart sheet holds no cells
        sheet = Sheet(stored.title)
        collector = collect(sheet)
        # The declared used range is ignored: rows are read as stored (issue 14).
        stored.reset_dimensions()
        written.reset_dimensions()
        rows = zip(
            stored.iter_rows(max_col=MAX_COLUMNS + 1),
            written.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True),
            strict=False,
        )
        for number, (cells, raw) in enumerate(rows, start=1):
            texts = []
            for column, cell in enumerate(cells):
                value = cell.value
                source = raw[column] if column < len(raw) else None
                if value is None and isinstance(source, str) and source.startswith("="):
                    sheet.problems.append(
                        Problem(
                            number,
                            column,
                            _(
                                "formule sans valeur enregistrée ; ouvrez le fichier dans votre "
                                "tableur, enregistrez-le puis importez-le de nouveau."
                            ),
                        )
                    )
                texts.append(
                    ""
                    if value is None
                    else _number_text(value, getattr(cell, "number_format", "General"))
                )
            collector.add(number, texts)
            if collector.done:
                break
        yield sheet


# ---------------------------------------------------------------------------------------------
# ODS: content.xml streamed with iterparse, each row dropped once read
# ---------------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T = f"{{{_TABLE}}}"
_CELLS = (f"{_T}table-cell", f"{_T}covered-table-cell")  # covered: hidden by a merged cell


def _ods_cell(cell) -> tuple[str, bool]:
    """The cell's text and whether it is a formula with no stored value."""
    paragraphs = cell.findall(f"{{{_TEXT}}}p")
    text = "\n".join("".join(p.itertext()) for p in paragraphs)
    value_type = cell.get(f"{{{_OFFICE}}}value-type")
    if value_type in ("float", "percentage", "currency"):
        shown = re.sub(r"\s", "", clean_text(text))
        if not shown.isdigit():  # "1,00E+09" or "1 000 000 001,00": the value itself
            with contextlib.suppress(ValueError):
                text = _number_text(float(cell.get(f"{{{_OFFICE}}}value", "")))
    formula_without_value = cell.get(f"{_T}formula") is not None and not text and value_type is None
    return text, formula_without_value


def _ods_sheets(data: bytes, collect, limit: int = MAX_SHEET_XML_BYTES) -> Iterator[Sheet]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    _check_member_sizes(archive, ["content.xml"], limit)
    sheets = 0
    sheet, collector, number = None, None, 0
    with archive.open("content.xml") as content:
        # End events only: a row is complete when it ends, then emptied (issue 10, point 6).
        for _event, element in SafeElementTree.iterparse(content, events=("end",)):
            if element.tag == f"{_T}table-row":
                if sheet is None:
                    sheets += 1
                    if sheets > MAX_SHEETS:
                        raise ValidationError(
                            _("Le classeur compte plus de %(count)s feuilles.")
                            % {"count": MAX_SHEETS},
                            code="too_many_sheets",
                        )
                    sheet = Sheet("")
                    collector, number = collect(sheet), 0
                repeat = int(element.get(f"{_T}number-rows-repeated") or 1)
                if not collector.done:
                    collector.add(number + 1, _ods_row(element, number + 1, sheet), repeat=repeat)
                number += repeat
                element.clear()
            elif element.tag == f"{_T}table":
                if sheet is None:  # a sheet without rows
                    sheets += 1
                    sheet = Sheet("")
                sheet.name = element.get(f"{_T}name", "")
                yield sheet
                sheet = None
                element.clear()


def _ods_row(row, number: int, sheet: Sheet) -> list[str]:
    cells = []
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        repeat = int(cell.get(f"{_T}number-columns-repeated") or 1)
        text, missing = _ods_cell(cell)
        if missing:
            sheet.problems.append(
                Problem(
                    number,
                    len(cells),
                    _(
                        "formule sans valeur enregistrée ; ouvrez le fichier dans votre "
                        "tableur, enregistrez-le puis importez-le de nouveau."
                    ),
                )
            )
        room = MAX_COLUMNS + 1 - len(cells)
        if room <= 0:
            break
        cells.extend([text] * min(repeat, room))
    return cells


_READERS = {"csv": _csv_sheets, "xlsx": _xlsx_sheets, "ods": _ods_sheets}


def read_sheets(uploaded, kind: str, *, max_rows: int) -> list[Sheet]:
    """Every sheet of the file with its non-empty rows, as clean text cells.

    `kind` is what `privacy.uploads.check_upload` detected. A file that cannot be read, or a
    sheet with more than `max_rows` non-empty rows, raises ValidationError with a French
    message; cells that could not be read are in each sheet's `problems`.
    """
    uploaded.seek(0)
    data = uploaded.read()
    try:
        return list(_READERS[kind](data, lambda sheet: _Collector(sheet, max_rows)))
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


class _Consumer(Exception):
    """An error raised by the consumer of `read_rows`, not by the file: raised as it is."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


def read_rows(uploaded, kind: str, *, max_rows: int, on_row, max_sheet_bytes: int) -> list[Sheet]:
    """`read_sheets` for a large import: each non-empty row is handed to `on_row(sheet, row)`
    as it is read, none is kept (the sheets come back with their problems, without rows).

    CSV and ODS are parsed incrementally (the CSV text is decoded at once, its lines are not
    split ahead); XLSX through openpyxl in read-only mode, which streams the sheet's XML and
    holds the shared strings. A sheet's XML is refused above `max_sheet_bytes` unread. When
    `on_row` raises, its error is raised as it is (a file error is a ValidationError).
    """

    def deliver(sheet, row):
        try:
            on_row(sheet, row)
        except BaseException as error:
            raise _Consumer(error) from error

    uploaded.seek(0)
    data = uploaded.read()
    try:
        return list(
            _READERS[kind](
                data, lambda sheet: _Collector(sheet, max_rows, deliver), max_sheet_bytes
            )
        )
    except _Consumer as wrapped:
        raise wrapped.error from None
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


def find_header(rows: list[Row], matches) -> tuple[int, int] | None:
    """(index in rows, column) of the first cell among the first rows that `matches`: a header
    may sit below title rows."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        for column, cell in enumerate(row.cells):
            if matches(cell):
                return index, column
    return None
