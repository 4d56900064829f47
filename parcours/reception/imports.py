"""A convocation list read from a spreadsheet: the AGDREF number of every row, or why not.

The page promises « toute la liste est convoquée, ou rien » (issue 14): every row that names
somebody must give a number of the perimeter, or the file is refused with each faulty row
named by its number and column. The file itself is read by `core.spreadsheet_reader`.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.core.spreadsheet_reader import Problem, Row, Sheet, find_header
from parcours.people.validators import normalise_agdref

# Problems listed in one message; the rest are counted.
SHOWN_PROBLEMS = 10


def _is_agdref_header(cell: str) -> bool:
    return "agdref" in cell.casefold()


@dataclass(frozen=True)
class ListedNumber:
    row: int
    column: int
    number: str


def _refuse(problems: list) -> None:
    lines = [str(p) for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        rest = len(problems) - SHOWN_PROBLEMS
        lines.append(
            ngettext("… et %(count)s autre ligne.", "… et %(count)s autres lignes.", rest)
            % {"count": rest}
        )
    raise ValidationError(
        [
            ngettext(
                "Rien n'a été convoqué : %(count)s ligne du fichier pose problème.",
                "Rien n'a été convoqué : %(count)s lignes du fichier posent problème.",
                len({getattr(p, "row", p) for p in problems}),
            )
            % {"count": len({getattr(p, "row", p) for p in problems})},
            *lines,
        ],
        code="rows_refused",
    )


def choose_sheet(sheets: list[Sheet], name: str = "") -> Sheet:
    """The sheet named `name`; else the only filled one, or the only one with an AGDREF header."""
    if name:
        for sheet in sheets:
            if sheet.name.casefold() == name.strip().casefold():
                return sheet
        raise ValidationError(
            _("Aucune feuille « %(name)s » dans ce classeur. Feuilles : %(names)s.")
            % {"name": name, "names": ", ".join(s.name for s in sheets)},
            code="no_such_sheet",
        )
    filled = [sheet for sheet in sheets if sheet.rows]
    if len(filled) == 1:
        return filled[0]
    if not filled:
        raise ValidationError(_("Aucun numéro AGDREF trouvé."), code="empty")
    headed = [s for s in filled if find_header(s.rows, _is_agdref_header)]
    if len(headed) == 1:
        return headed[0]
    raise ValidationError(
        _(
            "Ce classeur compte plusieurs feuilles remplies (%(names)s) : indiquez celle qui "
            "porte la liste."
        )
        % {"names": ", ".join(s.name for s in filled)},
        code="which_sheet",
    )


def _body(rows: list[Row]) -> tuple[list[Row], int, int]:
    """The rows below the header, the first row number they may start at, the AGDREF column.

    Title rows above the header are skipped. Without an "AGDREF" header, the numbers are in
    the first column, below any row whose first cell holds no digit (titles, another header).
    """
    header = find_header(rows, _is_agdref_header)
    if header is not None:
        index, column = header
        return rows[index + 1 :], rows[index].number + 1, column
    start = 0
    while start < len(rows) and not any(c.isdigit() for c in rows[start].cell(0)):
        start += 1
    first = rows[start].number if start < len(rows) else (rows[-1].number + 1 if rows else 1)
    return rows[start:], first, 0


def listed_numbers(sheet: Sheet) -> list[ListedNumber]:
    """Every AGDREF number of the sheet with its row, or ValidationError naming each faulty row."""
    body, first_row, column = _body(sheet.rows)
    problems: list[Problem] = [p for p in sheet.problems if p.row >= first_row]
    if not body and not problems:
        raise ValidationError(_("Aucun numéro AGDREF trouvé."), code="empty")
    listed = []
    for row in body:
        value = row.cell(column)
        if not value:
            problems.append(
                Problem(
                    row.number, column, _("la ligne est remplie mais n'a pas de numéro AGDREF.")
                )
            )
            continue
        try:
            listed.append(ListedNumber(row.number, column, normalise_agdref(value)))
        except ValidationError:
            problems.append(
                Problem(
                    row.number,
                    column,
                    _("« %(value)s » n'est pas un numéro AGDREF (10 chiffres attendus).")
                    % {"value": value[:40]},
                )
            )
    if problems:
        _refuse(sorted(problems, key=lambda p: (p.row, p.column)))
    return listed


def persons_for_listed_numbers(persons, listed: list[ListedNumber]) -> list:
    """The persons of `persons` for these numbers, in the file's order; all or ValidationError."""
    numbers = {entry.number for entry in listed}
    found = {p.agdref_number: p for p in persons.filter(agdref_number__in=numbers)}
    missing = [
        Problem(
            entry.row,
            entry.column,
            _("aucun dossier de votre périmètre pour %(number)s.") % {"number": entry.number},
        )
        for entry in listed
        if entry.number not in found
    ]
    if missing:
        _refuse(missing)
    return list({found[e.number].pk: found[e.number] for e in listed}.values())
