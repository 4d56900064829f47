"""The coverage page by quarter; employers edited and deactivated, positions closed (issue 20)."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from parcours.employment import services
from parcours.employment.models import Employer, Occupation, Position
from parcours.indicators.models import ReleaseRecord
from parcours.referrals import services as referral_services
from parcours.referrals.services import ReferralError
from parcours.referrals.states import ReferralStatus
from tests.factories import PersonFactory
from tests.factories_referrals import auditor, partner_membership
from tests.permissions_walk import signed_in_client
from tests.test_employment import GRAND_EST, _employer, _import

pytestmark = pytest.mark.django_db

COVERAGE = "/impact/metiers-en-tension/"


def _this_quarter() -> str:
    today = timezone.localdate()
    return f"{today.year}-T{(today.month - 1) // 3 + 1}"


def _refer(position, count, referrer):
    for _n in range(count):
        services.refer_to_position(
            PersonFactory(),
            position,
            by=referrer.user,
            organisation=referrer.organisation,
            consent=True,
        )


@pytest.fixture
def positions():
    """A masonry position (in shortage in Grand Est) and a bakery one (not) in Metz."""
    _import([[GRAND_EST, "F17", "01/01/2025", ""]])
    employer = _employer()
    masonry = services.open_position(
        employer, Occupation.objects.get(code="F1703"), title="Maçon", seats=None
    )
    bakery = services.open_position(
        employer, Occupation.objects.get(code="D1102"), title="Boulanger", seats=None
    )
    return masonry, bakery


def test_the_dt_reads_its_quarter_exactly_with_the_share_and_tables(positions):
    masonry, bakery = positions
    referrer = auditor()
    _refer(masonry, 1, referrer)
    _refer(bakery, 2, referrer)
    client = signed_in_client("dt_director")
    response = client.get(COVERAGE, {"trimestre": _this_quarter()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Orientations vers les métiers en tension" in page
    assert "1 / 3" in page  # one of the three people oriented went to a shortage occupation
    assert "33,3 %" in page
    assert "Femme" in page  # the tables by sex and age band
    # Exact figures stay in the DT: nothing is recorded as released.
    assert not ReleaseRecord.objects.filter(report_code="employment").exists()
    # Another quarter has nobody oriented.
    page = client.get(COVERAGE, {"trimestre": "2025-T1"}).content.decode()
    assert "1 / 3" not in page and "0 / 0" in page


def test_the_dreets_reads_protected_months_and_each_release_is_recorded(positions):
    masonry, bakery = positions
    referrer = auditor()
    _refer(masonry, 1, referrer)
    _refer(bakery, 2, referrer)
    response = signed_in_client("regional_viewer").get(COVERAGE, {"trimestre": _this_quarter()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 / 3" not in page and "33,3 %" not in page  # small counts are hidden
    assert "secret statistique" in page
    records = ReleaseRecord.objects.filter(
        report_code="employment", directorate_id=masonry.employer.directorate_id
    )
    assert records.count() == 3  # each month of the quarter, released to the region
    assert {r.audience for r in records} == {f"region:{masonry.employer.department.region_id}"}


def test_the_export_is_exact_for_the_dt_and_protected_for_the_dreets(positions):
    masonry, bakery = positions
    referrer = auditor()
    _refer(masonry, 1, referrer)
    _refer(bakery, 2, referrer)
    query = {"trimestre": _this_quarter()}
    exact = signed_in_client("dt_director").get(COVERAGE + "export.xlsx", query)
    assert exact.status_code == 200
    assert "exact" in exact["Content-Disposition"]
    sheet_text = " ".join(
        str(cell)
        for sheet in load_workbook(io.BytesIO(exact.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert "métier en tension" in sheet_text
    protected = signed_in_client("regional_viewer").get(COVERAGE + "export.xlsx", query)
    assert protected.status_code == 200
    assert "protege" in protected["Content-Disposition"]


def test_a_bad_quarter_or_directorate_is_a_clear_message_not_an_error():
    client = signed_in_client("dt_director")
    for query in ({"trimestre": "2026-T5"}, {"trimestre": "hier"}, {"dt": "x1"}):
        response = client.get(COVERAGE, query)
        assert response.status_code == 400
        assert "trimestre" in response.content.decode() or "Direction" in response.content.decode()
    assert client.get(COVERAGE + "export.xlsx", {"trimestre": "1999-T1"}).status_code == 400
    assert not ReleaseRecord.objects.exists()


@pytest.mark.parametrize("role", ["dt_director", "regional_viewer"])
def test_the_coverage_page_runs_a_fixed_number_of_queries(positions, role):
    masonry, bakery = positions
    referrer = auditor()
    client = signed_in_client(role)
    query = {"trimestre": _this_quarter()}
    client.get(COVERAGE, query)  # warm the session and caches
    counts = []
    for more in (1, 6):
        _refer(masonry, more, referrer)
        _refer(bakery, more, referrer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(COVERAGE, query).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20, counts


def test_the_impact_page_links_to_the_coverage_page():
    page = signed_in_client("dt_director").get("/impact/").content.decode()
    assert COVERAGE in page


# Employers and positions --------------------------------------------------------------------


def test_an_employer_is_edited_from_its_page_and_a_bad_siret_changes_nothing():
    employer = _employer()
    client = signed_in_client("dt_director")
    url = f"/emploi/employeurs/{employer.pk}/modifier/"
    page = client.get(url).content.decode()
    assert "Bâtiment Lorrain" in page
    form = {
        "name": "Bâtiment Lorrain SAS",
        "siret": "732 829 320 00074",
        "department": employer.department_id,
        "intermediary": employer.intermediary_id,
        "employers_club": "on",
    }
    assert client.post(url, form).status_code == 302
    employer.refresh_from_db()
    assert employer.name == "Bâtiment Lorrain SAS" and employer.employers_club
    assert not employer.trains_on_working_time
    response = client.post(url, {**form, "name": "Autre nom", "siret": "73282932000075"})
    assert response.status_code == 200 and "clé de contrôle" in response.content.decode()
    employer.refresh_from_db()
    assert employer.name == "Bâtiment Lorrain SAS" and employer.siret == "73282932000074"


def test_an_employer_of_another_dt_cannot_be_edited_nor_deactivated():
    employer = _employer()
    client = signed_in_client("dt_director", directorate_code="amiens")
    assert client.get(f"/emploi/employeurs/{employer.pk}/modifier/").status_code in (302, 404)
    assert client.post(f"/emploi/employeurs/{employer.pk}/desactiver/").status_code in (302, 404)
    employer.refresh_from_db()
    assert employer.is_active


def test_deactivating_an_employer_closes_its_positions_and_frees_nothing_accepted():
    employer = _employer()
    position = services.open_position(
        employer, Occupation.objects.get(code="F1703"), title="Maçon VRD", seats=1
    )
    referrer = auditor()
    accepted_person, waiting_person, late_person = PersonFactory(), PersonFactory(), PersonFactory()
    accepted = services.refer_to_position(
        accepted_person,
        position,
        by=referrer.user,
        organisation=referrer.organisation,
        consent=True,
    )
    waiting = services.refer_to_position(
        waiting_person, position, by=referrer.user, organisation=referrer.organisation, consent=True
    )
    partner = partner_membership(position.scheme)
    answer = {"by": partner.user, "organisation": partner.organisation}
    referral_services.accept_referral(accepted, **answer)
    referral_services.accept_referral(waiting, **answer)

    client = signed_in_client("dt_director")
    assert client.get(f"/emploi/employeurs/{employer.pk}/desactiver/").status_code == 405
    response = client.post(f"/emploi/employeurs/{employer.pk}/desactiver/", follow=True)
    assert "désactivé" in response.content.decode()

    employer.refresh_from_db()
    position.refresh_from_db()
    position.scheme.refresh_from_db()
    accepted.refresh_from_db()
    waiting.refresh_from_db()
    assert not employer.is_active and Employer.objects.filter(pk=employer.pk).exists()
    assert position.closed_on == timezone.localdate() and not position.scheme.is_active
    # Kept as they were: the accepted person keeps the seat, nobody is promoted.
    assert accepted.status == ReferralStatus.ACCEPTED
    assert waiting.status == ReferralStatus.WAITLISTED
    assert position.scheme.seats_taken == 1
    with pytest.raises(ReferralError):
        services.refer_to_position(
            late_person,
            position,
            by=referrer.user,
            organisation=referrer.organisation,
            consent=True,
        )
    # No new position, and a second deactivation says so without a change.
    assert (
        client.post(
            f"/emploi/employeurs/{employer.pk}/postes/",
            {"title": "Coffreur", "occupation": "F1703"},
        ).status_code
        == 200
    )
    assert Position.objects.filter(employer=employer).count() == 1
    response = client.post(f"/emploi/employeurs/{employer.pk}/desactiver/", follow=True)
    assert "déjà désactivé" in response.content.decode()
    # The list still shows it, marked, with its closed position.
    page = client.get("/emploi/employeurs/").content.decode()
    assert "Bâtiment Lorrain" in page and "fermé le" in page


def test_a_position_is_closed_from_the_list_and_the_other_stays_open(positions):
    masonry, bakery = positions
    client = signed_in_client("dt_director")
    page = client.get("/emploi/employeurs/").content.decode()
    assert f"/emploi/postes/{masonry.pk}/fermer/" in page
    response = client.post(f"/emploi/postes/{masonry.pk}/fermer/", follow=True)
    assert "fermé" in response.content.decode()
    masonry.refresh_from_db()
    bakery.refresh_from_db()
    assert masonry.closed_on is not None and not masonry.scheme.is_active
    assert bakery.closed_on is None and bakery.scheme.is_active
    assert masonry.employer.is_active
    response = client.post(f"/emploi/postes/{masonry.pk}/fermer/", follow=True)
    assert "déjà fermé" in response.content.decode()


@pytest.mark.parametrize("role", ["reception_agent", "integration_auditor", "partner_admin"])
def test_only_managers_edit_deactivate_and_close(positions, role):
    masonry, _bakery = positions
    employer = masonry.employer
    client = signed_in_client(role)
    assert client.post(f"/emploi/employeurs/{employer.pk}/desactiver/").status_code == 403
    assert client.post(f"/emploi/postes/{masonry.pk}/fermer/").status_code == 403
    assert client.get(f"/emploi/employeurs/{employer.pk}/modifier/").status_code == 403
    employer.refresh_from_db()
    masonry.refresh_from_db()
    assert employer.is_active and masonry.closed_on is None
