"""Issue 6, done when: the indicators of a past month are identical before and after the
retention task anonymises everyone in it."""

import datetime

import pytest

from parcours.indicators.definitions import all_reports
from parcours.indicators.periods import Period
from parcours.indicators.reports import compute_report
from parcours.people.models import Person
from parcours.privacy.retention import run_retention
from tests.factories import directorate
from tests.factories_referrals import make_referral
from tests.test_indicators_seed_day import enter_the_day

pytestmark = pytest.mark.django_db


def every_figure(metz):
    """All tables of every registered report, for DT Metz, each month of 2026."""
    figures = {}
    period = Period.year(2026)
    for definition in all_reports():
        report = compute_report(definition, [metz], period)
        for month in period.months:
            figures[(definition.code, str(month))] = report.figures(metz.id, month)
    return figures


def test_every_report_is_the_same_before_and_after_everyone_is_anonymised():
    enter_the_day()
    # Referrals in every state too, dated in January 2026, so the funnel counts something.
    when = datetime.datetime(2026, 1, 28, 10, tzinfo=datetime.UTC)
    for state in ["sent", "accepted", "refused", "entered", "completed", "dropped_out"]:
        make_referral(state=state, now=when)
    metz = directorate("metz")
    before = every_figure(metz)
    january = before[("monthly", "2026-01")]
    assert sum(january["accompanied"]["cells"].values()) == 21

    # Thirty-six months after the last step, every file of the scenario has expired.
    reports = run_retention(now=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), dry_run=False)
    assert sum(report.count for report in reports) > 0
    assert not Person.objects.filter(anonymised_at__isnull=True).exists()
    assert set(Person.objects.values_list("last_name", flat=True)) == {"ANONYME"}

    assert every_figure(metz) == before
