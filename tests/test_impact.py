"""Impact of the experiment (issue 20 part 5): two cohorts with hand-made situation histories,
every figure at 3, 6 and 12 months checked by hand, the comparison groups, the protection
outside the DT, and the page (permissions, query counts, XLSX export)."""

import datetime
from html import unescape

import pytest

from parcours.indicators.bands import DEFAULT_BANDS
from parcours.indicators.impact import (
    COHORT,
    Group,
    add_months,
    compare_groups,
    compute_impact,
    observable_horizons,
    publish,
)
from parcours.indicators.periods import Month
from parcours.indicators.tables import TOTAL
from parcours.organisations.roles import Role
from parcours.people import services
from parcours.reception.models import Contract, EmploymentCheck
from tests.factories import PersonFactory, UserFactory, directorate, membership_for
from tests.factories_reception import ConvocationFactory, SessionFactory, metz_experiment

pytestmark = pytest.mark.django_db

day = datetime.date
TODAY = day(2027, 3, 1)
JANUARY, NOVEMBER = Month(2026, 1), Month(2025, 11)


def fake_shortage(region_code, on):
    """A shortage list of the Grand Est (44) valid from 1 April 2026 (issue 20 part 2's
    callable, faked)."""
    if region_code == "44" and on >= day(2026, 4, 1):
        return frozenset({"J1501", "K2204"})
    return frozenset()


def _present(person, session):
    return ConvocationFactory(person=person, session=session, status="present")


def _update(person, author, kind, on, **values):
    services.record_situation(
        person,
        {"kind": kind, "occurred_on": on, **values},
        actor=author.user,
        organisation=author.organisation,
        today=TODAY,
    )


@pytest.fixture
def cohorts():
    """Metz, January 2026 (during the experiment, 6 people) and November 2025 (before it, 2
    people); Strasbourg, January 2026 (no experiment, 1 person)."""
    metz_experiment()
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    january = SessionFactory(date=day(2026, 1, 13))
    november = SessionFactory(date=day(2025, 11, 18))
    people = {}

    # p1: nobody recorded anything.
    people["p1"] = PersonFactory(sex="F", birth_date=day(1995, 6, 1))
    # p2: in work (CDI) at the CIP interview of the reception day, no update.
    people["p2"] = PersonFactory(sex="H", birth_date=day(1985, 6, 1))
    # p3: a CDD in a shortage occupation from 1 February, ended on 31 May.
    people["p3"] = PersonFactory(sex="F", birth_date=day(2003, 6, 1))
    # p4: on the 6-month day itself, a job then its end (recorded in that order).
    people["p4"] = PersonFactory(sex="H", birth_date=day(1975, 6, 1))
    # p5: training from 1 March to 1 December; registered at FT after the 12-month day.
    people["p5"] = PersonFactory(sex="F", birth_date=day(1990, 6, 1))
    # p6: sex unknown, registered at FT on 1 March 2026 as copied on the CIR.
    people["p6"] = PersonFactory(
        sex="X", birth_date=None, ft_registered=True, ft_registration_date=day(2026, 3, 1)
    )
    for name in ("p1", "p2", "p3", "p4", "p5", "p6"):
        convocation = _present(people[name], january)
        if name == "p2":
            EmploymentCheck.objects.create(
                convocation=convocation, counsellor=UserFactory(), situation="cdi", in_scope=False
            )
        if name == "p6":
            Contract.objects.create(
                person=people[name],
                convocation=convocation,
                signed_on=january.date,
                signed_by=auditor.user,
            )
    _update(people["p3"], auditor, "job", day(2026, 2, 1), contract_type="cdd", rome_code="J1501")
    _update(people["p3"], auditor, "contract_end", day(2026, 5, 31))
    six_months = add_months(day(2026, 1, 13), 6)
    _update(people["p4"], auditor, "job", six_months, contract_type="interim", rome_code="N1103")
    _update(people["p4"], auditor, "contract_end", six_months)
    _update(people["p5"], auditor, "training", day(2026, 3, 1), training_kind="vocational")
    _update(people["p5"], auditor, "training_end", day(2026, 12, 1))
    _update(people["p5"], auditor, "ft_registration", day(2027, 1, 20))

    # p7: received in November, again in January (counted in November only); a CDI in a
    # shortage occupation from 1 June 2026.
    people["p7"] = PersonFactory(sex="F", birth_date=day(1997, 6, 1))
    _present(people["p7"], november)
    _present(people["p7"], january)
    _update(people["p7"], auditor, "job", day(2026, 6, 1), contract_type="cdi", rome_code="J1501")
    # p8: registered at France Travail on 10 January 2026.
    people["p8"] = PersonFactory(sex="H", birth_date=day(1980, 6, 1))
    _present(people["p8"], november)
    _update(people["p8"], auditor, "ft_registration", day(2026, 1, 10))
    # p9: convoked but absent: in no cohort.
    ConvocationFactory(person=PersonFactory(), session=november, status="absent")

    # p10, DT Strasbourg (no experiment): a job in a shortage occupation from February.
    strasbourg = directorate("strasbourg")
    people["p10"] = PersonFactory(sex="H", birth_date=day(1990, 6, 1))
    _present(people["p10"], SessionFactory(directorate=strasbourg, date=day(2026, 1, 20)))
    other = membership_for(Role.INTEGRATION_AUDITOR, directorate_code="strasbourg")
    _update(
        people["p10"], other, "job", day(2026, 2, 1), contract_type="alternance", rome_code="K2204"
    )
    return people


def _compute(today=TODAY, **kwargs):
    directorates = [directorate("metz"), directorate("strasbourg")]
    return compute_impact(
        directorates, NOVEMBER, JANUARY, today=today, bands=DEFAULT_BANDS, **kwargs
    )


def _totals(figures):
    return {code: table.grand_total for code, table in figures.tables.items()}


def test_every_impact_figure_at_3_6_and_12_months(cohorts):
    metz_november, metz_january, strasbourg_january = _compute(shortage_codes=fake_shortage)
    assert (metz_january.month, metz_january.group) == (JANUARY, Group.DURING)
    assert _totals(metz_january) == {
        COHORT: 6,
        # 13 April 2026: p2 (CDI at the interview), p3 (CDD, shortage); p5 in training;
        # p6 registered (CIR copy of 1 March).
        "employed_3m": 2,
        "training_3m": 1,
        "ft_3m": 1,
        "shortage_3m": 1,
        # 13 July 2026: p3's contract ended; p4's job and its end on that very day: not in
        # work; p5 still in training.
        "employed_6m": 1,
        "training_6m": 1,
        "ft_6m": 1,
        "shortage_6m": 0,
        # 13 January 2027: p5's training ended; her registration of 20 January is after.
        "employed_12m": 1,
        "training_12m": 0,
        "ft_12m": 1,
        "shortage_12m": 0,
    }
    assert (metz_november.month, metz_november.group) == (NOVEMBER, Group.BEFORE)
    assert _totals(metz_november) == {
        COHORT: 2,
        "employed_3m": 0,
        "training_3m": 0,
        "ft_3m": 1,
        "shortage_3m": 0,
        "employed_6m": 0,
        "training_6m": 0,
        "ft_6m": 1,
        "shortage_6m": 0,
        # 18 November 2026: p7's CDI since June, in the list valid since April.
        "employed_12m": 1,
        "training_12m": 0,
        "ft_12m": 1,
        "shortage_12m": 1,
    }
    assert strasbourg_january.group == Group.WITHOUT
    assert _totals(strasbourg_january) == {
        COHORT: 1,
        **{f"employed_{h}m": 1 for h in (3, 6, 12)},
        **{f"shortage_{h}m": 1 for h in (3, 6, 12)},
        **{f"{m}_{h}m": 0 for m in ("training", "ft") for h in (3, 6, 12)},
    }


def test_the_figures_are_by_sex_and_age_band_at_the_reception_day(cohorts):
    _november, january, _strasbourg = _compute(shortage_codes=fake_shortage)
    band = DEFAULT_BANDS.band_for
    cohort = january.tables[COHORT]
    assert cohort.row_total("F") == 3 and cohort.row_total("H") == 2
    assert cohort.get("X", "unknown") == 1  # sex and age unknown: a real cell, never dropped
    assert january.tables["employed_3m"].get("F", band(22)) == 1  # p3
    assert january.tables["employed_3m"].get("H", band(40)) == 1  # p2
    assert january.tables["ft_3m"].get("X", "unknown") == 1  # p6


def test_the_imported_shortage_list_gives_the_same_figures_as_its_hand_made_twin(cohorts):
    """The page's source of shortage codes (parcours.employment.shortage), fed the same
    Grand Est list as `fake_shortage` through a real import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parcours.employment import shortage

    rows = ["Région;Code ROME;Du;Au", "44;J1501;01/04/2026;", "44;K2204;01/04/2026;"]
    shortage.import_list(
        SimpleUploadedFile("liste.csv", "\n".join(rows).encode()),
        "csv",
        source_reference="Arrêté du 21 mai 2025 (JO du 22 mai 2025)",
    )
    imported = _compute(shortage_codes=shortage.shortage_codes)
    by_hand = _compute(shortage_codes=fake_shortage)
    assert [_totals(f) for f in imported] == [_totals(f) for f in by_hand]
    assert any(_totals(f)["shortage_3m"] for f in imported)


def test_without_a_shortage_list_nobody_is_in_a_shortage_occupation(cohorts):
    for figures in _compute():
        assert all(figures.tables[f"shortage_{h}m"].grand_total == 0 for h in (3, 6, 12))


def test_a_horizon_is_shown_once_the_whole_cohort_reached_it(cohorts):
    assert observable_horizons(JANUARY, day(2026, 7, 31)) == (3, 6)
    assert observable_horizons(JANUARY, day(2026, 7, 30)) == (3,)
    _november, january, _strasbourg = _compute(today=day(2026, 8, 1))
    assert january.horizons == (3, 6)
    assert "employed_12m" not in january.tables


def test_the_groups_are_compared_inside_the_dt(cohorts):
    groups = compare_groups(_compute(shortage_codes=fake_shortage))
    assert list(groups) == [Group.BEFORE, Group.DURING, Group.WITHOUT]
    assert (
        groups[Group.BEFORE]["employed_12m"].count,
        groups[Group.BEFORE]["employed_12m"].base,
    ) == (1, 2)
    assert groups[Group.DURING]["employed_3m"].share == pytest.approx(2 / 6)
    assert groups[Group.WITHOUT]["employed_6m"].share == 1


def test_outside_the_dt_small_counts_are_hidden_and_shares_follow(cohorts):
    published = publish(_compute(shortage_codes=fake_shortage), threshold=4)
    for cohort in published:
        assert not cohort.refused
        for code, table in cohort.tables.items():
            for row in table.table.row_codes + [TOTAL]:
                for column in table.table.column_codes + [TOTAL]:
                    value = table.value(row, column)
                    assert value is None or value == 0 or value > 4, (code, row, column)
        if cohort.total("employed_3m") is None:
            assert cohort.share("employed_3m") is None
    exact = publish(_compute(shortage_codes=fake_shortage), threshold=None)
    assert exact[1].share("employed_3m") == pytest.approx(2 / 6)


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(day(2026, 1, 31), 1) == day(2026, 2, 28)
    assert add_months(day(2025, 11, 18), 12) == day(2026, 11, 18)
    assert add_months(day(2026, 10, 5), 3) == day(2027, 1, 5)


# ---------------------------------------------------------------------------------------------
# The page and its export
# ---------------------------------------------------------------------------------------------

PAGE = "/impact/?debut=2025-11&fin=2026-01"


def _client(role, **kwargs):
    from tests.permissions_walk import signed_in_client

    return signed_in_client(role, **kwargs)


def test_the_dt_reads_its_cohorts_exactly_with_the_groups_compared(cohorts):
    response = _client(Role.DT_DIRECTOR).get(PAGE)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Pendant l'expérimentation" in html and "Avant l'expérimentation" in html
    assert "33 %" in html  # January: 2 of 6 in work at 3 months (p2, p3)
    assert "Strasbourg" not in html  # another DT's figures are not the DT's to read


def test_the_dreets_reads_protected_cohorts_recorded_for_its_region(cohorts):
    from parcours.indicators.models import ReleaseRecord

    response = _client(Role.REGIONAL_VIEWER).get(PAGE)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "secret statistique" in html
    assert "Comparaison avant" not in html  # pooled sums stay inside the DT (ADR 0006)
    records = ReleaseRecord.objects.filter(report_code="impact")
    assert {r.month for r in records} == {day(2025, 11, 1), day(2026, 1, 1)}


@pytest.mark.parametrize(
    "role", [Role.RECEPTION_AGENT, Role.DT_ADMIN, Role.PARTNER_ADMIN, Role.NATIONAL_ADMIN]
)
def test_other_roles_are_refused(role):
    assert _client(role).get("/impact/").status_code == 403
    assert _client(role).get("/impact/export.xlsx").status_code == 403


@pytest.mark.parametrize("query", ["debut=2026-13", "debut=2026-02&fin=2026-01", "debut=9999-01"])
def test_bad_filters_give_a_french_message(query):
    response = _client(Role.DT_DIRECTOR).get(f"/impact/?{query}")
    assert response.status_code == 400
    assert "mois" in response.content.decode()


def test_the_xlsx_export_holds_every_table_by_sex_and_age_band(cohorts):
    import io

    from openpyxl import load_workbook

    response = _client(Role.DT_DIRECTOR).get(PAGE.replace("/impact/", "/impact/export.xlsx"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "DT",
        "Cohorte",
        "Période",
        "Indicateur",
        "Sexe",
        "Tranche d'âge",
        "Effectif",
    )
    totals = {(r[1], r[3]): r[6] for r in rows[1:] if r[4] == "Total" and r[5] == "Total"}
    assert totals[("2026-01", "Personnes reçues")] == 6
    assert totals[("2026-01", "En emploi à 3 mois")] == 2
    assert totals[("2025-11", "Inscrites à France Travail à 6 mois")] == 1


def test_the_impact_page_runs_the_same_statements_with_more_people(cohorts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(Role.DT_DIRECTOR)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as before:
        assert client.get(PAGE).status_code == 200
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    session = SessionFactory(date=day(2026, 1, 20))
    for index in range(5):
        person = PersonFactory(sex="F" if index % 2 else "H")
        _present(person, session)
        _update(person, auditor, "job", day(2026, 2, 2), contract_type="cdi", rome_code="J1501")
    with CaptureQueriesContext(connection) as after:
        assert client.get(PAGE).status_code == 200
    assert len(after) == len(before)
    assert len(before) <= 20
