"""Factories for tests: build realistic objects with one line, with traits where useful."""

import datetime

import factory
from factory.django import DjangoModelFactory

from parcours.accounts.models import User
from parcours.organisations.models import Membership, Organisation
from parcours.organisations.roles import OrganisationKind, Role
from parcours.people.models import Person, ResidenceStatus, Sex
from parcours.territories.models import Department, Directorate, Region

PASSWORD = "correct-horse-battery-staple"


def directorate(code: str) -> Directorate:
    """A directorate loaded by the reference-data migration (strasbourg, metz, reims, amiens)."""
    return Directorate.objects.get(code=code)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name", "kind")

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    kind = OrganisationKind.OTHER

    class Params:
        dt = factory.Trait(
            kind=OrganisationKind.OFII_DT,
            directorate=factory.LazyFunction(lambda: directorate("metz")),
            name=factory.LazyAttribute(lambda o: f"OFII – {o.directorate.name}"),
        )
        dreets = factory.Trait(
            kind=OrganisationKind.DREETS,
            region=factory.LazyFunction(lambda: Region.objects.get(code="44")),
            name="DREETS Grand Est",
        )
        headquarters = factory.Trait(kind=OrganisationKind.OFII_HQ, name="OFII – DG")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory, dt=True)
    role = Role.INTEGRATION_AUDITOR


def membership_for(role: str, *, directorate_code: str = "metz", user=None) -> Membership:
    """A membership of `role` in the organisation that fits it."""
    if role in {
        Role.RECEPTION_AGENT,
        Role.INTEGRATION_AUDITOR,
        Role.ASYLUM_AUDITOR,
        Role.DT_DIRECTOR,
        Role.DT_ADMIN,
    }:
        organisation = OrganisationFactory(dt=True, directorate=directorate(directorate_code))
    elif role == Role.REGIONAL_VIEWER:
        organisation = OrganisationFactory(dreets=True)
    elif role == Role.NATIONAL_ADMIN:
        organisation = OrganisationFactory(headquarters=True)
    else:
        organisation = OrganisationFactory(
            name="AMLI – AGIR 57", kind=OrganisationKind.AGIR_OPERATOR
        )
    kwargs = {"user": user} if user is not None else {}
    return MembershipFactory(organisation=organisation, role=role, **kwargs)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    last_name = factory.Sequence(lambda n: f"NOM{n}")
    first_names = "Amina"
    sex = Sex.FEMALE
    birth_date = datetime.date(1990, 5, 17)
    residence_status = ResidenceStatus.REFUGEE
    department = factory.LazyFunction(lambda: Department.objects.get(code="57"))
    directorate = factory.LazyAttribute(lambda o: o.department.directorate)
