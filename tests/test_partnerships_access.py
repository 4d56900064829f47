"""Who sees which agreement, call, group and action (by role and by id), the partner network
of a DT and of the DREETS with its exports, and the contacts' retention."""

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from parcours.organisations.roles import OrganisationKind, Role
from parcours.partnerships import services
from parcours.partnerships.models import Agreement, AgreementKind, Contact, Theme
from parcours.partnerships.privacy import apply_contact_retention
from parcours.partnerships.states import ActionStatus
from parcours.territories.models import Department, Region
from tests.factories import MembershipFactory, OrganisationFactory, directorate
from tests.factories_partnerships import contact, fle_group, metz_experiment
from tests.factories_referrals import SchemeFactory, make_referral
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def epide_agreement(user):
    epide = OrganisationFactory(name="Epide Strasbourg", kind=OrganisationKind.EPIDE)
    epide.departments.set(Department.objects.filter(code__in=["67", "68"]))
    return services.create_agreement(
        by=user,
        partners=[epide],
        directorates=[directorate("strasbourg")],
        title="Partenariat Epide Strasbourg",
        kind=AgreementKind.PARTNERSHIP,
        theme=Theme.EMPLOYMENT,
        purpose="Orientation des jeunes BPI de 17 à 25 ans vers l'Epide.",
        starts_on=datetime.date(2021, 9, 21),
    )


def test_partners_see_only_the_agreements_they_are_party_to(client_for):
    world = metz_experiment()
    other = epide_agreement(world["director"].user)
    amli = client_for(Role.PARTNER_ADMIN)  # a membership of AMLI – AGIR 57
    index = page_text(amli.get("/partenariats/"))
    assert world["agreement"].title in index and other.title not in index
    assert amli.get(f"/partenariats/conventions/{world['agreement'].pk}/").status_code == 200
    assert amli.get(f"/partenariats/conventions/{other.pk}/").status_code == 404
    counsellor = client_for(Role.PARTNER_COUNSELLOR)
    assert counsellor.get(f"/partenariats/conventions/{other.pk}/").status_code == 404
    # Partners read the agreement; they never change it.
    assert (
        amli.post(f"/partenariats/conventions/{world['agreement'].pk}/versements/", {})
    ).status_code == 403


@pytest.mark.parametrize(
    ("role", "directorate_code", "status"),
    [
        (Role.DT_DIRECTOR, "metz", 200),
        (Role.INTEGRATION_AUDITOR, "metz", 200),
        (Role.DT_DIRECTOR, "strasbourg", 404),
        (Role.REGIONAL_VIEWER, "metz", 200),
        (Role.NATIONAL_ADMIN, "metz", 200),
        (Role.RECEPTION_AGENT, "metz", 403),
    ],
)
def test_dt_staff_see_their_dts_agreements_and_the_dreets_its_regions(
    client_for, role, directorate_code, status
):
    world = metz_experiment()
    client = client_for(role, directorate_code=directorate_code)
    assert client.get(f"/partenariats/conventions/{world['agreement'].pk}/").status_code == status


def test_a_dreets_of_another_region_sees_nothing_of_metz():
    world = metz_experiment()
    hdf = OrganisationFactory(
        kind=OrganisationKind.DREETS,
        name="DREETS Hauts-de-France",
        region=Region.objects.get(code="32"),
    )
    client = signed_in(MembershipFactory(organisation=hdf, role=Role.REGIONAL_VIEWER))
    assert client.get(f"/partenariats/conventions/{world['agreement'].pk}/").status_code == 404
    assert client.get(f"/partenariats/appels/{world['call'].pk}/").status_code == 404


def test_a_partner_reads_its_own_application_never_a_competitors(client_for):
    world = metz_experiment()
    amli = client_for(Role.PARTNER_ADMIN)
    text = page_text(amli.get(f"/partenariats/appels/{world['call'].pk}/"))
    assert "Opérateur AGIR du département" in text  # its own reasons
    assert "Opérateur AGIR 54" not in text.split("Candidatures")[1]
    assert "hors de la Moselle" not in text and "61 / 100" not in text
    director = page_text(
        signed_in(world["director"]).get(f"/partenariats/appels/{world['call'].pk}/")
    )
    assert "hors de la Moselle" in director and "61 / 100" in director


def test_partners_see_only_the_groups_they_belong_to_and_close_only_their_actions(client_for):
    world = metz_experiment()
    amli, other_operator = world["operators"][0], world["operators"][1]
    group = fle_group(members=[amli, other_operator], directorate_code="metz")
    outside = fle_group(members=[other_operator], directorate_code="metz")
    outside.name = "Groupe logement"
    outside.save()
    ours = services.create_action(
        group,
        title="Action d'AMLI",
        owner=amli,
        due_on=datetime.date(2026, 12, 15),
        by=world["director"].user,
    )
    theirs = services.create_action(
        group,
        title="Action de l'autre opérateur",
        owner=other_operator,
        due_on=datetime.date(2026, 12, 15),
        by=world["director"].user,
    )
    client = client_for(Role.PARTNER_COUNSELLOR)
    assert client.get(f"/partenariats/groupes/{group.pk}/").status_code == 200
    assert client.get(f"/partenariats/groupes/{outside.pk}/").status_code == 404
    assert "Groupe logement" not in page_text(client.get("/partenariats/"))
    listed = page_text(client.get("/partenariats/actions/"))
    assert "Action d'AMLI" in listed.split("Confiées aux autres")[0]
    assert client.post(f"/partenariats/actions/{theirs.pk}/etat/").status_code == 403
    assert client.post(f"/partenariats/actions/{ours.pk}/etat/").status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, theirs.status) == (ActionStatus.DONE, ActionStatus.OPEN)
    assert ours.transitions.last().by_organisation == amli


def network_world():
    world = metz_experiment()
    amli = world["operators"][0]
    scheme = SchemeFactory(organisation=amli, name="AGIR 57", kind="agir")
    for state in ("sent", "accepted", "refused", "entered"):
        make_referral(scheme, state=state)
    epide = OrganisationFactory(name="Epide Strasbourg", kind=OrganisationKind.EPIDE)
    epide.departments.set(Department.objects.filter(code="67"))
    return world


def test_the_network_of_a_dt_crosses_partners_departments_themes_and_referrals(
    client_for, django_assert_max_num_queries
):
    network_world()
    client = client_for(Role.DT_DIRECTOR)
    with django_assert_max_num_queries(20):
        response = client.get("/partenariats/reseau/")
    text = page_text(response)
    assert "AMLI – AGIR 57" in text and "57 – Moselle" in text
    assert "Convention AMLI – CIP à la PFA de Metz" in text
    assert "Epide Strasbourg" not in text  # Bas-Rhin is DT Strasbourg's
    network = response.context["network"]
    amli_row = next(r for r in network.rows if r.partner.name == "AMLI – AGIR 57")
    assert (amli_row.referred, amli_row.accepted, amli_row.refused, amli_row.entered) == (
        4,
        2,
        1,
        1,
    )
    assert set(amli_row.theme_labels) == {"Emploi", "Social"}


def test_the_network_query_count_does_not_grow_with_the_network(
    client_for, django_assert_max_num_queries
):
    network_world()
    client = client_for(Role.DT_DIRECTOR)
    for index in range(5):
        partner = OrganisationFactory(name=f"Partenaire {index}", kind=OrganisationKind.TRAINING)
        partner.departments.set(Department.objects.filter(code__in=["57", "54"]))
        make_referral(SchemeFactory(organisation=partner), state="accepted")
    with django_assert_max_num_queries(20):
        assert client.get("/partenariats/reseau/").status_code == 200


def test_the_dreets_sees_the_network_of_its_region_and_exports_it(client_for):
    network_world()
    client = client_for(Role.REGIONAL_VIEWER)
    text = page_text(client.get("/partenariats/reseau/"))
    assert "AMLI – AGIR 57" in text and "Epide Strasbourg" in text
    csv = client.get("/partenariats/reseau/export.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "AMLI – AGIR 57" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/partenariats/reseau/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "AMLI – AGIR 57" in values and 4 in values
    ods = client.get("/partenariats/reseau/export.ods")
    assert ods.content.startswith(b"PK")
    assert client.get("/partenariats/reseau/export.pdf").status_code == 404
    assert client_for(Role.PARTNER_ADMIN).get("/partenariats/reseau/").status_code == 403


def test_contacts_not_confirmed_within_the_period_are_deleted_by_retention():
    organisation = OrganisationFactory(name="CAF du Bas-Rhin", kind=OrganisationKind.CAF)
    old = contact(organisation, confirmed_on=datetime.date(2024, 1, 10))
    fresh = contact(organisation, full_name="Léa Martin", confirmed_on=timezone.localdate())
    now = timezone.now()
    dry = apply_contact_retention(now, 24, dry_run=True)
    assert dry.count == 1 and dry.items[0][0] == old.pk
    assert Contact.objects.count() == 2
    applied = apply_contact_retention(now, 24, dry_run=False)
    assert applied.applied and list(Contact.objects.all()) == [fresh]


def test_a_contact_without_email_nor_phone_is_refused(client_for):
    client = client_for(Role.DT_DIRECTOR)
    ft = OrganisationFactory(name="France Travail Metz", kind=OrganisationKind.FRANCE_TRAVAIL)
    ft.departments.set(Department.objects.filter(code="57"))
    response = client.post(
        "/partenariats/contacts/nouveau/",
        {"organisation": ft.pk, "full_name": "Jean Morel", "job_title": "Conseiller"},
    )
    assert response.status_code == 302
    assert not Contact.objects.exists()
    client.post(
        "/partenariats/contacts/nouveau/",
        {
            "organisation": ft.pk,
            "full_name": "Jean Morel",
            "job_title": "Conseiller",
            "phone": "03 87 00 00 00",
        },
    )
    assert Contact.objects.get().organisation == ft
    assert Agreement.objects.count() == 0
