"""Demo data of employment: a Grand Est shortage list, employers in Metz, a few profiles.

Idempotent: the list is found by its source, employers by their SIRET, positions by their
scheme. The employers are fictitious: their SIRET numbers start with 999 (no SIREN is issued
there) and pass the checksum. The shortage list is an excerpt for the demo, not the order.
"""

import datetime

from parcours.demo.steps import DEMO_AGDREF_PREFIX, demo_step
from parcours.employment import services, shortage
from parcours.employment.loaders import load_rome
from parcours.employment.models import (
    Employer,
    Occupation,
    OccupationKind,
    ProfessionalProfile,
    ShortageList,
)
from parcours.organisations.models import Organisation
from parcours.organisations.roles import OrganisationKind
from parcours.people.models import Person
from parcours.referrals.system import system_user
from parcours.territories.models import Department, Region

DEMO_SOURCE = (
    "Arrêté du 21 mai 2025 fixant la liste des métiers et zones géographiques caractérisés par "
    "des difficultés de recrutement (JO du 22 mai 2025) – extrait de démonstration"
)
# (ROME code or family, from): an excerpt of Grand Est for the demo.
GRAND_EST_EXCERPT = [("F17", "2025-05-22"), ("J1501", "2025-05-22"), ("G1602", "2025-05-22")]

EMPLOYERS = [
    # name, SIRET, NAF, sector, CIAI training, club, positions (title, ROME, seats)
    (
        "Bâtiment Mosellan (fictif)",
        "99900000100001",
        "43.99C",
        "Bâtiment, gros œuvre",
        True,
        True,
        [("Maçon / Maçonne", "F1703", 2)],
    ),
    (
        "EHPAD Les Tilleuls (fictif)",
        "99900000200009",
        "87.10A",
        "Hébergement médicalisé",
        True,
        False,
        [("Aide-soignant / Aide-soignante", "J1501", None)],
    ),
    (
        "Brasserie du Graoully (fictif)",
        "99900000300007",
        "56.10A",
        "Restauration",
        False,
        True,
        [("Commis / Commise de cuisine", "G1602", 1)],
    ),
]
# Profiles of the first demo persons of Metz: (held with years, sought).
PROFILES = [
    ([("F1703", 6)], ["F1703"]),
    ([("J1501", 3)], ["J1506"]),
    ([("D1102", 2)], ["G1602"]),
    ([], ["K2204"]),
]


@demo_step
def rome_referential():
    """The ROME tables come with the migrations; a database emptied since (the browser tests
    flush theirs) gets them again here."""
    if not Occupation.objects.exists():
        load_rome()


@demo_step
def shortage_list():
    if ShortageList.objects.filter(source_reference=DEMO_SOURCE).exists():
        return
    region = Region.objects.get(code="44")
    entries = [
        shortage.ParsedEntry(
            region,
            code if len(code) == 5 else "",
            code if len(code) == 3 else "",
            datetime.date.fromisoformat(start),
            None,
        )
        for code, start in GRAND_EST_EXCERPT
    ]
    shortage.save_list(entries, source_reference=DEMO_SOURCE, actor=None, file_name="demo")


@demo_step
def employers():
    metz = Department.objects.get(code="57")
    intermediary = Organisation.objects.filter(
        name="France Travail Metz", kind=OrganisationKind.FRANCE_TRAVAIL
    ).first()
    if intermediary is None:
        return
    for name, siret, naf, sector, training, club, positions in EMPLOYERS:
        employer = Employer.objects.filter(siret=siret).first()
        if employer is None:
            employer = services.save_employer(
                Employer(
                    name=name,
                    siret=siret,
                    naf_code=naf,
                    sector=sector,
                    department=metz,
                    intermediary=intermediary,
                    contact_name="Contact RH (fictif)",
                    contact_email=f"rh-{siret[-5:]}@example.org",
                    trains_on_working_time=training,
                    employers_club=club,
                )
            )
        for title, code, seats in positions:
            if not employer.positions.filter(title=title).exists():
                services.open_position(
                    employer, Occupation.objects.get(code=code), title=title, seats=seats
                )


@demo_step
def profiles():
    persons = Person.objects.filter(
        agdref_number__startswith=DEMO_AGDREF_PREFIX,
        department__code="57",
        anonymised_at__isnull=True,
    ).order_by("pk")[: len(PROFILES)]
    actor = system_user()
    for person, (held, sought) in zip(persons, PROFILES, strict=False):
        if ProfessionalProfile.objects.filter(person=person).exists():
            continue
        lines = [services.OccupationLine(OccupationKind.HELD, c, None, y) for c, y in held]
        lines += [services.OccupationLine(OccupationKind.SOUGHT, c) for c in sought]
        services.save_profile(
            person,
            {"driving_licence": bool(held), "french_level_for_work": "A2"},
            occupations=lines,
            qualifications=[services.QualificationLine("Diplôme professionnel", None, "no")]
            if held
            else [],
            actor=actor,
            reason="Données de démonstration",
        )
