"""The day's summary: the people present at a session or over dates, by situation, and exports.

Counting is rules.summarise over one query's rows; the exports (CSV with a BOM and ";" for
spreadsheet software set to French, XLSX) carry the same lines as the printable page.
"""

import datetime
import io

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from parcours.core.spreadsheets import csv_bytes
from parcours.reception.models import AttendanceStatus, Convocation
from parcours.reception.rules import Bucket, DaySummary, SeenPerson, summarise

BUCKET_LABELS = {
    Bucket.CDI: _("En CDI"),
    Bucket.CDD: _("En CDD"),
    Bucket.INTERIM: _("En intérim"),
    Bucket.TRAINING: _("En formation professionnelle"),
    Bucket.STUDENT: _("Étudiants"),
    Bucket.RSA: _("Allocataires du RSA"),
    Bucket.AGIR: _("Suivis par AGIR"),
    Bucket.ALREADY_FT: _("Déjà inscrits à France Travail"),
    Bucket.NOT_REGISTERED: _("Non inscrits à France Travail à l'arrivée"),
    Bucket.NOT_SEEN: _("Non reçus par le CIP"),
}


def summary_for(
    directorate_id, *, first: datetime.date, last: datetime.date, session_id=None
) -> DaySummary:
    """The summary of the people present at the directorate's sessions (one query)."""
    present = Convocation.objects.for_directorate(directorate_id).filter(
        session__date__gte=first,
        session__date__lte=last,
        status=AttendanceStatus.PRESENT,
    )
    if session_id is not None:
        present = present.filter(session_id=session_id)
    rows = present.values_list(
        "employment_check__situation",
        "employment_check__rsa_recipient",
        "employment_check__agir_followed",
        "employment_check__already_ft",
        "employment_check__registered_today",
    )
    return summarise(
        SeenPerson(situation or None, bool(rsa), bool(agir), bool(already_ft), bool(today))
        for situation, rsa, agir, already_ft, today in rows
    )


def summary_lines(summary: DaySummary) -> list[tuple[str, int]]:
    """The lines shown, printed and exported: each bucket, the total, today's registrations."""
    lines = [(str(BUCKET_LABELS[bucket]), summary.counts[bucket]) for bucket in Bucket.ORDER]
    lines.append((str(_("Total des personnes présentes")), summary.total))
    lines.append(
        (str(_("Dont inscrites à France Travail pendant l'entretien")), summary.registered_today)
    )
    return lines


def _header(title: str) -> list[list[str]]:
    return [[title], [str(_("Situation")), str(_("Personnes"))]]


def summary_csv(summary: DaySummary, title: str) -> bytes:
    # The title carries the session's place, typed by an agent: neutralised like any cell.
    return csv_bytes([*_header(title), *summary_lines(summary)])


def summary_xlsx(summary: DaySummary, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Récapitulatif"))
    for row in _header(title):
        sheet.append(row)
    for label, count in summary_lines(summary):
        sheet.append([label, count])
    sheet["A1"].font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 55
    sheet.column_dimensions["B"].width = 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
