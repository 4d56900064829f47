"""Memberships: roles fit organisation kinds, users switch organisation, access follows."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parcours.organisations.models import Membership
from parcours.organisations.roles import OrganisationKind, Role, role_allowed_for_kind
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, membership_for
from tests.helpers import page_text


def test_roles_fit_organisation_kinds():
    assert role_allowed_for_kind(Role.INTEGRATION_AUDITOR, OrganisationKind.OFII_DT)
    assert role_allowed_for_kind(Role.PARTNER_COUNSELLOR, OrganisationKind.EPIDE)
    assert role_allowed_for_kind(Role.REGIONAL_VIEWER, OrganisationKind.DREETS)
    assert not role_allowed_for_kind(Role.DT_DIRECTOR, OrganisationKind.EPIDE)
    assert not role_allowed_for_kind(Role.NATIONAL_ADMIN, OrganisationKind.OFII_DT)


@pytest.mark.django_db
def test_a_membership_with_a_role_foreign_to_the_organisation_is_refused():
    epide = OrganisationFactory(name="Epide Strasbourg", kind=OrganisationKind.EPIDE)
    membership = MembershipFactory.build(organisation=epide, role=Role.DT_DIRECTOR)
    with pytest.raises(ValidationError) as error:
        membership.full_clean(exclude=["user"])
    assert "role" in error.value.message_dict


@pytest.mark.django_db
def test_switching_organisation_changes_the_perimeter():
    metz = membership_for(Role.INTEGRATION_AUDITOR, directorate_code="metz")
    strasbourg = membership_for(
        Role.INTEGRATION_AUDITOR, directorate_code="strasbourg", user=metz.user
    )
    in_metz = PersonFactory(last_name="MOSELLE")
    in_strasbourg = PersonFactory(
        last_name="ALSACE",
        department_id=_department("67"),
        directorate=strasbourg.organisation.directorate,
    )
    client = Client()
    client.force_login(metz.user)

    client.post("/organisation/", {"membership": metz.pk})
    assert client.get(f"/personnes/{in_metz.pk}/").status_code == 200
    assert client.get(f"/personnes/{in_strasbourg.pk}/").status_code == 404

    response = client.post("/organisation/", {"membership": strasbourg.pk}, follow=True)
    assert "Vous agissez maintenant pour OFII – DT Strasbourg" in page_text(response)
    assert client.get(f"/personnes/{in_metz.pk}/").status_code == 404
    assert client.get(f"/personnes/{in_strasbourg.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_user_cannot_switch_to_someone_elses_membership():
    mine = membership_for(Role.RECEPTION_AGENT)
    other = membership_for(Role.DT_DIRECTOR, directorate_code="strasbourg")
    client = Client()
    client.force_login(mine.user)
    response = client.post("/organisation/", {"membership": other.pk}, follow=True)
    assert "n'existe pas ou n'est plus actif" in page_text(response)
    assert response.context["current_membership"] == mine


@pytest.mark.django_db
def test_a_deactivated_membership_no_longer_opens_its_perimeter():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory()
    client = Client()
    client.force_login(membership.user)
    assert client.get(f"/personnes/{person.pk}/").status_code == 200
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert client.get(f"/personnes/{person.pk}/").status_code == 403


@pytest.mark.django_db
def test_a_user_without_membership_sees_what_to_do():
    membership = membership_for(Role.RECEPTION_AGENT)
    Membership.objects.filter(pk=membership.pk).delete()
    client = Client()
    client.force_login(membership.user)
    response = client.get("/")
    assert "aucune organisation" in page_text(response)
    assert client.get("/personnes/").status_code == 403


def _department(code):
    from parcours.territories.models import Department

    return Department.objects.get(code=code).pk
