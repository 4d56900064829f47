"""Factories for the partnership tests: the Metz experiment of seed 001, built as the DT would.

The call, the applications, the decision and the agreement go through partnerships.services,
so their transitions are logged as in real use. The call's dates are not in the seed (it names
the AMI, not its calendar): those below are ours, before the agreement's start.
"""

import datetime
from decimal import Decimal

from parcours.indicators.models import Audience, ReportRecipient
from parcours.organisations.models import Organisation
from parcours.organisations.roles import OrganisationKind, Role
from parcours.partnerships import services
from parcours.partnerships.models import (
    AgreementKind,
    Call,
    Contact,
    ReportingDuty,
    Theme,
    WorkingGroup,
)
from parcours.territories.models import Department
from tests.factories import OrganisationFactory, directorate, membership_for

AMLI = "AMLI – AGIR 57"
# Seed 001: "2 de nos 4 opérateurs" for DT Metz; only AMLI is named, the others are ours.
OTHER_OPERATORS = ["Opérateur AGIR 54", "Opérateur AGIR 55", "Opérateur AGIR 88"]
AGREEMENT_START = datetime.date(2025, 12, 8)
AGREEMENT_END = datetime.date(2026, 11, 30)
CEILING = Decimal("62000")


def operator(name: str, department_code: str) -> Organisation:
    organisation = OrganisationFactory(name=name, kind=OrganisationKind.AGIR_OPERATOR)
    organisation.departments.add(Department.objects.get(code=department_code))
    return organisation


def metz_operators() -> list[Organisation]:
    return [operator(AMLI, "57")] + [operator(name, name[-2:]) for name in OTHER_OPERATORS]


def metz_experiment(director=None, dreets=None):
    """The AMI, the 4 operators, 2 applications, AMLI selected, the agreement signed and
    running with its monthly duty to the DT (exact) and the DREETS (protected)."""
    director = director or membership_for(Role.DT_DIRECTOR)
    dreets = dreets or membership_for(Role.REGIONAL_VIEWER)
    operators = metz_operators()
    metz = directorate("metz")
    call = Call.objects.create(
        title="AMI – CIP France Travail à la plateforme d'accueil",
        issuer=dreets.organisation,
        published_on=datetime.date(2025, 9, 15),
        closes_on=datetime.date(2025, 10, 31),
        criteria="Présence du CIP à chaque PFA ; inscription France Travail sur place.",
    )
    call.directorates.set([metz, directorate("reims"), directorate("strasbourg")])
    call.invited.set(operators)
    actor = {"by": director.user, "organisation": director.organisation}
    amli_application = services.submit_application(
        call,
        applicant=operators[0],
        directorate=metz,
        submitted_on=datetime.date(2025, 10, 20),
        **actor,
    )
    other_application = services.submit_application(
        call,
        applicant=operators[1],
        directorate=metz,
        submitted_on=datetime.date(2025, 10, 30),
        **actor,
    )
    services.decide_application(
        amli_application,
        selected=True,
        score=86,
        reasons="Opérateur AGIR du département, CIP recrutable avant janvier.",
        decided_on=datetime.date(2025, 11, 14),
        **actor,
    )
    services.decide_application(
        other_application,
        selected=False,
        score=61,
        reasons="Projet hors de la Moselle, où se tiennent les PFA de la DT.",
        decided_on=datetime.date(2025, 11, 14),
        **actor,
    )
    agreement = services.agreement_from_selection(
        amli_application,
        title="Convention AMLI – CIP à la PFA de Metz",
        kind=AgreementKind.SUBSIDY,
        theme=Theme.EMPLOYMENT,
        purpose="Un CIP à la PFA : présentation collective, entretiens, inscriptions FT.",
        starts_on=AGREEMENT_START,
        ends_on=AGREEMENT_END,
        ceiling=CEILING,
        **actor,
    )
    services.change_agreement_status(agreement, "sign", signed_on=AGREEMENT_START, **actor)
    services.change_agreement_status(agreement, "start", **actor)
    duty = ReportingDuty.objects.create(agreement=agreement)
    duty.recipients.set(
        [
            ReportRecipient.objects.create(
                directorate=metz, email="direction@metz.example.org", audience=Audience.DIRECTORATE
            ),
            ReportRecipient.objects.create(
                directorate=metz, email="dreets@grand-est.example.org", audience=Audience.DREETS
            ),
        ]
    )
    agreement.refresh_from_db()
    return {
        "call": call,
        "operators": operators,
        "applications": [amli_application, other_application],
        "agreement": agreement,
        "duty": duty,
        "director": director,
        "dreets": dreets,
    }


def fle_group(chair=None, members=(), directorate_code="strasbourg") -> WorkingGroup:
    """The SPIE's FLE group, chaired by the DT (seed 000)."""
    chair = chair or OrganisationFactory(dt=True, directorate=directorate(directorate_code))
    group = WorkingGroup.objects.create(
        name="Groupe FLE à visée professionnelle",
        theme=Theme.LANGUAGE,
        body="SPIE de la Collectivité européenne d'Alsace",
        chair=chair,
    )
    group.members.set([chair, *members])
    group.directorates.set([directorate(directorate_code)])
    return group


def contact(organisation, **fields) -> Contact:
    values = {
        "full_name": "Camille Dupont",
        "job_title": "Chargée de mission",
        "email": "camille.dupont@partenaire.example.org",
        **fields,
    }
    return Contact.objects.create(organisation=organisation, **values)
