"""Approved months: frozen figures, "changed since approval" with the difference, re-approval."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from parcours.indicators.approvals import approve_month, current_approvals
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import build_document
from parcours.indicators.models import MonthlyApproval
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.indicators.tables import TOTAL
from parcours.organisations.roles import Role
from tests.factories import PersonFactory, directorate, membership_for
from tests.factories_indicators import born, check_on

pytestmark = pytest.mark.django_db

JANUARY = Month(2026, 1)
DAY = datetime.date(2026, 1, 27)
AFTER = datetime.date(2026, 2, 2)


@pytest.fixture
def director():
    return membership_for(Role.DT_DIRECTOR).user


def approve(user, comment="", month=JANUARY):
    return approve_month(
        definition=get_report(MONTHLY_REPORT),
        directorate=directorate("metz"),
        month=month,
        user=user,
        comment=comment,
        today=AFTER,
    )


def document():
    metz = directorate("metz")
    computed = compute_report(get_report(MONTHLY_REPORT), [metz], Period.single(JANUARY))
    return build_document(computed, exact=True, perimeter_label=metz.name)


def accompanied(doc):
    block = next(b for s in doc.sections for b in s.blocks if b.indicator.code == "accompanied")
    return block.published.value(TOTAL, TOTAL)


def test_approval_freezes_the_figures_and_the_bands(director):
    check_on(DAY, person=PersonFactory(sex="F", birth_date=born(30, DAY)))
    approval = approve(director)
    assert approval.version == 1
    assert approval.figures["accompanied"]["cells"] == {"F|26-45": 1}
    assert [b["code"] for b in approval.bands["bands"]] == ["0-25", "26-45", "46-64", "65+"]
    assert document().is_fully_approved


def test_approved_figures_stay_as_approved_and_corrections_show_the_difference(director):
    check_on(DAY, person=PersonFactory(sex="F", birth_date=born(30, DAY)))
    approve(director)
    check_on(DAY, person=PersonFactory(sex="H", birth_date=born(50, DAY)))  # late correction
    doc = document()
    assert accompanied(doc) == 1  # still the approved figure
    [status] = doc.changed_statuses
    changes = {(c.indicator_code, c.row_label, c.column_label): c for c in status.changes}
    change = changes[("accompanied", "Hommes", "46 à 64 ans")]
    assert (change.approved, change.live, change.difference) == (0, 1, 1)
    assert changes[("accompanied", "Total", "Total")].difference == 1


def test_re_approval_needs_a_reason_and_is_logged_as_a_new_version(director):
    check_on(DAY)
    approve(director)
    check_on(DAY)
    with pytest.raises(ValidationError, match="indiquez ce qui a été corrigé"):
        approve(director)
    second = approve(director, comment="Deux entretiens saisis en retard.")
    assert second.version == 2
    assert list(MonthlyApproval.objects.order_by("version").values_list("version", "comment")) == [
        (1, ""),
        (2, "Deux entretiens saisis en retard."),
    ]
    assert accompanied(document()) == 2
    assert not document().changed_statuses


def test_re_approving_unchanged_figures_is_refused(director):
    check_on(DAY)
    approve(director)
    with pytest.raises(ValidationError, match="n'ont pas changé"):
        approve(director, comment="Pour voir.")
    assert MonthlyApproval.objects.count() == 1


def test_a_month_not_over_cannot_be_approved(director):
    with pytest.raises(ValidationError, match="n'est pas terminé"):
        approve_month(
            definition=get_report(MONTHLY_REPORT),
            directorate=directorate("metz"),
            month=JANUARY,
            user=director,
            today=datetime.date(2026, 1, 31),
        )
    assert not MonthlyApproval.objects.exists()


def test_the_current_approval_is_the_latest_version(director):
    check_on(DAY)
    approve(director)
    check_on(DAY)
    approve(director, comment="Correction.")
    metz = directorate("metz")
    current = current_approvals(MONTHLY_REPORT, [metz.pk], Period.single(JANUARY))
    assert current[(metz.pk, JANUARY)].version == 2
    assert MonthlyApproval.objects.current().get().version == 2


def test_outside_the_dt_the_approved_figures_are_the_ones_published(director):
    for _ in range(6):
        check_on(DAY)
    approve(director)
    check_on(DAY)  # a seventh person recorded after approval
    metz = directorate("metz")
    computed = compute_report(get_report(MONTHLY_REPORT), [metz], Period.single(JANUARY))
    protected = build_document(computed, exact=False, perimeter_label="Grand Est")
    assert accompanied(protected) == 6
    assert not protected.changed_statuses  # the difference is the DT's business only
