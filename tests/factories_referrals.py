"""Factories for the referrals module: schemes with their rules, referrals in any state."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from parcours.organisations.roles import OrganisationKind, Role
from parcours.people.models import INTERNATIONAL_PROTECTION_STATUSES, LanguageLevel
from parcours.referrals import services
from parcours.referrals.models import InformationSession, Scheme, SchemeKind
from parcours.referrals.states import Origin
from parcours.territories.models import Department
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, membership_for


def departments(*codes: str):
    return list(Department.objects.filter(code__in=codes))


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = Scheme
        skip_postgeneration_save = True

    organisation = factory.SubFactory(
        OrganisationFactory, name="France Travail Metz", kind=OrganisationKind.FRANCE_TRAVAIL
    )
    name = factory.Sequence(lambda n: f"Dispositif {n}")
    kind = SchemeKind.EMPLOYMENT_SUPPORT
    description = "Accompagnement vers l'emploi."
    contact_email = "contact@partenaire.example.org"

    @factory.post_generation
    def served(obj, create, extracted, **kwargs):
        if create:
            obj.departments.set(departments(*(extracted or ("57",))))

    class Params:
        epide = factory.Trait(
            organisation=factory.SubFactory(
                OrganisationFactory, name="Epide Strasbourg", kind=OrganisationKind.EPIDE
            ),
            name="Epide Strasbourg – parcours d'insertion",
            kind=SchemeKind.EPIDE,
            capacity=120,
            min_age=17,
            max_age=25,
            min_level=LanguageLevel.A2,
            level_waiver_allowed=True,
        )
        agir = factory.Trait(
            organisation=factory.SubFactory(
                OrganisationFactory, name="AMLI – AGIR 57", kind=OrganisationKind.AGIR_OPERATOR
            ),
            name="AGIR 57",
            kind=SchemeKind.AGIR,
            allowed_residence_statuses=sorted(INTERNATIONAL_PROTECTION_STATUSES),
        )


def partner_membership(scheme: Scheme, role: str = Role.PARTNER_COUNSELLOR):
    """A partner staff membership in the organisation that runs `scheme`."""
    return MembershipFactory(organisation=scheme.organisation, role=role)


def auditor(directorate_code: str = "metz"):
    return membership_for(Role.INTEGRATION_AUDITOR, directorate_code=directorate_code)


def make_referral(
    scheme: Scheme | None = None,
    person=None,
    *,
    state: str = "sent",
    by=None,
    now: datetime.datetime | None = None,
    **kwargs,
):
    """A referral brought to `state` through the real services (so its log is complete).

    state: draft, sent, accepted (or waitlisted when full), refused, entered, completed,
    dropped_out, withdrawn, expired.
    """
    scheme = scheme or SchemeFactory()
    person = person or PersonFactory(department=scheme.departments.first())
    by = by or auditor(person.directorate.code)
    now = now or timezone.now()
    referral = services.create_referral(
        person,
        scheme,
        by=by.user,
        organisation=by.organisation,
        origin=kwargs.pop("origin", Origin.PERSON_FILE),
        consent=state != "draft",
        send=state != "draft",
        now=now,
        **kwargs,
    )
    if state in ("draft", "sent"):
        return referral
    if state == "expired":
        services.expire_referral(referral, now=now + datetime.timedelta(days=scheme.expiry_days))
        referral.refresh_from_db()
        return referral
    if state == "withdrawn":
        return services.withdraw_referral(referral, by=by.user, organisation=by.organisation)
    partner = partner_membership(scheme)
    answer = {"by": partner.user, "organisation": partner.organisation}
    if state == "refused":
        return services.refuse_referral(referral, reason="unreachable", **answer)
    referral = services.accept_referral(referral, **answer)
    if state in ("accepted", "waitlisted"):
        return referral
    today = timezone.localdate()
    referral = services.record_entry(referral, entered_on=today, **answer)
    if state == "entered":
        return referral
    return services.record_exit(
        referral,
        exited_on=today,
        completed=state == "completed",
        reason="" if state == "completed" else "moved",
        **answer,
    )


class InformationSessionFactory(DjangoModelFactory):
    class Meta:
        model = InformationSession

    organisation = factory.SubFactory(
        OrganisationFactory,
        name="CFP02 – Centre de formation personnalisée de l'Aisne",
        kind=OrganisationKind.TRAINING,
    )
    venue = factory.SubFactory(
        OrganisationFactory,
        name="Centre de formation linguistique de Laon",
        kind=OrganisationKind.TRAINING,
    )
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    start_time = datetime.time(14, 0)
    courses_ending_from = factory.LazyAttribute(lambda o: o.date)
    courses_ending_until = factory.LazyAttribute(lambda o: o.date + datetime.timedelta(days=30))
    created_by = factory.LazyFunction(lambda: MembershipFactory().user)
