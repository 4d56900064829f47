"""Issue 17 part 2: the monthly report through the API is the page's, for the token's viewer.

A DT reads its exact figures, a DREETS the protected release the XLSX export gives (and the
release is recorded for it), a partner is refused the DTs' report, bad parameters get a
French problem document and a release that cannot be protected is refused (409), not sent.
"""

import pytest
from django.db import connection
from django.test import Client

from parcours.indicators import disclosure, release
from parcours.indicators.models import ReleaseRecord
from parcours.organisations.roles import Role
from tests.factories import directorate, membership_for
from tests.factories_api import bearer, token_key
from tests.test_indicators_release_end_to_end import (
    JANUARY,
    QUERY,
    small_months,
    tables_in,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/indicators/"
MONTH = {"start": str(JANUARY), "end": str(JANUARY)}


def api_client(role, **kwargs):
    membership = membership_for(role, **kwargs)
    return Client(**bearer(token_key(membership))), membership


def printed(cell) -> str:
    return "s" if cell["value"] is None else str(cell["value"])


def api_tables(body) -> dict[str, list[list[str]]]:
    """Caption → the table's lines as the files print them (label, cells, total; « s »)."""
    return {
        table["caption"]: [
            [row["label"]] + [printed(c) for c in row["cells"]] + [printed(row["total"])]
            for row in [*table["rows"], table["totals"]]
        ]
        for indicator in body["indicators"]
        for table in indicator["tables"]
    }


def test_a_dt_token_reads_the_exact_figures_of_its_page(client_for):
    small_months()
    token, membership = api_client(Role.DT_DIRECTOR)
    response = token.get(URL, MONTH)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exact"] is True
    assert body["perimeter"] == "DT Metz"
    assert body["period"] == {"start": "2026-01", "end": "2026-01", "label": JANUARY.label}

    page = client_for(Role.DT_DIRECTOR).get("/chiffres/" + QUERY)
    document = page.context["board"].document
    expected = {
        block.caption: [
            [str(line["label"])] + [str(v) for v in line["cells"]] + [str(line["total"])]
            for line in block.published.lines()
        ]
        for section in document.sections
        for block in section.blocks
    }
    assert api_tables(body) == expected
    # Exact: the small counts of Metz are there, nothing is marked secret.
    flags = {
        c["flag"]
        for i in body["indicators"]
        for t in i["tables"]
        for r in [*t["rows"], t["totals"]]
        for c in [*r["cells"], r["total"]]
    }
    assert flags == {None}
    assert [i["code"] for i in body["indicators"]] == [
        i.code for s in document.sections for i in s.indicators
    ]
    assert not ReleaseRecord.objects.exists()  # nothing left the DT


def test_a_dreets_token_reads_the_protected_release_of_the_export_and_it_is_recorded(client_for):
    small_months()
    release.clear_cache()
    token, _membership = api_client(Role.REGIONAL_VIEWER)
    assert not ReleaseRecord.objects.exists()
    response = token.get(URL, MONTH)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exact"] is False
    # Recorded for the DREETS exactly like a page view: one row per DT of the region.
    records = ReleaseRecord.objects.filter(month=JANUARY.first_day)
    assert {r.directorate.code for r in records} == {"metz", "reims", "strasbourg"}
    metz = records.get(directorate__code="metz")
    assert metz.hidden, "DT Metz's small counts were released hidden"

    tables = api_tables(body)
    assert any("s" in line for lines in tables.values() for line in lines)
    export = client_for(Role.REGIONAL_VIEWER).get("/chiffres/export.xlsx" + QUERY)
    assert tables == tables_in(xlsx_rows(export.content))
    hidden = [
        c
        for i in body["indicators"]
        for t in i["tables"]
        for r in t["rows"]
        for c in r["cells"]
        if c["value"] is None
    ]
    assert hidden and all(c["flag"] == "s" for c in hidden)


def test_a_dreets_token_narrows_to_one_dt_of_its_region():
    small_months()
    token, _membership = api_client(Role.REGIONAL_VIEWER)
    reims = directorate("reims")
    body = token.get(URL, {**MONTH, "directorate": reims.pk}).json()
    assert body["perimeter"] == "DT Reims"
    assert {t["directorate"]["name"] for i in body["indicators"] for t in i["tables"]} == {
        "DT Reims"
    }


@pytest.mark.parametrize("role", [Role.PARTNER_ADMIN, Role.PARTNER_COUNSELLOR])
def test_a_partner_token_cannot_read_a_dts_report(role):
    small_months()
    token, _membership = api_client(role)
    response = token.get(URL, MONTH)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "indicators" not in response.json()
    assert not ReleaseRecord.objects.exists()


def test_a_dt_token_cannot_read_another_dt():
    token, _membership = api_client(Role.DT_DIRECTOR)
    response = token.get(URL, {**MONTH, "directorate": directorate("reims").pk})
    assert response.status_code == 400
    assert response.json()["errors"]["directorate"] == [
        "Cette direction territoriale n'est pas dans votre périmètre."
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-13"}, "start", "Saisissez un mois sous la forme AAAA-MM"),
        ({"start": "janvier"}, "start", "Saisissez un mois sous la forme AAAA-MM"),
        ({"start": "1999-12"}, "start", "Choisissez un mois entre 2000-01 et 2099-12"),
        ({}, "start", "Ce champ est obligatoire"),
        ({"start": "2026-03", "end": "2026-01"}, "end", "Le mois de fin doit suivre"),
        ({"start": "2024-01", "end": "2026-01"}, "end", "24 mois au plus"),
        ({"start": "2026-01", "directorate": "x"}, "directorate", "entier valide"),
    ],
)
def test_bad_parameters_get_a_french_400(params, field, message):
    token, _membership = api_client(Role.DT_DIRECTOR)
    response = token.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert message in problem["detail"]
    assert message in problem["errors"][field][0]


def test_a_release_that_cannot_be_protected_is_refused_with_409(monkeypatch):
    small_months()
    release.clear_cache()

    def impossible(*args, **kwargs):
        raise disclosure.Unprotectable("forced")

    monkeypatch.setattr(release, "protect", impossible)
    token, _membership = api_client(Role.REGIONAL_VIEWER)
    response = token.get(URL, MONTH)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "ne peuvent pas être publiés hors de la DT" in response.json()["detail"]
    assert not ReleaseRecord.objects.exists()


# DT: one exact table per indicator; DREETS: one per DT of its region (3) and month (6).
@pytest.mark.parametrize(
    ("role", "queries", "tables"), [(Role.DT_DIRECTOR, 5, 1), (Role.REGIONAL_VIEWER, 8, 18)]
)
def test_the_report_costs_the_same_queries_for_six_months(
    role, queries, tables, django_assert_max_num_queries
):
    """Token, report, approvals, releases received and recorded: not one per DT or month."""
    small_months()
    token, _membership = api_client(role)
    # On PostgreSQL the report's query runs with its planner settings (indicators/db.py):
    # a savepoint, SET LOCAL and its release around it.
    tuning = 3 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(queries + tuning):
        response = token.get(URL, {"start": "2026-01", "end": "2026-06"})
    assert response.status_code == 200
    assert len(response.json()["indicators"][0]["tables"]) == tables
