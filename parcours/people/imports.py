"""Tabular import of persons (issue 17, point 4): mapping, checked rows, a plan, all or nothing.

The file is read by `core.spreadsheet_reader` (CSV in any of the usual encodings and
separators, XLSX, ODS). Then, in this order (STYLE.md, rdv-insertion):
1. the header row is matched to the person fields through the organisation's saved mapping
   (header text → field) or the usual French headers; a missing required column is reported
   before any row is read;
2. each row becomes values or a French message per faulty cell (row and column named):
   French (17/05/1990, 17-05-1990, 17.05.1990) and ISO (1990-05-17) dates, an AGDREF number
   typed as a number that lost its leading zeros (8 or 9 digits) padded back to 10, a formula
   refused, the same AGDREF twice in the file refused on its second row;
3. each row is matched to an existing person by its AGDREF number ("the same AGDREF number is
   the same person", issue 17 point 5) and planned as create / update / unchanged / error;
4. the plan is committed in one transaction through `people.services`, only when no row is in
   error: all or nothing; re-importing the same file finds every row unchanged.

Large files (100,000 rows) are streamed: `core.spreadsheet_reader.read_rows` hands the rows
one by one, they are planned by chunks of `CHUNK` (one set of queries per chunk) and only the
chunk and a small index of the rows read (`FileIndex`, the intra-file duplicates) are held.
The preview (`preview`) keeps counts and the first messages, and stores the rows to write
(`PlanWriter`, one JSON line per chunk). The commit replays that plan (`commit_stored`) while
the file and the persons on record are those the preview read (`plan_generation`), and
otherwise reads and plans the file again (`commit_file`); either way in one transaction,
each chunk written through the services' bulk path (`create_persons_bulk`,
`update_persons_bulk`): all or nothing (ADR 0025).

Two rows of one file that are the same person (the same AGDREF number, or the finder's score
at its threshold) are refused on the second: « Ligne 12 : même personne que la ligne 4 ».

A row to create (no AGDREF match) whose names and birth date look like an existing person's
is still created, but shown « à vérifier » with the existing file named, and the pair goes to
the duplicates review list at commit (issue 17 point 5): `duplicate_candidates` searches a
whole batch of rows in one query, scored by `people.duplicates.score_pair`.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core import collector
from parcours.core.bulk_sql import Among
from parcours.core.spreadsheet_reader import Problem, Row, Sheet, column_letter, read_rows
from parcours.people import duplicates, names
from parcours.people.models import Person, ResidenceStatus, Sex
from parcours.people.validators import normalise_phone
from parcours.territories.models import Department

# Issue 17: 100,000-row files.
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    field: str
    label: object  # lazy French label
    required: bool
    headers: tuple[str, ...]  # usual header texts, compared without case nor accents


# The columns an import knows, in the order of the preview. Required: what a person file
# cannot be saved without (people.models.Person: names, residence category, département)
# and the birth date that matching and the figures' age bands need (DOMAIN.md).
COLUMNS = (
    Column(
        "agdref_number",
        gettext_lazy("Numéro AGDREF"),
        False,
        ("agdref", "numero agdref", "numero etranger", "n agdref"),
    ),
    Column("last_name", gettext_lazy("Nom"), True, ("nom", "nom de naissance", "nom de famille")),
    Column("first_names", gettext_lazy("Prénoms"), True, ("prenom", "prenoms")),
    Column(
        "birth_date",
        gettext_lazy("Date de naissance"),
        True,
        ("date de naissance", "ne le", "naissance"),
    ),
    Column("sex", gettext_lazy("Sexe"), False, ("sexe", "genre")),
    Column(
        "residence_status",
        gettext_lazy("Catégorie de séjour"),
        True,
        ("categorie de sejour", "sejour", "statut"),
    ),
    Column("department", gettext_lazy("Département"), True, ("departement", "dept", "dep")),
    Column("usual_name", gettext_lazy("Nom d'usage"), False, ("nom d'usage", "nom usuel")),
    Column("phone", gettext_lazy("Téléphone"), False, ("telephone", "tel", "portable")),
    Column(
        "email",
        gettext_lazy("Adresse électronique"),
        False,
        ("email", "courriel", "mail", "adresse electronique"),
    ),
    Column("postcode", gettext_lazy("Code postal"), False, ("code postal", "cp")),
    Column("city", gettext_lazy("Commune"), False, ("commune", "ville")),
)
BY_FIELD = {column.field: column for column in COLUMNS}


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case, no accents, single spaces: "Prénom(s) " and "prenom(s)" are one header."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^a-z0-9']+", " ", text)
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# 1. Header and mapping
# ---------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Column index of each person field found in the header row."""

    header_row: int  # index in sheet.rows
    columns: dict[str, int]
    ignored: list[str] = field(default_factory=list)  # extra headers, shown, not imported


def map_header(sheet: Sheet, saved: dict[str, str] | None = None) -> Mapping:
    """Find the header row and map it; ValidationError listing every missing required column.

    `saved`: the organisation's mapping, field → header text as its files write it.
    """
    if not sheet.rows:
        raise ValidationError(_("Le fichier est vide : aucune ligne à importer."), code="empty")
    wanted = {
        column.field: {fold(h) for h in column.headers}
        | {fold(str(column.label))}
        | ({fold(saved[column.field])} if saved and saved.get(column.field) else set())
        for column in COLUMNS
    }
    best = None
    for index, row in enumerate(sheet.rows[:20]):  # a header may sit below title rows
        found = {}
        for position, cell in enumerate(row.cells):
            key = fold(cell)
            for name, headers in wanted.items():
                if key in headers and name not in found:
                    found[name] = position
                    break
        if best is None or len(found) > len(best[1]):
            best = (index, found)
    index, found = best
    missing = [c for c in COLUMNS if c.required and c.field not in found]
    if missing:
        raise ValidationError(
            _("Colonnes obligatoires absentes : %(columns)s. Rien n'a été lu ni importé.")
            % {"columns": ", ".join(f"« {c.label} »" for c in missing)},
            code="missing_columns",
        )
    used = set(found.values())
    ignored = [cell for pos, cell in enumerate(sheet.rows[index].cells) if pos not in used and cell]
    return Mapping(index, found, ignored)


def mapping_to_save(sheet: Sheet, mapping: Mapping) -> dict[str, str]:
    """field → header text, to be saved for the organisation's next files."""
    header = sheet.rows[mapping.header_row]
    return {name: header.cell(position) for name, position in mapping.columns.items()}


# ---------------------------------------------------------------------------------------------
# 2. Cells
# ---------------------------------------------------------------------------------------------

_DATE_FR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T00:00:00)?$")
_SEX = {"f": Sex.FEMALE, "femme": Sex.FEMALE, "h": Sex.MALE, "m": Sex.MALE, "homme": Sex.MALE}
_SEX.update({"x": Sex.UNKNOWN, "": Sex.UNKNOWN})


class CellError(Exception):
    pass


def parse_date(text: str) -> datetime.date:
    match = _DATE_ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DATE_FR.match(text)
        if not match:
            raise CellError(
                _("« %(value)s » n'est pas une date (attendu : 17/05/1990 ou 1990-05-17).")
                % {"value": text[:40]}
            )
        day, month, year = (int(g) for g in match.groups())
    try:
        value = datetime.date(year, month, day)
    except ValueError:
        raise CellError(
            _("« %(value)s » : cette date n'existe pas.") % {"value": text[:40]}
        ) from None
    if not datetime.date(1900, 1, 1) <= value <= datetime.date.today():
        raise CellError(_("« %(value)s » : date de naissance impossible.") % {"value": text[:40]})
    return value


def parse_agdref(text: str) -> str:
    """10 digits; a number typed as a number lost its leading zeros (8 or 9 digits left)."""
    cleaned = re.sub(r"[\s.\-]", "", text)
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise CellError(
            _("« %(value)s » n'est pas un numéro AGDREF (10 chiffres, sans lettre).")
            % {"value": text[:40]}
        )
    if 8 <= len(cleaned) < 10:
        cleaned = cleaned.zfill(10)  # the spreadsheet stored 0712345678 as 712345678
    if len(cleaned) != 10:
        raise CellError(
            _("« %(value)s » n'est pas un numéro AGDREF (10 chiffres attendus).")
            % {"value": text[:40]}
        )
    return cleaned


def _residence_statuses():
    choices = {fold(str(label)): value for value, label in ResidenceStatus.choices}
    choices.update({fold(value): value for value in ResidenceStatus.values})
    return choices


def _departments():
    by_code = {}
    for department in Department.objects.all():
        by_code[fold(department.code)] = department
        by_code[fold(department.name)] = department
    return by_code


@dataclass
class Lookups:
    """Reference data read once per import, not once per row."""

    statuses: dict = field(default_factory=_residence_statuses)
    departments: dict = field(default_factory=_departments)


def parse_cell(name: str, text: str, lookups: Lookups):
    """The stored value of one cell, or CellError with a French message."""
    if text.startswith(("=", "+", "@")) and name not in ("phone",):
        # A formula (or what a spreadsheet would run as one): never imported as text.
        raise CellError(_("formule refusée : saisissez la valeur elle-même."))
    if name == "birth_date":
        return parse_date(text)
    if name == "agdref_number":
        return parse_agdref(text) if text else None
    if name == "sex":
        if fold(text) not in _SEX:
            raise CellError(_("« %(value)s » : sexe attendu F, H ou vide.") % {"value": text[:40]})
        return _SEX[fold(text)]
    if name == "residence_status":
        value = lookups.statuses.get(fold(text))
        if value is None:
            raise CellError(
                _("« %(value)s » n'est pas une catégorie de séjour connue.") % {"value": text[:40]}
            )
        return value
    if name == "department":
        department = lookups.departments.get(fold(text.zfill(2) if text.isdigit() else text))
        if department is None:
            raise CellError(_("« %(value)s » n'est pas un département.") % {"value": text[:40]})
        return department.pk
    if name in ("last_name", "usual_name"):
        return text.upper()[:150]
    if name == "first_names":
        return text[:200]
    if name == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(
                _("« %(value)s » n'est pas une adresse électronique.") % {"value": text[:40]}
            ) from None
        return text
    if name == "phone":
        try:
            return normalise_phone(text)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None
    if name == "postcode":
        if not re.fullmatch(r"\d{5}", text.zfill(5) if text.isdigit() else text):
            raise CellError(_("« %(value)s » n'est pas un code postal.") % {"value": text[:40]})
        return text.zfill(5)  # typed as a number, 08000 (Ardennes) lost its leading zero
    return text[:100]


# The name keys of an import's rows, computed once per distinct name (a pure function).
_phonetic_key = functools.lru_cache(maxsize=100_000)(names.phonetic_key)


# ---------------------------------------------------------------------------------------------
# 3. Plan
# ---------------------------------------------------------------------------------------------


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


ACTION_LABELS = {
    Action.CREATE: gettext_lazy("À créer"),
    Action.UPDATE: gettext_lazy("À mettre à jour"),
    Action.UNCHANGED: gettext_lazy("Inchangée"),
    Action.ERROR: gettext_lazy("En erreur"),
}


@dataclass
class PlannedRow:
    number: int
    action: str
    values: dict
    person_id: int | None = None
    problems: list[Problem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    # Existing persons this row to create may be (duplicates.Candidate), best first.
    candidates: list = field(default_factory=list)


@dataclass
class Plan:
    rows: list[PlannedRow]
    mapping: Mapping
    mapping_headers: dict[str, str] = field(default_factory=dict)  # field -> header text

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTION_LABELS}

    @property
    def problems(self) -> list[Problem]:
        return [p for row in self.rows for p in row.problems]

    @property
    def to_review(self) -> list[PlannedRow]:
        """Rows to create that may be a person already on file (« à vérifier »)."""
        return [row for row in self.rows if row.candidates]


# Candidates named per row in the preview (the review list keeps them all).
SHOWN_CANDIDATES = 3
# The finder's window for a name sounding alike with a mistyped day or year (duplicates._rows).
_NEAR = datetime.timedelta(days=400)


# A chunk asks it for the same pairs of dates again and again (strftime in _date_value).
@functools.lru_cache(maxsize=262_144)
def _date_can_reach(day: datetime.date, other: datetime.date) -> bool:
    """Whether a pair with these birth dates can reach the threshold with the best names."""
    if abs(other - day) > _NEAR:
        return False
    best = duplicates.NAME_WEIGHT + duplicates.DATE_WEIGHT * duplicates._date_value(day, other)[0]
    return best >= duplicates.THRESHOLD


@dataclass(slots=True)
class _Found:
    """A person on file read for the duplicate search: what score_pair and the preview read."""

    pk: int
    last_name: str
    usual_name: str
    first_names: str
    birth_date: datetime.date | None
    agdref_number: str | None
    # The phonetic keys stored with the file (Person.fill_name_keys): not computed again.
    last_name_key: str
    first_name_key: str
    keys_from_database = True  # read by duplicates.Block


class DateBlocks:
    """The persons on file by birth date already read by earlier chunks of the same file.

    A chunk of 1,000 rows covers most of the birth dates of a file's generation, so each chunk
    read almost the same tens of thousands of persons again (issue 17 profile: half of the
    search's time). They are read once per file and kept, up to `LIMIT` persons (about
    100 bytes each); past it the blocks are dropped and read again. Persons the import itself
    creates are not added: a later row that is one of them is an intra-file duplicate
    (FileIndex), in error, and never searched.
    """

    LIMIT = 400_000

    def __init__(self):
        self.by_date: dict[datetime.date, list[_Found]] = {}
        self.numbered_only: bool | None = None
        self.size = 0
        self.prepared: dict[datetime.date, duplicates.Block] = {}

    def missing(self, dates, numbered_only: bool) -> list[datetime.date]:
        if numbered_only != self.numbered_only or self.size > self.LIMIT:
            self.by_date, self.size, self.numbered_only = {}, 0, numbered_only
            self.prepared = {}
        return sorted(day for day in dates if day not in self.by_date)

    def add(self, dates, persons: list[_Found]) -> None:
        for day in dates:
            self.by_date.setdefault(day, [])
        for person in persons:
            self.by_date[person.birth_date].append(person)
        self.size += len(persons)
        # Only the blocks of the dates just read (and of their swapped dates) change.
        for day in dates:
            self.prepared.pop(day, None)
            self.prepared.pop(duplicates._swapped_day_month(day), None)

    def block(self, day) -> duplicates.Block:
        """The persons born on `day` or with its day and month swapped, prepared once for the
        sieve (duplicates.Block): one sieve per row, not one per date."""
        if day not in self.prepared:
            persons = list(self.by_date.get(day, ()))
            swapped = duplicates._swapped_day_month(day)
            if swapped and swapped != day:
                persons += self.by_date.get(swapped, ())
            self.prepared[day] = duplicates.Block(persons)
        return self.prepared[day]


def duplicate_candidates(rows: list[PlannedRow], within, blocks: DateBlocks | None = None) -> None:
    """Set `candidates` on each row to create: existing persons of `within` at the finder's
    proposal threshold (duplicates.THRESHOLD), by names and birth date.

    Two queries at most for the whole batch, on the finder's indexes: the persons born on
    the rows' birth dates or with day and month swapped (only the dates `blocks` has not read
    yet), and those whose name key sounds alike born within about a year; then each row's
    block is sieved in one call (`duplicates.sieve`) and the pairs kept are scored with
    `duplicates.score_pair`, the finder's own scoring, so that the import and the person form
    propose the same pairs.
    """
    if not rows:
        return
    blocks = blocks if blocks is not None else DateBlocks()
    dates, keys = set(), set()
    for row in rows:
        day = row.values.get("birth_date")
        dates.add(day)
        swapped = duplicates._swapped_day_month(day)
        if swapped:
            dates.add(swapped)
        for text in (row.values.get("last_name", ""), row.values.get("first_names", "")):
            key = _phonetic_key(text)
            if key:
                keys.add(key)
    # Anonymised files are left out as they are read, not in SQL: with that condition,
    # SQLite's planner reads every person through the anonymised_at index instead of the
    # birth date or name key index.
    found = within.order_by()
    numbered_only = all(row.values.get("agdref_number") for row in rows)
    if numbered_only:
        # Every row has a number: a person with another number cannot reach the threshold.
        # COALESCE, not IS NULL: SQLite's planner takes IS NULL on the unique AGDREF index
        # and reads every person without a number (130 ms a chunk at 100,000 persons),
        # instead of the birth date or name key index; PostgreSQL filters it either way.
        found = found.alias(number=Coalesce("agdref_number", Value(""))).filter(number="")
    missing = blocks.missing(dates, numbered_only)
    if missing:
        # Tuples, not model instances: a chunk reads tens of thousands of namesakes.
        read = found.filter(Among("birth_date", missing)).values_list(
            *_Found.__slots__, "anonymised_at"
        )
        blocks.add(missing, [_Found(*values[:-1]) for values in read if values[-1] is None])
    by_date = blocks.by_date
    # By name key and birth year: a row looks at five years of one key, not at the whole key.
    by_key: dict[tuple[str, int], list[_Found]] = {}
    if keys:
        near_keys = found.filter(
            Among("last_name_key", sorted(keys)),
            birth_date__range=(min(dates) - _NEAR, max(dates) + _NEAR),
        )
        read = near_keys.values_list(*_Found.__slots__, "anonymised_at")
        for *values, anonymised_at in read:
            person = _Found(*values)
            if person.last_name_key and person.birth_date and anonymised_at is None:
                by_key.setdefault((person.last_name_key, person.birth_date.year), []).append(person)
    if not any(by_date.get(day) for day in dates) and not by_key:
        return
    for row in rows:
        day = row.values["birth_date"]
        agdref = row.values.get("agdref_number")
        # The persons born on the date or with day and month swapped: one block prepared once
        # per file (DateBlocks.block); those sounding alike born near are sieved apart.
        block = blocks.block(day)
        extras: dict[int, _Found] = {}
        for text in (row.values.get("last_name", ""), row.values.get("first_names", "")):
            key = _phonetic_key(text) if text else ""
            for year in range(day.year - 2, day.year + 3) if key else ():
                for person in by_key.get((key, year), ()):
                    # Even identical names (0.65) need a birth date scoring 0.43 or more to
                    # reach the threshold: the others are not scored at all (exact, cheaper).
                    if (
                        person.pk not in block.pks
                        and person.pk not in extras
                        and _date_can_reach(day, person.birth_date)
                    ):
                        extras[person.pk] = person
        if agdref:
            # Two different AGDREF numbers are two persons: score_pair multiplies their score
            # by 0.7, below THRESHOLD whatever the names; they are not scored at all.
            extras = {pk: p for pk, p in extras.items() if not p.agdref_number}
        described = {
            "last_name": row.values.get("last_name", ""),
            "first_names": row.values.get("first_names", ""),
            "birth_date": day,
            "agdref": agdref,
        }
        on_dates = block.unnumbered if agdref else block.count
        if on_dates + len(extras) <= duplicates.MAX_ROWS:
            kept = block.sieve(**described)
            if agdref:
                kept = [p for p in kept if not p.agdref_number]
            kept += duplicates.sieve(**described, persons=list(extras.values()))
        else:
            # The finder's bound on the persons scored for one search (duplicates.MAX_ROWS).
            near = [p for p in block.persons if not (agdref and p.agdref_number)]
            near = (near + list(extras.values()))[: duplicates.MAX_ROWS]
            kept = duplicates.sieve(**described, persons=near)
        # Whole blocks in one vectorised call (duplicates.sieve), then the exact score (no
        # French reasons) of the few pairs kept, the reasons for the pairs proposed only.
        scored = [
            duplicates.score_pair(**described, person=person)
            for person in kept
            if duplicates.pair_score(**described, person=person) >= duplicates.THRESHOLD
        ]
        row.candidates = sorted(
            (c for c in scored if c.score >= duplicates.THRESHOLD),
            key=lambda c: (-c.score, c.person.last_name, c.person.first_names, c.person.pk),
        )


def review_message(row: PlannedRow) -> str:
    """The preview's French message for a row « à vérifier », naming the existing file(s)."""
    named = ", ".join(
        _("%(last)s %(first)s né(e) le %(birth)s (dossier n° %(pk)s)")
        % {
            "last": c.person.last_name,
            "first": c.person.first_names,
            "birth": c.person.birth_date.strftime("%d/%m/%Y") if c.person.birth_date else "?",
            "pk": c.person.pk,
        }
        for c in row.candidates[:SHOWN_CANDIDATES]
    )
    return _(
        "Ligne %(row)s : à vérifier, cette personne est peut-être déjà connue : %(persons)s. "
        "Elle sera créée et la paire placée dans la liste des doublons à examiner."
    ) % {"row": row.number, "persons": named}


def _row_values(row: Row, mapping: Mapping, lookups: Lookups) -> tuple[dict, list[Problem]]:
    values, problems = {}, []
    for name, position in mapping.columns.items():
        text = row.cell(position)
        if not text:
            if BY_FIELD[name].required:
                problems.append(
                    Problem(
                        row.number,
                        position,
                        _("« %(column)s » est obligatoire.") % {"column": BY_FIELD[name].label},
                    )
                )
            elif name == "agdref_number":
                values[name] = None
            elif name == "sex":
                values[name] = Sex.UNKNOWN
            else:
                values[name] = ""
            continue
        try:
            values[name] = parse_cell(name, text, lookups)
        except CellError as error:
            problems.append(Problem(row.number, position, str(error)))
    return values, problems


# Rows planned (and written) per chunk: one set of queries per chunk, not per row.
CHUNK = 1000
# The header is looked for among the first rows (map_header): they are held until it is found.
HEAD_ROWS = 20
# A large file's sheet XML is streamed: this bounds the time it takes, not the memory.
MAX_SHEET_XML_BYTES = 150 * 1024 * 1024


@dataclass(slots=True)
class _FileEntry:
    """A row read earlier in the file, with what the duplicate finder scores."""

    pk: int  # the row number
    last_name: str
    first_names: str
    birth_date: datetime.date
    agdref_number: str | None
    usual_name: str = ""


class FileIndex:
    """The rows read so far, for the intra-file duplicates (issue 17: « a duplicate row »):
    the same AGDREF number, or the same person by the finder's scoring (duplicates.score_pair)
    on the finder's blocks (same birth date or day and month swapped; a name key sounding
    alike born within two years). Small entries, about 100 bytes a row."""

    def __init__(self):
        self.agdref: dict[str, int] = {}
        # Two AGDREF numbers that differ are two persons (the score is multiplied by 0.7,
        # below the threshold): a row with a number is compared with rows without one only.
        self.blocks = ({}, {})  # (rows without a number, every row): block -> entries

    @staticmethod
    def _keys(values) -> set[str]:
        return {
            k
            for k in (
                _phonetic_key(values.get("last_name", "")),
                _phonetic_key(values.get("first_names", "")),
            )
            if k
        }

    def same_person(self, values) -> tuple[_FileEntry, duplicates.Candidate] | None:
        day = values.get("birth_date")
        if day is None:
            return None
        agdref = values.get("agdref_number")
        blocks = self.blocks[0 if agdref else 1]
        near: dict[int, _FileEntry] = {}
        swapped = duplicates._swapped_day_month(day)
        for block in (day, swapped):
            for entry in blocks.get(block, ()) if block else ():
                near[entry.pk] = entry
        for key in self._keys(values):
            for year in range(day.year - 2, day.year + 3):
                for entry in blocks.get((key, year), ()):
                    if entry.pk not in near and _date_can_reach(day, entry.birth_date):
                        near[entry.pk] = entry
        best = None
        kept = duplicates.sieve(
            last_name=values.get("last_name", ""),
            first_names=values.get("first_names", ""),
            birth_date=day,
            agdref=agdref,
            persons=list(near.values())[: duplicates.MAX_ROWS],
        )
        for entry in kept:
            score = duplicates.pair_score(
                last_name=values.get("last_name", ""),
                first_names=values.get("first_names", ""),
                birth_date=day,
                agdref=agdref,
                person=entry,
            )
            if score < duplicates.THRESHOLD or (best is not None and score <= best[1].score):
                continue
            candidate = duplicates.score_pair(
                last_name=values.get("last_name", ""),
                first_names=values.get("first_names", ""),
                birth_date=day,
                agdref=agdref,
                person=entry,
            )
            if candidate.score >= duplicates.THRESHOLD and (
                best is None or candidate.score > best[1].score
            ):
                best = (entry, candidate)
        return best

    def add(self, number: int, values) -> None:
        day = values.get("birth_date")
        if day is None:
            return
        entry = _FileEntry(
            number,
            values.get("last_name", ""),
            values.get("first_names", ""),
            day,
            values.get("agdref_number"),
        )
        wanted = [self.blocks[1]] if entry.agdref_number else [self.blocks[0], self.blocks[1]]
        for blocks in wanted:
            blocks.setdefault(day, []).append(entry)
            for key in self._keys(values):
                blocks.setdefault((key, day.year), []).append(entry)


def _intra_file_problems(number: int, values: dict, problems: list, mapping, index: FileIndex):
    """The same AGDREF number or the same person earlier in the file: a row-level message."""
    agdref = values.get("agdref_number")
    if agdref and agdref in index.agdref:
        problems.append(
            Problem(
                number,
                mapping.columns["agdref_number"],
                _("%(number)s figure déjà ligne %(row)s du fichier.")
                % {"number": agdref, "row": index.agdref[agdref]},
            )
        )
        return
    if agdref:
        index.agdref[agdref] = number
    if problems:
        return
    found = index.same_person(values)
    if found is not None:
        entry, candidate = found
        problems.append(
            Problem(
                number,
                None,
                _(
                    "même personne que la ligne %(row)s (%(reasons)s) : gardez une seule "
                    "ligne par personne."
                )
                % {"row": entry.pk, "reasons": ", ".join(str(r) for r in candidate.reasons)},
            )
        )
        return
    index.add(number, values)


class _Planner:
    """Plans the rows of the file's first filled sheet as they are read, chunk by chunk.

    `on_chunk(rows)` receives each planned chunk (the preview counts it, the commit writes
    it); only the chunk and the intra-file index are held, not the file's rows.
    """

    def __init__(self, persons, *, everyone, within, saved, on_chunk, on_progress, chunk):
        self.persons = persons
        self.everyone = everyone if everyone is not None else Person.objects.all()
        # Duplicates are searched among the importer's own persons (for a DT, its
        # directorate's): the preview names the existing file, which must be one the importer
        # may see (need-to-know, visible_to), and the pair goes to this DT's review list,
        # where its agents can merge or tell apart only files of their perimeter.
        self.within = within if within is not None else persons
        self.saved, self.on_chunk, self.on_progress, self.chunk = (
            saved,
            on_chunk,
            on_progress,
            chunk,
        )
        self.sheet = None
        self.head: list[tuple[Row, list[Problem]]] = []
        self.mapping: Mapping | None = None
        self.headers: dict[str, str] = {}
        self.pending: list[PlannedRow] = []
        self.planned = 0
        self.read_problems = 0
        self.lookups = Lookups()
        self.index = FileIndex()
        self.blocks = DateBlocks()

    def on_row(self, sheet: Sheet, row: Row) -> None:
        if self.sheet is None:
            self.sheet = sheet
        elif sheet is not self.sheet:
            return  # the first filled sheet is the list
        # Cells the reader could not read (a formula without stored value) fail their row.
        fresh = sheet.problems[self.read_problems :]
        self.read_problems = len(sheet.problems)
        problems = [p for p in fresh if p.row == row.number]
        if self.mapping is None:
            self.head.append((row, problems))
            if len(self.head) >= HEAD_ROWS:
                self._map()
            return
        self._plan_row(row, problems)

    def _map(self) -> None:
        head = Sheet(self.sheet.name if self.sheet else "", [row for row, _p in self.head])
        self.mapping = map_header(head, self.saved)
        self.headers = mapping_to_save(head, self.mapping)
        body, self.head = self.head[self.mapping.header_row + 1 :], []
        for row, problems in body:
            self._plan_row(row, problems)

    def _plan_row(self, row: Row, read_problems: list[Problem]) -> None:
        values, problems = _row_values(row, self.mapping, self.lookups)
        _intra_file_problems(row.number, values, problems, self.mapping, self.index)
        problems.extend(read_problems)
        self.pending.append(PlannedRow(row.number, Action.ERROR, values, problems=problems))
        if len(self.pending) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        pending, mapping = self.pending, self.mapping
        numbers = [r.values["agdref_number"] for r in pending if r.values.get("agdref_number")]
        values = mapping.columns
        # The stored values of the mapped columns only, as tuples (not model instances).
        stored = {name: "department_id" if name == "department" else name for name in values}
        read = self.persons.filter(Among("agdref_number", numbers)).values(
            "pk", "agdref_number", *set(stored.values())
        )
        mine = {person["agdref_number"]: person for person in read}
        elsewhere = set(
            self.everyone.filter(Among("agdref_number", set(numbers) - set(mine))).values_list(
                "agdref_number", flat=True
            )
        )
        for planned_row in pending:
            number = planned_row.values.get("agdref_number")
            if planned_row.problems:
                planned_row.action = Action.ERROR
            elif number in elsewhere:
                planned_row.problems.append(
                    Problem(
                        planned_row.number,
                        mapping.columns["agdref_number"],
                        _("%(number)s est le numéro d'un dossier hors de votre périmètre.")
                        % {"number": number},
                    )
                )
                planned_row.action = Action.ERROR
            elif number in mine:
                person = mine[number]
                planned_row.person_id = person["pk"]
                planned_row.changed = [
                    name
                    for name, value in planned_row.values.items()
                    if person[stored[name]] != value
                ]
                planned_row.action = Action.UPDATE if planned_row.changed else Action.UNCHANGED
            else:
                planned_row.action = Action.CREATE
        self._same_rows_again(pending, stored)
        duplicate_candidates(
            [r for r in pending if r.action == Action.CREATE], self.within, self.blocks
        )
        self.pending = []
        self.planned += len(pending)
        self.on_chunk(pending)
        if self.on_progress:
            self.on_progress(self.planned)

    def _same_rows_again(self, pending: list[PlannedRow], stored: dict[str, str]) -> None:
        """A row without AGDREF number equal, on every column of the file, to a file of the
        perimeter without number is that row imported again: unchanged, not created twice
        (issue 17: « re-importing the same file changes nothing »). A row that differs in any
        column is still created and shown « à vérifier » (two persons may share names and a
        birth date: an agent decides, on the duplicates review list)."""
        unnumbered = [
            row
            for row in pending
            if row.action == Action.CREATE and not row.values.get("agdref_number")
        ]
        if not unnumbered:
            return
        read = self.persons.filter(
            Among("last_name", {row.values["last_name"] for row in unnumbered}),
            Among("birth_date", {row.values["birth_date"] for row in unnumbered}),
        ).values("pk", "agdref_number", "anonymised_at", *set(stored.values()))
        on_file: dict[tuple, int] = {}
        for person in read:
            if not person["agdref_number"] and person["anonymised_at"] is None:
                same = tuple(person[stored[name]] for name in stored)
                on_file.setdefault(same, person["pk"])
        for row in unnumbered:
            pk = on_file.get(tuple(row.values.get(name) for name in stored))
            if pk is not None:
                row.action, row.person_id = Action.UNCHANGED, pk

    def finish(self) -> None:
        if self.mapping is None:
            if not self.head:
                raise ValidationError(
                    _("Le fichier est vide : aucune ligne à importer."), code="empty"
                )
            self._map()
        if not self.planned and not self.pending:
            raise ValidationError(
                _("Le fichier n'a que sa ligne d'en-tête : aucune personne à importer."),
                code="header_only",
            )
        self._flush()


def stream_plan(
    data,
    kind: str,
    persons,
    *,
    on_chunk: Callable[[list[PlannedRow]], None],
    saved_mapping=None,
    everyone=None,
    within=None,
    on_progress: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> tuple[Mapping, dict[str, str]]:
    """Read the file row by row and plan it chunk by chunk (`on_chunk`); ValidationError
    (French) when it cannot be read or mapped. `persons` are those the importer may update
    (its perimeter), `everyone` all persons (an AGDREF number of another perimeter is an
    error, not a new file), `within` the persons searched for duplicates (default: `persons`).
    Returns the mapping and the headers to save for the organisation."""
    chunk = chunk or CHUNK
    planner = _Planner(
        persons,
        everyone=everyone,
        within=within,
        saved=saved_mapping,
        on_chunk=on_chunk,
        on_progress=on_progress,
        chunk=chunk,
    )
    with collector.bulk_work():
        read_rows(
            data,
            kind,
            max_rows=MAX_ROWS + 1,  # 100,000 persons and their header row
            on_row=planner.on_row,
            max_sheet_bytes=MAX_SHEET_XML_BYTES,
        )
        planner.finish()
    return planner.mapping, planner.headers


def read_plan(
    data, kind: str, persons, *, saved_mapping=None, on_progress=None, chunk: int | None = None
) -> Plan:
    """The whole plan in memory (small files, tests); large files use `stream_plan`."""
    rows: list[PlannedRow] = []
    mapping, headers = stream_plan(
        data,
        kind,
        persons,
        on_chunk=rows.extend,
        saved_mapping=saved_mapping,
        on_progress=on_progress,
        chunk=chunk,
    )
    return Plan(rows, mapping, headers)


@dataclass
class Preview:
    """What the preview keeps of a streamed plan: counts, the first messages, the first rows
    « à vérifier », the mapping (not the rows)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTION_LABELS, 0))
    problems: list[Problem] = field(default_factory=list)
    review: list[PlannedRow] = field(default_factory=list)
    mapping: Mapping | None = None
    mapping_headers: dict[str, str] = field(default_factory=dict)
    limit: int = 500

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, rows: list[PlannedRow]) -> None:
        for row in rows:
            self.counts[row.action] += 1
            if row.problems and len(self.problems) < self.limit:
                self.problems.extend(row.problems[: self.limit - len(self.problems)])
            if row.candidates and len(self.review) < self.limit:
                self.review.append(row)


def preview(
    data, kind: str, persons, *, saved_mapping=None, on_progress=None, plan_out=None
) -> Preview:
    """Plan the file without keeping its rows (the background preview of large files).

    `plan_out` (a binary file open for writing): the rows to write are stored there, chunk
    by chunk (`PlanWriter`), for `commit_stored` to replay them without planning again."""
    result = Preview()
    writer = PlanWriter(plan_out) if plan_out is not None else None

    def on_chunk(rows):
        result.add(rows)
        if writer is not None:
            writer.add(rows)

    result.mapping, result.mapping_headers = stream_plan(
        data,
        kind,
        persons,
        on_chunk=on_chunk,
        saved_mapping=saved_mapping,
        on_progress=on_progress,
    )
    return result


# ---------------------------------------------------------------------------------------------
# 4. Commit
# ---------------------------------------------------------------------------------------------

IMPORT_REASON = gettext_lazy("Import d'un fichier de personnes")


def _refuse_errors(errors: int) -> None:
    if errors:
        raise ValidationError(
            _("Rien n'a été importé : %(count)s ligne(s) en erreur. Corrigez le fichier.")
            % {"count": errors},
            code="rows_in_error",
        )


def write_rows(rows: list[PlannedRow], *, actor) -> None:
    """Write one planned chunk through the person services' bulk path (people.services):
    the creations in one INSERT, the « à vérifier » pairs on the review list, the updates
    with their history rows (reason: IMPORT_REASON)."""
    from parcours.people import services  # the one writer of Person (issue 13)

    creates = [row for row in rows if row.action == Action.CREATE]
    if creates:
        persons = services.create_persons_bulk([row.values for row in creates], actor=actor)
        # « À vérifier » in the preview: an agent merges or marks them distinct.
        services.record_duplicates_bulk(
            [
                (p, row.candidates)
                for p, row in zip(persons, creates, strict=True)
                if row.candidates
            ],
            actor=actor,
        )
    updates = [
        (row.person_id, {name: row.values[name] for name in row.changed})
        for row in rows
        if row.action == Action.UPDATE
    ]
    if updates:
        services.update_persons_bulk(updates, actor=actor, reason=str(IMPORT_REASON))


def commit(plan: Plan, *, actor, on_progress=None, chunk: int | None = None) -> dict[str, int]:
    """Write a plan held in memory in one transaction; refuse it with any error.

    Nothing is written when a row is in error, or when the process stops half-way (the
    transaction is rolled back, and the same file can be imported again).
    """
    _refuse_errors(plan.count(Action.ERROR))
    chunk = chunk or CHUNK
    with collector.bulk_work(), transaction.atomic():
        for start in range(0, len(plan.rows), chunk):
            write_rows(plan.rows[start : start + chunk], actor=actor)
            if on_progress:
                on_progress(min(start + chunk, len(plan.rows)))
    return plan.counts


def commit_file(
    data,
    kind: str,
    persons,
    *,
    actor,
    saved_mapping=None,
    on_progress=None,
    chunk: int | None = None,
) -> Preview:
    """The commit pass of a large file: read and plan it again row by row, inside ONE
    transaction, writing each chunk as it is planned. A row in error (the file or the files
    on record changed since the preview) stops the writing and rolls everything back; a
    process killed half-way leaves nothing either (the transaction is never committed)."""
    result = Preview()

    def write(rows):
        result.add(rows)
        if not result.counts[Action.ERROR]:
            write_rows(rows, actor=actor)

    with transaction.atomic():
        result.mapping, result.mapping_headers = stream_plan(
            data,
            kind,
            persons,
            on_chunk=write,
            saved_mapping=saved_mapping,
            on_progress=on_progress,
            chunk=chunk,
        )
        _refuse_errors(result.counts[Action.ERROR])
    return result


# ---------------------------------------------------------------------------------------------
# 5. The preview's plan, stored and replayed
# ---------------------------------------------------------------------------------------------


def plan_generation() -> str:
    """What a plan depends on beyond the file: the persons on record (how many, the last id,
    the last write, the last anonymisation) and the départements a cell may name. Every write
    of a person goes through people.services, which sets updated_at; a deletion (a merge)
    lowers the count or comes with a write of the kept file. Two equal generations: a plan
    computed under the first is still true under the second."""
    on_record = Person._base_manager.aggregate(
        count=Count("pk"),
        last=Max("pk"),
        written=Max("updated_at"),
        anonymised=Max("anonymised_at"),
    )
    departments = hashlib.sha256(
        repr(list(Department.objects.order_by("pk").values_list("pk", "code", "name"))).encode()
    ).hexdigest()[:16]
    return "{count}:{last}:{written}:{anonymised}:".format(**on_record) + departments


def file_digest(stream) -> str:
    """SHA-256 of an uploaded file, read by blocks."""
    digest = hashlib.sha256()
    stream.seek(0)
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


@dataclass(frozen=True)
class _StoredPerson:
    pk: int


@dataclass(frozen=True)
class _StoredCandidate:
    """What record_duplicates_bulk reads of a duplicates.Candidate."""

    person: _StoredPerson
    score: float
    reasons: tuple[str, ...]


def _encode_values(values: dict) -> dict:
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in values.items()
    }


def _decode_values(values: dict) -> dict:
    if values.get("birth_date"):
        values["birth_date"] = datetime.date.fromisoformat(values["birth_date"])
    return values


class PlanWriter:
    """Stores the rows a commit writes (to create, to update), one JSON line per chunk: the
    values checked, the person matched, the columns changed, the candidates found. Rows
    unchanged and in error are only counted by the preview (a plan with errors is never
    committed)."""

    def __init__(self, out):
        self.out = out

    def add(self, rows: list[PlannedRow]) -> None:
        stored = []
        for row in rows:
            if row.action == Action.CREATE:
                candidates = [
                    [c.person.pk, c.score, [str(r) for r in c.reasons]] for c in row.candidates
                ]
                stored.append(["c", row.number, _encode_values(row.values), candidates])
            elif row.action == Action.UPDATE:
                changed = {name: row.values[name] for name in row.changed}
                stored.append(["u", row.number, row.person_id, _encode_values(changed)])
        # The rows of the chunk counted too: the commit's progress is in rows of the file.
        line = {"planned": len(rows), "rows": stored}
        self.out.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")


def _stored_rows(entries: list) -> list[PlannedRow]:
    rows = []
    for entry in entries:
        if entry[0] == "c":
            _tag, number, values, candidates = entry
            rows.append(
                PlannedRow(
                    number,
                    Action.CREATE,
                    _decode_values(values),
                    candidates=[
                        _StoredCandidate(_StoredPerson(pk), score, tuple(reasons))
                        for pk, score, reasons in candidates
                    ],
                )
            )
        else:
            _tag, number, person_id, changed = entry
            changed = _decode_values(changed)
            rows.append(
                PlannedRow(number, Action.UPDATE, changed, person_id, changed=list(changed))
            )
    return rows


def commit_stored(plan_in, *, actor, total: int, on_progress=None) -> None:
    """Write the plan the preview stored (`PlanWriter`), chunk by chunk, in ONE transaction:
    the caller has checked that the file and the persons on record are those the preview
    read (`plan_generation`). The services check again what they always check (the files
    locked, the AGDREF numbers unique, the values valid): all or nothing."""
    done = 0
    with collector.bulk_work(), transaction.atomic():
        for line in plan_in:
            chunk = json.loads(line)
            write_rows(_stored_rows(chunk["rows"]), actor=actor)
            done += chunk["planned"]
            if on_progress:
                on_progress(min(done, total))


def describe(problem: Problem) -> str:
    if problem.column is None:  # a row-level message (the same person twice in the file)
        return _("Ligne %(row)s : %(message)s") % {"row": problem.row, "message": problem.message}
    return _("Ligne %(row)s, colonne %(column)s : %(message)s") % {
        "row": problem.row,
        "column": column_letter(problem.column),
        "message": problem.message,
    }
