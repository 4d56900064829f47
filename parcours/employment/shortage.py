"""Shortage occupations: the dated lists per region, their import, and who is concerned.

Source: order of 21 May 2025 fixing the list of occupations and geographical areas with
recruitment difficulties (published on 22 May 2025), expressed per region in professional
families with their correspondence to ROME codes. Parcours imports such a list as a version of
its source text (a new import of the same text is a new version, earlier ones are kept); the
latest version of each text is in force, and each entry holds between its own dates.

The two functions other modules call:

- `shortage_codes(region_code, on)`: the ROME codes in shortage in a region on a day,
  families expanded to their codes;
- `person_in_shortage(person, on)`: whether an occupation the person held or seeks is one of
  them in the region of the person's département.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from parcours.core.bounds import date_in_range
from parcours.core.freshness import figures_changed
from parcours.core.spreadsheet_reader import Row, find_header, read_sheets
from parcours.employment.models import (
    Occupation,
    Position,
    ProfileOccupation,
    ShortageEntry,
    ShortageList,
)
from parcours.employment.search import normalise
from parcours.employment.validators import ROME_CODE, ROME_FAMILY
from parcours.territories.models import Region

# A national list is a few thousand rows (families × 18 regions); ten times that is refused.
MAX_ROWS = 20_000
IMPORT_KINDS = ("csv", "xlsx", "ods")
# Header cells, compared without accents nor case.
_COLUMNS = {
    "region": ("region", "code region", "region insee"),
    "code": ("code rome", "rome", "famille", "code", "code ou famille"),
    "valid_from": ("du", "debut", "valable du", "en vigueur du", "date de debut"),
    "valid_until": ("au", "fin", "valable jusqu au", "en vigueur jusqu au", "date de fin"),
}


def _in_force_lists() -> Q:
    """The latest version of each source text."""
    latest = (
        ShortageList.objects.values("source_reference")
        .annotate(latest=Max("version"))
        .values_list("source_reference", "latest")
    )
    condition = Q(pk__in=[])
    for source, version in latest:
        condition |= Q(shortage_list__source_reference=source, shortage_list__version=version)
    return condition


def shortage_codes(region_code: str, on: datetime.date) -> frozenset[str]:
    """ROME occupation codes in shortage in the region (INSEE code) on `on`."""
    return shortage_calendar([region_code])(region_code, on)


def shortage_calendar(region_codes=None):
    """`shortage_codes` for many days at a fixed number of statements: the lines in force of
    the regions (all when None) are read once, then each (region, day) is answered in memory.
    For figures that ask for every person's day (the impact of the experiment)."""
    entries = ShortageEntry.objects.filter(_in_force_lists())
    if region_codes is not None:
        entries = entries.filter(region__code__in=list(region_codes))
    lines = list(
        entries.values_list("region__code", "rome_code", "family", "valid_from", "valid_until")
    )
    families = {family for _region, code, family, _start, _end in lines if not code}
    members: dict[str, set[str]] = {}
    if families:
        for code, family in Occupation.objects.filter(family__in=families).values_list(
            "code", "family"
        ):
            members.setdefault(family, set()).add(code)
    answers: dict[tuple[str, datetime.date], frozenset[str]] = {}

    def codes_on(region_code: str, on: datetime.date) -> frozenset[str]:
        key = (region_code, on)
        if key not in answers:
            codes: set[str] = set()
            for region, code, family, start, end in lines:
                if region == region_code and start <= on and (end is None or on <= end):
                    codes.update([code] if code else members.get(family, ()))
            answers[key] = frozenset(codes)
        return answers[key]

    return codes_on


def person_occupation_codes(person) -> set[str]:
    return set(
        ProfileOccupation.objects.filter(profile__person=person).values_list(
            "occupation_id", flat=True
        )
    )


def person_in_shortage(person, on: datetime.date) -> bool:
    """Whether an occupation the person held or seeks is in shortage in their region on `on`."""
    region_code = (
        Region.objects.filter(departments__pk=person.department_id)
        .values_list("code", flat=True)
        .first()
    )
    if region_code is None:
        return False
    held_or_sought = person_occupation_codes(person)
    return bool(held_or_sought) and not held_or_sought.isdisjoint(shortage_codes(region_code, on))


def persons_in_shortage(persons, on: datetime.date):
    """`persons` narrowed to those `person_in_shortage` says yes to (one query per region of
    the persons listed to find the codes, then one filter)."""
    from parcours.people.models import Person

    condition = Q(pk__in=[])
    regions = Region.objects.filter(pk__in=persons.order_by().values("department__region_id"))
    for region in regions:
        codes = shortage_codes(region.code, on)
        if codes:
            condition |= Q(
                department__region_id=region.pk,
                professional_profile__occupations__occupation_id__in=sorted(codes),
            )
    return persons.filter(pk__in=Person.objects.filter(condition).values("pk"))


def position_in_shortage(position) -> bool:
    region_code = position.employer.department.region.code
    return position.occupation_id in shortage_codes(region_code, position.opened_on)


def refresh_positions() -> int:
    """Bring every position's `in_shortage` in line with the lists in force; returns changes."""
    changed = 0
    for position in Position.objects.select_related("employer__department__region"):
        flag = position_in_shortage(position)
        if flag != position.in_shortage:
            Position.objects.filter(pk=position.pk).update(in_shortage=flag)
            changed += 1
    if changed:
        figures_changed()  # QuerySet.update sends no signal (core/freshness.py)
    return changed


# Import -------------------------------------------------------------------------------------


@dataclass
class ParsedEntry:
    region: Region
    rome_code: str
    family: str
    valid_from: datetime.date
    valid_until: datetime.date | None


def _parse_day(text: str) -> datetime.date | None:
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            day = datetime.date(int(match[3]), int(match[2]), int(match[1]))
        else:
            day = datetime.date.fromisoformat(text[:10])
    except ValueError as error:
        raise ValueError(text) from error
    if not date_in_range(day):
        raise ValueError(text)
    return day


def _header_columns(rows: list[Row]) -> tuple[int, dict[str, int]]:
    found = find_header(rows, lambda cell: normalise(cell) in _COLUMNS["region"])
    if found is None:
        raise ValidationError(
            _(
                "Colonnes introuvables : la liste doit avoir une ligne d'en-tête avec « Région », "
                "« Code ROME » (ou famille), « Du » et « Au »."
            ),
            code="no_header",
        )
    index, _column = found
    columns = {}
    for position, cell in enumerate(rows[index].cells):
        key = normalise(cell)
        for name, names in _COLUMNS.items():
            if key in names and name not in columns:
                columns[name] = position
    missing = [name for name in ("region", "code", "valid_from") if name not in columns]
    if missing:
        raise ValidationError(
            _("Colonnes manquantes : la liste doit avoir « Région », « Code ROME » et « Du »."),
            code="missing_columns",
        )
    return index, columns


def parse_rows(rows: list[Row]) -> list[ParsedEntry]:
    """The entries of a list, or ValidationError listing every bad row (nothing is saved)."""
    header, columns = _header_columns(rows)
    regions = {region.code: region for region in Region.objects.all()}
    by_name = {normalise(region.name): region for region in regions.values()}
    families = set(Occupation.objects.values_list("family", flat=True).distinct())
    codes = set(Occupation.objects.values_list("code", flat=True))
    entries, problems = [], []
    for row in rows[header + 1 :]:
        region_text = row.cell(columns["region"]).strip()
        code = row.cell(columns["code"]).strip().upper()
        region = regions.get(region_text.zfill(2)) or by_name.get(normalise(region_text))
        if region is None:
            problems.append(
                _("Ligne %(row)s : région inconnue « %(value)s ».")
                % {"row": row.number, "value": region_text}
            )
            continue
        if ROME_CODE.match(code):
            if code not in codes:
                problems.append(
                    _("Ligne %(row)s : le code ROME « %(value)s » n'existe pas.")
                    % {"row": row.number, "value": code}
                )
                continue
            rome_code, family = code, ""
        elif ROME_FAMILY.match(code) and code in families:
            rome_code, family = "", code
        else:
            problems.append(
                _(
                    "Ligne %(row)s : « %(value)s » n'est ni un code ROME (F1703) ni une famille "
                    "ROME (F17)."
                )
                % {"row": row.number, "value": code}
            )
            continue
        try:
            valid_from = _parse_day(row.cell(columns["valid_from"]))
            valid_until = (
                _parse_day(row.cell(columns["valid_until"])) if "valid_until" in columns else None
            )
        except ValueError as error:
            problems.append(
                _("Ligne %(row)s : date illisible « %(value)s » (attendu : 22/05/2025).")
                % {"row": row.number, "value": error.args[0]}
            )
            continue
        if valid_from is None:
            problems.append(_("Ligne %(row)s : date de début manquante.") % {"row": row.number})
            continue
        if valid_until is not None and valid_until < valid_from:
            problems.append(
                _("Ligne %(row)s : la date de fin précède la date de début.") % {"row": row.number}
            )
            continue
        entries.append(ParsedEntry(region, rome_code, family, valid_from, valid_until))
    if problems:
        raise ValidationError(problems[:20], code="bad_rows")
    if not entries:
        raise ValidationError(_("La liste ne contient aucune ligne."), code="empty")
    return entries


@transaction.atomic
def save_list(entries: list[ParsedEntry], *, source_reference: str, actor=None, file_name=""):
    """A new version of the list of `source_reference` (the earlier ones are kept)."""
    source_reference = " ".join(source_reference.split())
    if not source_reference:
        raise ValidationError(_("Indiquez le texte de référence de la liste."), code="no_source")
    # Under a lock, so that two imports of the same text never get the same version.
    current = (
        ShortageList.objects.select_for_update()
        .filter(source_reference=source_reference)
        .aggregate(latest=Max("version"))["latest"]
    )
    shortage_list = ShortageList.objects.create(
        source_reference=source_reference,
        version=(current or 0) + 1,
        file_name=file_name[:200],
        imported_by=actor if getattr(actor, "pk", None) else None,
    )
    ShortageEntry.objects.bulk_create(
        [
            ShortageEntry(
                shortage_list=shortage_list,
                region=entry.region,
                rome_code=entry.rome_code,
                family=entry.family,
                valid_from=entry.valid_from,
                valid_until=entry.valid_until,
            )
            for entry in entries
        ],
        batch_size=1000,
    )
    refresh_positions()
    return shortage_list


def import_list(uploaded, kind: str, *, source_reference: str, actor=None) -> ShortageList:
    """Read a spreadsheet through the house reader (ADR 0011) and save it as a new version."""
    sheets = [sheet for sheet in read_sheets(uploaded, kind, max_rows=MAX_ROWS) if sheet.rows]
    if not sheets:
        raise ValidationError(_("Le fichier ne contient aucune ligne."), code="empty")
    sheet = sheets[0]
    if sheet.problems:
        raise ValidationError([str(problem) for problem in sheet.problems[:20]], code="cells")
    entries = parse_rows(sheet.rows)
    return save_list(
        entries,
        source_reference=source_reference,
        actor=actor,
        file_name=getattr(uploaded, "name", "") or "",
    )
