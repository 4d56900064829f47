"""Approving a month's report: freezing its figures, and comparing them with live figures.

Issue 5, item 5: the DT director approves a month; the approved figures are frozen and shown
as approved; later corrections of the records show as "modifié depuis la validation" with the
difference; a re-approval is a new version, logged with its reason (STYLE.md, DHIS2).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.indicators import checks
from parcours.indicators.bands import AgeBandSet
from parcours.indicators.definitions import ReportDefinition
from parcours.indicators.frozen import check_copies_before
from parcours.indicators.models import MonthlyApproval
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import ComputedReport, DirectorateRef, compute_report
from parcours.indicators.tables import TOTAL, CrossTable


def current_approvals(
    report_code: str, directorate_ids: Iterable[int], period: Period
) -> dict[tuple[int, Month], MonthlyApproval]:
    """The approval in force of each (directorate, month) of the period, in one query."""
    rows = (
        MonthlyApproval.objects.filter(
            report_code=report_code,
            directorate_id__in=list(directorate_ids),
            month__gte=period.start,
            month__lt=period.end_exclusive,
        )
        .select_related("approved_by")
        .order_by("directorate_id", "month", "version")
    )
    current: dict[tuple[int, Month], MonthlyApproval] = {}
    for approval in rows:
        current[(approval.directorate_id, Month.of(approval.month))] = approval  # last wins
    return current


def approval_history(report_code: str, directorate_id: int, month: Month):
    return (
        MonthlyApproval.objects.for_month(directorate_id, month.first_day, report_code)
        .select_related("approved_by")
        .order_by("-version")
    )


def frozen_tables(approval: MonthlyApproval) -> dict[str, CrossTable]:
    return {code: CrossTable.from_dict(data) for code, data in approval.figures.items()}


@dataclass(frozen=True)
class CellChange:
    indicator_code: str
    indicator_label: str
    row_label: str
    column_label: str
    approved: int
    live: int

    @property
    def difference(self) -> int:
        return self.live - self.approved


def changes_since_approval(
    definition: ReportDefinition, approval: MonthlyApproval, live: dict[str, CrossTable]
) -> list[CellChange]:
    """Every value (cells and totals) that differs between the frozen and the live figures."""
    frozen = frozen_tables(approval)
    changes = []
    for indicator in definition.indicators:
        before = frozen.get(indicator.code)
        after = live.get(indicator.code)
        if before is None or after is None:
            continue
        # Labels in the reader's language, from the live table (the frozen one has codes).
        row_labels = dict(after.rows) | {TOTAL: _("Total")}
        column_labels = dict(after.columns) | {TOTAL: _("Total")}
        for row in before.row_codes + [TOTAL]:
            for column in before.column_codes + [TOTAL]:
                old, new = before.value(row, column), after.value(row, column)
                if old != new:
                    changes.append(
                        CellChange(
                            indicator.code,
                            str(indicator.label),
                            str(row_labels.get(row, row)),
                            str(column_labels.get(column, column)),
                            old,
                            new,
                        )
                    )
    return changes


def live_tables_with_frozen_bands(
    definition: ReportDefinition, approval: MonthlyApproval, directorate
) -> dict[str, CrossTable]:
    """Today's figures of the approved month, by the bands the approval used (one query)."""
    month = Month.of(approval.month)
    computed = compute_report(
        definition,
        [DirectorateRef.of(directorate)],
        Period.single(month),
        AgeBandSet.from_dict(approval.bands),
    )
    return {
        indicator.code: computed.monthly_table(indicator.code, directorate.pk, month)
        for indicator in definition.indicators
    }


def _cells(figures: dict) -> dict:
    # Only counts are compared (approvals stored before codes only also carry labels).
    return {code: data.get("cells", {}) for code, data in figures.items()}


def _band_codes(bands: dict) -> list:
    return [(b["code"], b["minimum"], b["maximum"]) for b in bands.get("bands", [])]


def approve_month(
    *,
    definition: ReportDefinition,
    directorate,
    month: Month,
    user,
    comment: str = "",
    today: datetime.date | None = None,
    computed: ComputedReport | None = None,
    confirmed_checks: Iterable[str] = (),
) -> MonthlyApproval:
    """Freeze the month's live figures as the next approved version.

    Refused (ValidationError, nothing written) for a month not yet over, for a re-approval
    without a comment, for a re-approval whose figures did not change, and (issue 16) for a
    month with a consistency alert (checks.py) whose code is not in `confirmed_checks`: the
    alerts confirmed are stored with the approval, so who accepted what stays on record.
    """
    today = today or timezone.localdate()
    comment = (comment or "").strip()
    if month.last_day >= today:
        raise ValidationError(
            _("Le mois de %(month)s n'est pas terminé : il pourra être validé à partir du %(day)s.")
            % {"month": month.label, "day": month.next.first_day.strftime("%d/%m/%Y")}
        )
    # Issue 13: never freeze figures read from stale copies.
    check_copies_before(directorate.pk, month)
    with transaction.atomic():
        previous = (
            MonthlyApproval.objects.for_month(directorate.pk, month.first_day, definition.code)
            .select_for_update()
            .order_by("-version")
            .first()
        )
        if computed is None or computed.period != Period.single(month):
            computed = compute_report(
                definition, [DirectorateRef.of(directorate)], Period.single(month)
            )
        figures = computed.figures(directorate.pk, month)
        alerts = checks.report_checks(computed.narrowed([directorate.pk]))
        found = [check for entry in alerts for check in entry.checks]
        unconfirmed = [check for check in found if check.code not in set(confirmed_checks)]
        if unconfirmed:
            raise ValidationError(
                _("Confirmez chaque alerte avant de valider, ou corrigez les dossiers : %(alerts)s")
                % {"alerts": " ".join(check.message for check in unconfirmed)},
                code="unconfirmed_checks",
            )
        if previous is not None:
            if not comment:
                raise ValidationError(
                    _("Ce mois a déjà été validé : indiquez ce qui a été corrigé et pourquoi.")
                )
            if _cells(previous.figures) == _cells(figures) and _band_codes(
                previous.bands
            ) == _band_codes(computed.bands.as_dict()):
                raise ValidationError(
                    _("Les chiffres n'ont pas changé depuis la validation du %(date)s.")
                    % {"date": timezone.localtime(previous.approved_at).strftime("%d/%m/%Y")}
                )
        try:
            with transaction.atomic():
                return MonthlyApproval.objects.create(
                    directorate=directorate,
                    month=month.first_day,
                    report_code=definition.code,
                    version=(previous.version + 1) if previous else 1,
                    figures=figures,
                    bands=computed.bands.as_dict(),
                    approved_by=user,
                    approved_at=timezone.now(),
                    comment=comment,
                    confirmed_checks=[
                        {"code": check.code, "message": check.message} for check in found
                    ],
                )
        except IntegrityError as error:
            # Two approvals at the same instant (SQLite has no row lock to serialise them).
            raise ValidationError(
                _("Ce mois vient d'être validé par quelqu'un d'autre : rechargez la page.")
            ) from error
