"""Demo data of the figures: recipients of the monthly report, and January 2026 approved.

Idempotent: recipients are matched on (DT, address); the approval is made only once.
"""

from parcours.accounts.models import User
from parcours.demo.steps import demo_step
from parcours.indicators.approvals import approve_month
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.models import Audience, MonthlyApproval, ReportRecipient
from parcours.indicators.periods import Month
from parcours.territories.models import Directorate

# Seed 001: the figures go to each DT and to the DREETS. Demo addresses only (.test).
RECIPIENTS = [
    ("metz", "direction-metz@demo.parcours.test", "Direction de la DT Metz", Audience.DIRECTORATE),
    ("metz", "dreets-grand-est@demo.parcours.test", "DREETS Grand Est", Audience.DREETS),
    ("strasbourg", "dreets-grand-est@demo.parcours.test", "DREETS Grand Est", Audience.DREETS),
    ("amiens", "dreets-hdf@demo.parcours.test", "DREETS Hauts-de-France", Audience.DREETS),
]
# The month of the seed's day (27 January 2026), approved by the demo DT director.
APPROVED_MONTH = Month(2026, 1)


@demo_step
def report_recipients():
    """Who receives the monthly report of DT Metz, Strasbourg and Amiens."""
    directorates = {d.code: d for d in Directorate.objects.all()}
    for code, email, name, audience in RECIPIENTS:
        if code in directorates:
            ReportRecipient.objects.get_or_create(
                directorate=directorates[code],
                email=email,
                defaults={"name": name, "audience": audience},
            )


@demo_step
def approved_january_2026():
    """The DT Metz director approved January 2026 (the month of the seed's day)."""
    director = User.objects.filter(email="directeur@demo.parcours.test").first()
    metz = Directorate.objects.filter(code="metz").first()
    if director is None or metz is None:
        return
    if MonthlyApproval.objects.for_month(
        metz.pk, APPROVED_MONTH.first_day, MONTHLY_REPORT
    ).exists():
        return
    approve_month(
        definition=get_report(MONTHLY_REPORT),
        directorate=metz,
        month=APPROVED_MONTH,
        user=director,
    )
