"""Consistency checks of a month's figures, shown before approving (issue 16, point 6).

Plain functions over plain values (the totals of one directorate's month), called by the
dashboard, the approval page and `approvals.approve_month`, which refuses to freeze a month
whose alerts were not each confirmed: a warning to confirm, never a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.indicators.periods import Month, Period

PRESENT_WITHOUT_ACCOMPANIED = "present_without_accompanied"
ATTENDANCE_UNRECORDED = "attendance_unrecorded"
ACCOMPANIED_ABOVE_PRESENT = "accompanied_above_present"


@dataclass(frozen=True)
class Check:
    """One alert on one directorate's month: a code (what is confirmed) and its text."""

    code: str
    message: str


def month_checks(totals: Mapping[str, int], *, experiment_open: bool) -> list[Check]:
    """The alerts of one directorate's month, from the grand total of each indicator.

    - Seed 001: during the CIP experiment the CIP receives the people present at the PFA, so
      people present with nobody accompanied means the CIP's interviews were not recorded.
    - The attendance indicator « présence non renseignée » says it must be completed before
      approving (catalogue.ATTENDANCE_INDICATORS).
    - The CIP receives people present at the PFA: more people accompanied than present means
      an attendance was left unrecorded or recorded as absent by mistake.
    """
    present = totals.get("present", 0)
    accompanied = totals.get("accompanied", 0)
    unrecorded = totals.get("attendance_unrecorded", 0)
    checks = []
    if experiment_open and present > 0 and accompanied == 0:
        checks.append(
            Check(
                PRESENT_WITHOUT_ACCOMPANIED,
                ngettext(
                    "%(present)s personne présente à la plateforme d'accueil, mais aucune "
                    "personne accompagnée par le CIP : les entretiens du CIP ont-ils été "
                    "enregistrés ?",
                    "%(present)s personnes présentes à la plateforme d'accueil, mais aucune "
                    "personne accompagnée par le CIP : les entretiens du CIP ont-ils été "
                    "enregistrés ?",
                    present,
                )
                % {"present": present},
            )
        )
    if unrecorded > 0:
        checks.append(
            Check(
                ATTENDANCE_UNRECORDED,
                ngettext(
                    "%(count)s convocation dont la présence n'est pas pointée.",
                    "%(count)s convocations dont la présence n'est pas pointée.",
                    unrecorded,
                )
                % {"count": unrecorded},
            )
        )
    if accompanied > present:
        checks.append(
            Check(
                ACCOMPANIED_ABOVE_PRESENT,
                _(
                    "Plus de personnes accompagnées par le CIP (%(accompanied)s) que de présents "
                    "à la plateforme d'accueil (%(present)s) : une présence manque-t-elle ?"
                )
                % {"accompanied": accompanied, "present": present},
            )
        )
    return checks


def experiment_months(directorate_ids: Iterable[int], period: Period) -> set[tuple[int, Month]]:
    """(directorate id, month) pairs during which a CIP experiment ran, in one query.

    Read through the app registry: the reception app sits below indicators but may be left
    out of an installation (catalogue.register_builtin_reports does the same).
    """
    if not apps.is_installed("parcours.reception"):
        return set()
    experiment = apps.get_model("reception", "CipExperiment")
    rows = experiment.objects.filter(
        directorate_id__in=list(directorate_ids),
        starts_on__lt=period.end_exclusive,
        ends_on__gte=period.start,
    ).values_list("directorate_id", "starts_on", "ends_on")
    found = set()
    for directorate_id, starts_on, ends_on in rows:
        for month in period.months:
            if starts_on <= month.last_day and ends_on >= month.first_day:
                found.add((directorate_id, month))
    return found


@dataclass(frozen=True)
class MonthAlerts:
    directorate_id: int
    directorate_name: str
    month: Month
    checks: list[Check]


def report_checks(computed, experiments: set[tuple[int, Month]] | None = None):
    """The alerts of every directorate's month of a computed report (exact, live figures)."""
    if experiments is None:
        experiments = experiment_months([d.id for d in computed.directorates], computed.period)
    found = []
    for directorate in computed.directorates:
        for month in computed.period.months:
            totals = {
                indicator.code: computed.monthly_table(
                    indicator.code, directorate.id, month
                ).grand_total
                for indicator in computed.definition.indicators
            }
            checks = month_checks(totals, experiment_open=(directorate.id, month) in experiments)
            if checks:
                found.append(MonthAlerts(directorate.id, directorate.name, month, checks))
    return found
