"""A convocation list read from a spreadsheet: a preview row by row, then all or nothing.

Issue 17 point 4 asks the convocation lists for the same import as the persons': the file is
read by `core.spreadsheet_reader` (CSV in any usual encoding and separator, XLSX, ODS; a
formula without stored value refused), the columns are found by their header (the AGDREF
number, and optionally the name and birth date that check the number is that person's) with
the organisation's saved mapping (`people.import_models.ColumnMapping`, whose field names the
two imports share), cells are read by `people.imports.parse_cell` (numbers typed as numbers
get their leading zeros back), and each row is planned: to convoke / already convoked to this
session (unchanged) / in error with a French message. Only a plan without any error, and
within the session's free seats, is convoked, in one call of `services.convoke_many` (issue
14: « toute la liste est convoquée, ou rien »); the same file imported again finds every row
unchanged.

A plan is computed in a constant number of queries (the persons of the numbers, their
convocations to the session, the seats taken): the preview and the commit both read the
file again (`plan_file`), so what is convoked is what the perimeter holds at the commit.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.spreadsheet_reader import Problem, Row, Sheet, find_header, read_sheets
from parcours.people import imports as person_imports
from parcours.people.imports import CellError, describe, fold, parse_cell

# A PFA holds 60 persons at most; a file far longer is not a list for one session (issue 14).
MAX_ROWS = 500
AGDREF = "agdref_number"
# Headers of the AGDREF column beyond the person import's: the lists DTs receive.
_AGDREF_HEADERS = ("numero", "numeros", "n", "no", "n agdref", "numero agdref")


def _column(name: str, extra=()) -> person_imports.Column:
    column = person_imports.BY_FIELD[name]
    return dataclasses.replace(column, required=name == AGDREF, headers=(*column.headers, *extra))


# The AGDREF number is required; the name and birth date, when the file has them, check that
# the number is the person the DT meant (a number mistyped by one digit is somebody else).
COLUMNS = (
    _column(AGDREF, _AGDREF_HEADERS),
    _column("last_name"),
    _column("first_names"),
    _column("birth_date"),
)


class Status:
    CONVOKE = "convoke"
    UNCHANGED = "unchanged"
    ERROR = "error"


STATUS_LABELS = {
    Status.CONVOKE: gettext_lazy("À convoquer"),
    Status.UNCHANGED: gettext_lazy("Déjà convoquée"),
    Status.ERROR: gettext_lazy("En erreur"),
}


@dataclass
class ListedRow:
    number: int  # the spreadsheet's row number
    agdref: str  # the cell as read, normalised when it is a number
    status: str = Status.CONVOKE
    person: object = None
    message: str = ""  # French, « Ligne 7 : … »
    named: str = ""  # the name the file gives, if any

    @property
    def label(self):
        return STATUS_LABELS[self.status]


@dataclass
class ListPlan:
    sheet_name: str
    rows: list[ListedRow]
    headers: dict[str, str] = field(default_factory=dict)  # field -> header text, to save
    refusal: str = ""  # a reason the whole file is refused (seats), in French
    seats_left: int = 0

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUS_LABELS}

    @property
    def to_convoke(self) -> list:
        return [row.person for row in self.rows if row.status == Status.CONVOKE]

    @property
    def refused(self) -> bool:
        return bool(self.refusal or self.count(Status.ERROR))

    @property
    def confirmable(self) -> bool:
        return not self.refused and bool(self.to_convoke)

    @property
    def persons(self) -> list:
        return [row.person for row in self.rows if row.person is not None]


# ---------------------------------------------------------------------------------------------
# The sheet and its columns
# ---------------------------------------------------------------------------------------------


def _wanted(saved: dict | None) -> dict[str, set[str]]:
    return {
        column.field: {fold(h) for h in column.headers}
        | {fold(str(column.label))}
        | ({fold(saved[column.field])} if saved and saved.get(column.field) else set())
        for column in COLUMNS
    }


def _is_agdref_header(cell: str, wanted=None) -> bool:
    key = fold(cell)
    return "agdref" in key or key in (wanted or _wanted(None))[AGDREF]


def choose_sheet(sheets: list[Sheet], name: str = "", saved: dict | None = None) -> Sheet:
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
        raise ValidationError(_("Le fichier est vide : aucune ligne à importer."), code="empty")
    wanted = _wanted(saved)
    headed = [s for s in filled if find_header(s.rows, lambda c: _is_agdref_header(c, wanted))]
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


@dataclass
class _Layout:
    body: list[Row]
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]
    first_row: int  # the number of the first row of the list (below its header)


def _layout(sheet: Sheet, saved: dict | None) -> _Layout:
    """The rows below the header and the column of each field; the missing column is named
    before any row is read.

    A list without an AGDREF header keeps working as before issue 17: the numbers in the
    first column, below any title row whose first cell holds no digit.
    """
    wanted = _wanted(saved)
    header = find_header(sheet.rows, lambda c: _is_agdref_header(c, wanted))
    if header is None:
        rows = sheet.rows
        start = 0
        while start < len(rows) and not any(c.isdigit() for c in rows[start].cell(0)):
            start += 1
        if start == len(rows):
            raise ValidationError(
                _("Colonne obligatoire absente : « %(column)s ». Rien n'a été lu ni convoqué.")
                % {"column": COLUMNS[0].label},
                code="missing_columns",
            )
        return _Layout(rows[start:], {AGDREF: 0}, {}, rows[start].number)
    index, agdref_column = header
    header_row = sheet.rows[index]
    columns = {AGDREF: agdref_column}
    for position, cell in enumerate(header_row.cells):
        key = fold(cell)
        for column in COLUMNS[1:]:
            if column.field not in columns and key in wanted[column.field]:
                columns[column.field] = position
                break
    headers = {name: header_row.cell(position) for name, position in columns.items()}
    body = sheet.rows[index + 1 :]
    # A row whose only cell is a formula without stored value is empty to the reader, but
    # reported: it is a faulty row of the list, not a missing one.
    if not body and not any(p.row > header_row.number for p in sheet.problems):
        raise ValidationError(
            _("Le fichier n'a que sa ligne d'en-tête : aucune personne à convoquer."),
            code="header_only",
        )
    return _Layout(body, columns, headers, header_row.number + 1)


def read_list(uploaded, kind: str, *, sheet_name: str = "", saved: dict | None = None):
    """The chosen sheet and its layout, or ValidationError (French) about the whole file."""
    sheets = read_sheets(uploaded, kind, max_rows=MAX_ROWS)
    sheet = choose_sheet(sheets, sheet_name, saved)
    return sheet, _layout(sheet, saved)


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


def _words(*texts: str) -> set[str]:
    return {word for text in texts for word in fold(text.replace("-", " ")).split()}


def _other_person(person, values: dict) -> str:
    """Why the file's name or birth date is not the person's, else ""."""
    named_last = values.get("last_name") or ""
    named_first = values.get("first_names") or ""
    own = _words(person.last_name, person.usual_name or "", person.first_names)
    surnames = _words(person.last_name, person.usual_name or "")
    # Tolerant: "DUPONT", "DUPONT Marie" and "Dupont-Martin" (usual name) are DUPONT Marie's;
    # a name with a word that is none of hers is somebody else's.
    if named_last and (not _words(named_last) <= own or not _words(named_last) & surnames):
        return " ".join(filter(None, (named_last, named_first)))
    if named_first and not _words(named_first) <= own:
        return " ".join(filter(None, (named_last, named_first)))
    return ""


def _row_problem(row: Row, layout: _Layout, values: dict) -> str:
    """The row's values into `values`, or the French message of its first faulty cell."""
    for name, column in layout.columns.items():
        text = row.cell(column)
        if name == AGDREF and not text:
            return describe(
                Problem(
                    row.number, column, _("la ligne est remplie mais n'a pas de numéro AGDREF.")
                )
            )
        if not text:
            continue
        try:
            values[name] = parse_cell(name, text, None)
            if name in ("last_name", "first_names"):
                values[name] = text[:150]  # as written, for the message naming it back
        except CellError as error:
            values.setdefault(AGDREF, row.cell(layout.columns[AGDREF]))
            return describe(Problem(row.number, column, str(error)))
    return ""


def plan_rows(sheet: Sheet, layout: _Layout, session, persons) -> ListPlan:
    """Each row to convoke, unchanged or in error; `persons` are those the agent may convoke
    (the perimeter). Three queries, whatever the number of rows."""
    from parcours.reception.models import Convocation  # the models import this module's app

    read_problems: dict[int, str] = {}
    for problem in sheet.problems:
        read_problems.setdefault(problem.row, describe(problem))
    planned: list[tuple[ListedRow, dict]] = []
    first_seen: dict[str, int] = {}
    for row in layout.body:
        values: dict = {}
        message = read_problems.get(row.number) or _row_problem(row, layout, values)
        listed = ListedRow(row.number, str(values.get(AGDREF) or row.cell(layout.columns[AGDREF])))
        listed.named = " ".join(
            filter(None, ((values.get("last_name") or "").upper(), values.get("first_names")))
        )
        if not message and listed.agdref in first_seen:
            message = describe(
                Problem(
                    row.number,
                    layout.columns[AGDREF],
                    _("%(number)s figure déjà ligne %(row)s du fichier.")
                    % {"number": listed.agdref, "row": first_seen[listed.agdref]},
                )
            )
        if not message:
            first_seen[listed.agdref] = row.number
        if message:
            listed.status, listed.message = Status.ERROR, message
        planned.append((listed, values))
    # Rows read past the last listed row's problems (a formula alone on its row) fail too.
    listed_numbers = {listed.number for listed, _values in planned}
    for number, message in sorted(read_problems.items()):
        if number not in listed_numbers and number >= layout.first_row:
            planned.append((ListedRow(number, "", Status.ERROR, message=message), {}))
    planned.sort(key=lambda pair: pair[0].number)

    numbers = [listed.agdref for listed, _v in planned if listed.status != Status.ERROR]
    found = {
        p.agdref_number: p
        # Whole rows: convoke_many copies the person's facts onto the convocation (ADR 0007).
        for p in persons.filter(agdref_number__in=numbers)
    }
    convoked = set(
        Convocation.objects.filter(
            session=session, person_id__in=[p.pk for p in found.values()]
        ).values_list("person_id", flat=True)
    )
    for listed, values in planned:
        if listed.status == Status.ERROR:
            continue
        person = found.get(listed.agdref)
        column = layout.columns[AGDREF]
        if person is None:
            listed.status = Status.ERROR
            listed.message = describe(
                Problem(
                    listed.number,
                    column,
                    _("aucun dossier de votre périmètre pour %(number)s.")
                    % {"number": listed.agdref},
                )
            )
            continue
        listed.person = person
        other = _other_person(person, values)
        born = values.get("birth_date")
        if other:
            listed.status = Status.ERROR
            listed.message = describe(
                Problem(
                    listed.number,
                    None,
                    _("le numéro AGDREF %(number)s est celui de %(person)s, pas de %(named)s.")
                    % {"number": listed.agdref, "person": person.display_name, "named": other},
                )
            )
        elif born and person.birth_date and born != person.birth_date:
            listed.status = Status.ERROR
            listed.message = describe(
                Problem(
                    listed.number,
                    None,
                    _(
                        "le numéro AGDREF %(number)s est celui de %(person)s, née ou né le "
                        "%(born)s, pas le %(date)s."
                    )
                    % {
                        "number": listed.agdref,
                        "person": person.display_name,
                        "born": date_format(person.birth_date, "SHORT_DATE_FORMAT"),
                        "date": date_format(born, "SHORT_DATE_FORMAT"),
                    },
                )
            )
        elif person.directorate_id != session.directorate_id:
            listed.status = Status.ERROR
            listed.message = describe(
                Problem(
                    listed.number,
                    None,
                    _("%(name)s ne relève pas de %(dt)s : convocation impossible.")
                    % {"name": person.display_name, "dt": session.directorate},
                )
            )
        elif person.pk in convoked:
            listed.status = Status.UNCHANGED
            listed.message = _("déjà convoqué(e) à cette session.")
    plan = ListPlan(sheet.name, [listed for listed, _v in planned], layout.headers)
    taken = session.convocations.holding_a_seat().count()
    plan.seats_left = max(session.capacity - taken, 0)
    asked = plan.count(Status.CONVOKE)
    if asked > plan.seats_left:
        # Seats never overflow: the whole file is refused, not its last rows (issue 14).
        plan.refusal = _(
            "Fichier refusé : %(asked)s personne(s) à convoquer pour %(left)s place(s) libre(s) "
            "(%(capacity)s places, %(taken)s déjà prises). Rien ne sera convoqué : retirez des "
            "lignes ou choisissez une autre session."
        ) % {"asked": asked, "left": plan.seats_left, "capacity": session.capacity, "taken": taken}
    return plan


def plan_file(uploaded, kind: str, session, persons, *, sheet_name="", saved=None) -> ListPlan:
    """Read the file and plan it; ValidationError (French) when the file itself is refused."""
    sheet, layout = read_list(uploaded, kind, sheet_name=sheet_name, saved=saved)
    return plan_rows(sheet, layout, session, persons)


# ---------------------------------------------------------------------------------------------
# The history and the commit
# ---------------------------------------------------------------------------------------------


def _saved_mapping(organisation_id) -> dict | None:
    from parcours.people.import_models import ColumnMapping

    saved = ColumnMapping.objects.filter(organisation_id=organisation_id).first()
    return saved.columns if saved else None


def _save_mapping(organisation_id, headers: dict[str, str]) -> None:
    """Merge the headers found into the organisation's mapping (the person import's too)."""
    from parcours.people.import_models import ColumnMapping

    if not headers:
        return
    saved, _created = ColumnMapping.objects.select_for_update().get_or_create(
        organisation_id=organisation_id, defaults={"columns": {}}
    )
    columns = {**saved.columns, **headers}
    if columns != saved.columns:
        saved.columns = columns
        saved.save(update_fields=["columns", "updated_at"])


def _record_counts(run, plan: ListPlan) -> None:
    counts = plan.counts
    run.total_rows = len(plan.rows)
    run.convoked_count = counts[Status.CONVOKE]
    run.unchanged_count = counts[Status.UNCHANGED]
    run.error_count = counts[Status.ERROR]


def preview(uploaded, kind: str, session, membership, persons, *, actor, sheet_name=""):
    """Plan the file and keep it as an import of the session awaiting confirmation.

    Returns (run, plan); ValidationError when the file itself is refused (nothing kept)."""
    from parcours.reception.models import ConvocationImport, ConvocationImportStatus

    saved = _saved_mapping(membership.organisation_id)
    plan = plan_file(uploaded, kind, session, persons, sheet_name=sheet_name, saved=saved)
    uploaded.seek(0)
    with transaction.atomic():
        # An earlier preview never confirmed is given up: its file is not kept (privacy).
        ConvocationImport.objects.filter(
            session=session, status=ConvocationImportStatus.PREVIEWED
        ).update(status=ConvocationImportStatus.ABANDONED, content=b"")
        run = ConvocationImport(
            session=session,
            membership=membership,
            created_by=actor,
            file_name=(getattr(uploaded, "name", "") or "")[:255],
            file_kind=kind,
            sheet_name=plan.sheet_name[:100],
            content=uploaded.read(),
            status=ConvocationImportStatus.PREVIEWED,
        )
        _record_counts(run, plan)
        run.save()
    return run, plan


def plan_of(run, persons) -> ListPlan | None:
    """The plan of a kept import read again now, or None once its file is emptied."""
    if not run.content:
        return None
    return plan_file(
        io.BytesIO(bytes(run.content)),  # the stored content, read like an upload
        run.file_kind,
        run.session,
        persons,
        sheet_name=run.sheet_name,
        saved=_saved_mapping(run.membership.organisation_id),
    )


def commit(run, persons, *, actor) -> ListPlan:
    """Convoke the import's list, all or nothing, through `services.convoke_many`.

    The file is planned again under a lock on the import row: a second confirmation waits and
    finds it done. A row in error or too few seats left refuse the whole file (ValidationError,
    the import marked refused, nothing convoked)."""
    from parcours.reception import services
    from parcours.reception.models import ConvocationImport, ConvocationImportStatus

    refused = None
    with transaction.atomic():
        run = (
            ConvocationImport.objects.select_for_update()
            .select_related("session__directorate", "membership")
            .get(pk=run.pk)
        )
        if run.status != ConvocationImportStatus.PREVIEWED:
            raise ValidationError(
                _("Cet import n'attend plus de confirmation : rien n'a été convoqué."),
                code="not_previewed",
            )
        plan = plan_of(run, persons)
        _record_counts(run, plan)
        if plan.refused:
            refused = ValidationError(
                plan.refusal
                or _("Rien n'a été convoqué : %(count)s ligne(s) en erreur. Corrigez le fichier.")
                % {"count": plan.count(Status.ERROR)},
                code="rows_in_error",
            )
        else:
            try:
                with transaction.atomic():
                    services.convoke_many(run.session, plan.to_convoke, actor=actor)
            except ValidationError as error:
                refused = error
            else:
                _save_mapping(run.membership.organisation_id, plan.headers)
                run.status = ConvocationImportStatus.DONE
        if refused is not None:
            run.status = ConvocationImportStatus.REFUSED
        run.finished_at = timezone.now()
        run.content = b""  # the history keeps the counts, not the list (DOMAIN.md, privacy)
        run.save()
    if refused is not None:
        raise refused
    return plan
