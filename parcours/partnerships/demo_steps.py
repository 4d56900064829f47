"""Demo data of the partnerships: the Metz experiment (seed 001), the Epide and France Travail
partnerships and the SPIE with its FLE group (seed 000), the CFP02 partnership (seed 004).

Idempotent: each object is found by its title or name first. Names the seeds do not give (the
three other AGIR operators of DT Metz, the contacts) are fictitious and marked as such; the
AMI's own dates are not in seed 001 either and are ours, before the agreement's start.
"""

import datetime
from decimal import Decimal

from parcours.accounts.models import User
from parcours.demo.steps import demo_step
from parcours.indicators.models import ReportRecipient
from parcours.organisations.models import Organisation
from parcours.organisations.roles import OrganisationKind
from parcours.partnerships import services
from parcours.partnerships.models import (
    Agreement,
    AgreementKind,
    Call,
    Contact,
    Decision,
    GroupGoal,
    Meeting,
    ReportingDuty,
    Theme,
    WorkingGroup,
)
from parcours.referrals.models import Scheme
from parcours.referrals.system import system_user
from parcours.territories.models import Department, Directorate

AMLI = "AMLI – AGIR 57"
# Seed 001: "2 de nos 4 opérateurs" applied for DT Metz; only AMLI is named.
OTHER_OPERATORS = [
    ("Opérateur AGIR 54 (fictif)", "54"),
    ("Opérateur AGIR 55 (fictif)", "55"),
    ("Opérateur AGIR 88 (fictif)", "88"),
]
METZ_AGREEMENT = "Convention AMLI – CIP à la plateforme d'accueil de Metz"


def _actor():
    director = User.objects.filter(email="directeur@demo.parcours.test").first()
    return director or system_user()


def _organisation(name, kind, departments):
    organisation, _created = Organisation.objects.get_or_create(name=name, kind=kind)
    organisation.departments.add(*Department.objects.filter(code__in=departments))
    return organisation


def _agreement(title, *, partners, directorates, status, signed_on=None, schemes=(), **fields):
    existing = Agreement.objects.filter(title=title).first()
    if existing is not None:
        return existing
    actor = _actor()
    agreement = services.create_agreement(
        by=actor,
        partners=partners,
        directorates=directorates,
        schemes=schemes,
        title=title,
        **fields,
    )
    if status in ("signed", "running"):
        services.change_agreement_status(agreement, "sign", by=actor, signed_on=signed_on)
    if status == "running":
        services.change_agreement_status(agreement, "start", by=actor)
    return agreement


@demo_step
def metz_experiment():
    """The DREETS Grand Est AMI, the 4 AGIR operators of DT Metz, AMLI selected, its agreement."""
    dreets = Organisation.objects.filter(kind=OrganisationKind.DREETS, name="DREETS Grand Est")
    directorates = {
        d.code: d for d in Directorate.objects.filter(code__in=["metz", "reims", "strasbourg"])
    }
    amli = Organisation.objects.filter(name=AMLI).first()
    if not dreets.exists() or amli is None or "metz" not in directorates:
        return
    operators = [amli] + [
        _organisation(name, OrganisationKind.AGIR_OPERATOR, [code])
        for name, code in OTHER_OPERATORS
    ]
    call = Call.objects.filter(title__startswith="AMI DREETS Grand Est").first()
    actor = _actor()
    if call is None:
        call = Call.objects.create(
            title="AMI DREETS Grand Est – CIP France Travail à la plateforme d'accueil",
            issuer=dreets.get(),
            published_on=datetime.date(2025, 9, 15),
            closes_on=datetime.date(2025, 10, 31),
            criteria=(
                "Présence d'un CIP à chaque plateforme d'accueil (6 à 8 par semaine) ; "
                "vérification et inscription France Travail sur place ; compte rendu mensuel "
                "par sexe et tranche d'âge à la DT et à la DREETS."
            ),
        )
        call.directorates.set(directorates.values())
        call.invited.set(operators)
        metz = directorates["metz"]
        amli_application = services.submit_application(
            call,
            applicant=amli,
            directorate=metz,
            submitted_on=datetime.date(2025, 10, 20),
            by=actor,
        )
        other = services.submit_application(
            call,
            applicant=operators[1],
            directorate=metz,
            submitted_on=datetime.date(2025, 10, 30),
            by=actor,
        )
        services.decide_application(
            amli_application,
            selected=True,
            score=86,
            reasons=(
                "Opérateur AGIR de la Moselle, où se tiennent les PFA ; recrutement rapide du CIP."
            ),
            decided_on=datetime.date(2025, 11, 14),
            by=actor,
        )
        services.decide_application(
            other,
            selected=False,
            score=61,
            reasons=(
                "Projet centré sur la Meurthe-et-Moselle, sans présence prévue aux PFA de Metz."
            ),
            decided_on=datetime.date(2025, 11, 14),
            by=actor,
        )
    if Agreement.objects.filter(title=METZ_AGREEMENT).exists():
        return
    selected = call.applications.get(applicant=amli, status="selected")
    agreement = services.agreement_from_selection(
        selected,
        by=actor,
        title=METZ_AGREEMENT,
        kind=AgreementKind.SUBSIDY,
        theme=Theme.EMPLOYMENT,
        purpose=(
            "Un CIP de l'opérateur AGIR 57 à la plateforme d'accueil : présentation collective "
            "des outils France Travail, entretiens individuels, inscription sur place, "
            "accompagnement jusqu'au premier rendez-vous."
        ),
        starts_on=datetime.date(2025, 12, 8),
        ends_on=datetime.date(2026, 11, 30),
        ceiling=Decimal("62000"),
    )
    agreement.schemes.set(Scheme.objects.filter(organisation=amli))
    services.change_agreement_status(
        agreement, "sign", by=actor, signed_on=datetime.date(2025, 12, 8)
    )
    services.change_agreement_status(agreement, "start", by=actor)
    services.add_payment(
        agreement,
        amount=Decimal("31000"),
        paid_on=datetime.date(2025, 12, 19),
        label="Premier versement (montant fictif de démonstration)",
        by=actor,
    )
    duty = ReportingDuty.objects.create(agreement=agreement)
    duty.recipients.set(ReportRecipient.objects.filter(directorate__code="metz"))


@demo_step
def strasbourg_partnerships():
    """Epide since 21 September 2021, France Travail declined locally on 22 September 2021."""
    strasbourg = Directorate.objects.filter(code="strasbourg").first()
    epide = Organisation.objects.filter(name="Epide Strasbourg").first()
    if strasbourg is None or epide is None:
        return
    _agreement(
        "Partenariat OFII – Epide Strasbourg",
        partners=[epide],
        directorates=[strasbourg],
        schemes=list(Scheme.objects.filter(organisation=epide)),
        status="running",
        signed_on=datetime.date(2021, 9, 21),
        kind=AgreementKind.PARTNERSHIP,
        theme=Theme.EMPLOYMENT,
        purpose=(
            "Proposer l'Epide (17–25 ans, 120 places) aux BPI suivis en CPH, à la PFA ou lors "
            "des arrivées et renouvellements de séjour en CPH."
        ),
        starts_on=datetime.date(2021, 9, 21),
    )
    france_travail = list(
        Organisation.objects.filter(
            name__in=["France Travail Strasbourg", "France Travail Mulhouse"]
        )
    )
    if france_travail:
        _agreement(
            "Déclinaison locale de l'accord-cadre OFII – France Travail (Bas-Rhin, Haut-Rhin)",
            partners=france_travail,
            directorates=[strasbourg],
            status="running",
            signed_on=datetime.date(2021, 9, 22),
            kind=AgreementKind.LOCAL_DECLINATION,
            theme=Theme.EMPLOYMENT,
            purpose=(
                "Préciser localement les missions et attentes de chacun pour offrir plus de "
                "perspectives d'emploi aux signataires du CIR et de nouveaux viviers aux "
                "recruteurs."
            ),
            starts_on=datetime.date(2021, 9, 22),
        )


@demo_step
def spie_fle_group():
    """The SPIE of the European Collectivity of Alsace and its FLE group, led by the DT."""
    dt = Organisation.objects.filter(
        kind=OrganisationKind.OFII_DT, directorate__code="strasbourg"
    ).first()
    if (
        dt is None
        or WorkingGroup.objects.filter(name="Groupe FLE à visée professionnelle").exists()
    ):
        return
    collectivity = _organisation(
        "Collectivité européenne d'Alsace", OrganisationKind.DEPARTMENT_COUNCIL, ["67", "68"]
    )
    caf = _organisation("CAF du Bas-Rhin", OrganisationKind.CAF, ["67"])
    members = [dt, collectivity, caf] + list(
        Organisation.objects.filter(
            name__in=["France Travail Strasbourg", "France Travail Mulhouse", "Epide Strasbourg"]
        )
    )
    group = WorkingGroup.objects.create(
        name="Groupe FLE à visée professionnelle",
        theme=Theme.LANGUAGE,
        body="SPIE de la Collectivité européenne d'Alsace",
        chair=dt,
        purpose=(
            "Coordonner les actions, informer les acteurs pour qu'ils ajustent l'orientation "
            "selon les profils, faire connaître les dispositifs de l'OFII."
        ),
    )
    group.members.set(members)
    group.directorates.set(Directorate.objects.filter(code="strasbourg"))
    GroupGoal.objects.create(
        group=group,
        label="Un premier rendez-vous dans les 30 jours pour les nouveaux allocataires du RSA",
        indicator="first_appointment_30_days",
    )
    GroupGoal.objects.create(
        group=group, label="Une orientation rapide vers une activité", indicator="referral_30_days"
    )
    # Fictitious contacts: professional details only (issue 19, item 5).
    contacts = [
        Contact.objects.create(
            organisation=collectivity,
            full_name="Hélène Kieffer (fictive)",
            job_title="Cheffe de projet SPIE",
            email="spie@demo.parcours.test",
        ),
        Contact.objects.create(
            organisation=caf,
            full_name="Marc Weber (fictif)",
            job_title="Responsable partenariats",
            email="partenariats-caf@demo.parcours.test",
        ),
    ]
    meeting = Meeting.objects.create(
        group=group,
        held_on=datetime.date(2026, 10, 6),
        place="DT Strasbourg",
        agenda="Offre FLE 2026 ; parcours à 600 h ; plateforme asynchrone ; repérage des besoins.",
    )
    meeting.attendees.set(contacts)
    Decision.objects.create(
        meeting=meeting,
        text="Diffuser aux membres la fiche des offres FLE en vigueur depuis juillet 2025.",
    )
    actor = _actor()
    services.create_action(
        group,
        title="Envoyer la fiche des offres FLE aux conseillers",
        owner=dt,
        due_on=datetime.date(2026, 10, 30),
        meeting=meeting,
        by=actor,
    )
    services.create_action(
        group,
        title="Recenser les besoins FLE des allocataires du RSA suivis",
        owner=collectivity,
        due_on=datetime.date(2027, 1, 15),
        meeting=meeting,
        by=actor,
    )


@demo_step
def amiens_cfp02():
    """The CFP02 partnership in the Aisne since May 2021 (seed 004; the day is not given)."""
    amiens = Directorate.objects.filter(code="amiens").first()
    cfp02 = Organisation.objects.filter(name__startswith="CFP02").first()
    if amiens is None or cfp02 is None:
        return
    _agreement(
        "Partenariat DT Amiens – CFP02 (Aisne)",
        partners=[cfp02],
        directorates=[amiens],
        schemes=list(Scheme.objects.filter(organisation=cfp02)),
        status="running",
        signed_on=datetime.date(2021, 5, 1),
        kind=AgreementKind.PARTNERSHIP,
        theme=Theme.TRAINING,
        purpose=(
            "Présenter les dispositifs d'insertion dans les 7 centres de formation linguistique "
            "en fin de formation ; entretien individuel puis entrée dans un dispositif."
        ),
        starts_on=datetime.date(2021, 5, 1),
    )
