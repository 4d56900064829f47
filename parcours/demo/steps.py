"""The steps that build the demo: each is idempotent, so `make demo` can run again safely.

Modules add their own step with @demo_step; the command runs them in order.
"""

import datetime
import random

from django.db import transaction

from parcours.accounts.models import User
from parcours.core.freshness import figures_changed
from parcours.demo.names import ORIGINS
from parcours.organisations.models import Membership, Organisation
from parcours.organisations.roles import OrganisationKind as Kind
from parcours.organisations.roles import Role
from parcours.people.models import (
    Accommodation,
    EmploymentStatus,
    Language,
    Person,
    ResidenceStatus,
    Sex,
)
from parcours.territories.models import Country, Department, Directorate, Region

DEMO_PASSWORD = "parcours-demo-2026"
DEMO_PERSON_COUNT = 320
# AGDREF numbers of demo persons start with 99: no real number is issued in that range here,
# and the prefix lets the demo find its own rows on a second run.
DEMO_AGDREF_PREFIX = "99"

_steps = []


def demo_step(function):
    _steps.append(function)
    return function


def run_all(stdout=None) -> None:
    for step in _steps:
        with transaction.atomic():
            step()
        if stdout is not None:
            stdout.write(f"  ✓ {step.__name__}")


def _org(name, kind, *, directorate=None, region=None, departments=(), **extra):
    organisation, _ = Organisation.objects.update_or_create(
        name=name,
        kind=kind,
        defaults={"directorate": directorate, "region": region, **extra},
    )
    if departments:
        organisation.departments.set(Department.objects.filter(code__in=departments))
    return organisation


@demo_step
def organisations():
    """Organisations of the source documents (DT, DREETS, partners)."""
    directorates = {d.code: d for d in Directorate.objects.all()}
    for _code, directorate in directorates.items():
        _org(f"OFII – {directorate.name}", Kind.OFII_DT, directorate=directorate)
    _org("OFII – Direction générale", Kind.OFII_HQ)
    _org("DREETS Grand Est", Kind.DREETS, region=Region.objects.get(code="44"))
    _org("DREETS Hauts-de-France", Kind.DREETS, region=Region.objects.get(code="32"))
    # Seed 000: Epide Strasbourg, 120 places; France Travail Bas-Rhin and Haut-Rhin.
    _org("Epide Strasbourg", Kind.EPIDE, departments=["67", "68"], address="Strasbourg")
    _org("France Travail Strasbourg", Kind.FRANCE_TRAVAIL, departments=["67"])
    _org("France Travail Mulhouse", Kind.FRANCE_TRAVAIL, departments=["68"])
    # Seed 001: AMLI, AGIR operator of Moselle (AGIR 57), employs the CIP of the experiment.
    _org("AMLI – AGIR 57", Kind.AGIR_OPERATOR, departments=["57"], address="Metz")
    _org("France Travail Metz", Kind.FRANCE_TRAVAIL, departments=["57"])
    _org("Mission locale du Pays messin", Kind.MISSION_LOCALE, departments=["57"])
    _org("ADIE Grand Est", Kind.ADIE, departments=["57", "54", "67", "68"])
    # Seed 004: CFP02 and the 7 language training centres of the Aisne.
    _org("CFP02 – Centre de formation personnalisée de l'Aisne", Kind.TRAINING, departments=["02"])
    for town in [
        "Laon",
        "Soissons",
        "Saint-Quentin",
        "Château-Thierry",
        "Chauny",
        "Hirson",
        "Villers-Cotterêts",
    ]:
        _org(f"Centre de formation linguistique de {town}", Kind.TRAINING, departments=["02"])
    _org("France Travail Laon", Kind.FRANCE_TRAVAIL, departments=["02"])


# (e-mail, first name, last name, [(organisation name, role)]): one account per role.
DEMO_USERS = [
    ("accueil@demo.parcours.test", "Claire", "Martin", [("OFII – DT Metz", Role.RECEPTION_AGENT)]),
    # The language-test provider's examiner records positionings under the DT's responsibility,
    # through a reception agent account (organisations/permissions.py, RECORD_POSITIONING).
    (
        "positionnement@demo.parcours.test",
        "Karim",
        "Haddad",
        [("OFII – DT Metz", Role.RECEPTION_AGENT)],
    ),
    (
        "auditeur@demo.parcours.test",
        "Julien",
        "Bernard",
        [
            ("OFII – DT Metz", Role.INTEGRATION_AUDITOR),
            ("OFII – DT Strasbourg", Role.INTEGRATION_AUDITOR),
        ],
    ),
    (
        "auditeur-asile@demo.parcours.test",
        "Sophie",
        "Petit",
        [("OFII – DT Strasbourg", Role.ASYLUM_AUDITOR)],
    ),
    ("directeur@demo.parcours.test", "Anne", "Durand", [("OFII – DT Metz", Role.DT_DIRECTOR)]),
    ("admin-dt@demo.parcours.test", "Marc", "Leroy", [("OFII – DT Metz", Role.DT_ADMIN)]),
    ("cip@demo.parcours.test", "Nadia", "Moreau", [("AMLI – AGIR 57", Role.PARTNER_COUNSELLOR)]),
    ("epide@demo.parcours.test", "Thomas", "Simon", [("Epide Strasbourg", Role.PARTNER_ADMIN)]),
    (
        "dreets@demo.parcours.test",
        "Isabelle",
        "Laurent",
        [("DREETS Grand Est", Role.REGIONAL_VIEWER)],
    ),
    (
        "national@demo.parcours.test",
        "Paul",
        "Lefebvre",
        [("OFII – Direction générale", Role.NATIONAL_ADMIN)],
    ),
]


@demo_step
def users():
    """One demo account per role (password printed at the end)."""
    for email, first_name, last_name, memberships in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
            )
        user.is_demo = True
        user.save(update_fields=["is_demo"])
        for organisation_name, role in memberships:
            Membership.objects.get_or_create(
                user=user, organisation=Organisation.objects.get(name=organisation_name), role=role
            )


def _random_birth_date(rng: random.Random, today: datetime.date) -> datetime.date | None:
    if rng.random() < 0.03:
        return None  # unknown birth dates happen and must show as "unknown" in figures
    age_days = rng.randint(17 * 365, 66 * 365)
    return today - datetime.timedelta(days=age_days)


@demo_step
def persons():
    """A few hundred fictitious CIR signatories in the four DTs."""
    rng = random.Random(20260127)  # deterministic: the same demo on every machine
    today = datetime.date(2026, 11, 1)
    existing = set(
        Person.objects.filter(agdref_number__startswith=DEMO_AGDREF_PREFIX).values_list(
            "agdref_number", flat=True
        )
    )
    countries = {c.name: c for c in Country.objects.filter(name__in=[o[0] for o in ORIGINS])}
    languages = {language.code: language for language in Language.objects.all()}
    departments = list(
        Department.objects.filter(directorate__isnull=False).select_related("directorate")
    )
    weights = [6 if d.code in {"57", "67", "02"} else 1 for d in departments]
    statuses = list(ResidenceStatus)
    employment = list(EmploymentStatus)
    new_people, speaks = [], []
    for index in range(DEMO_PERSON_COUNT):
        agdref = f"{DEMO_AGDREF_PREFIX}{index:08d}"
        country_name, language_code, women, men, families = rng.choice(ORIGINS)
        sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], weights=[47, 51, 2])[0]
        first = rng.choice(women if sex == Sex.FEMALE else men)
        department = rng.choices(departments, weights=weights)[0]
        status = rng.choice(statuses)
        ft = rng.random() < 0.3
        if agdref in existing:
            continue
        new_people.append(
            Person(
                last_name=rng.choice(families),
                first_names=first,
                sex=sex,
                birth_date=_random_birth_date(rng, today),
                nationality=countries.get(country_name),
                residence_status=status,
                agdref_number=agdref,
                interpreter_needed=rng.random() < 0.4,
                phone=f"06{rng.randint(0, 99_999_999):08d}",
                department=department,
                directorate=department.directorate,
                city="",
                accommodation=Accommodation.CPH
                if status == ResidenceStatus.REFUGEE and rng.random() < 0.3
                else rng.choice(list(Accommodation)),
                employment_status=rng.choice(employment),
                ft_registered=ft,
                ft_identifier=f"{rng.randint(0, 9_999_999):07d}{rng.choice('ABCDEFGHJK')}"
                if ft
                else "",
                ft_registration_date=today - datetime.timedelta(days=rng.randint(10, 400))
                if ft
                else None,
                rsa_recipient=rng.random() < 0.35,
                agir_followed=status
                in {ResidenceStatus.REFUGEE, ResidenceStatus.SUBSIDIARY_PROTECTION}
                and rng.random() < 0.5,
            )
        )
        speaks.append(language_code)
    created = Person.objects.bulk_create(new_people)
    Through = Person.languages.through
    links = []
    for person, code in zip(created, speaks, strict=True):
        for language_code in {code, "fr" if rng.random() < 0.3 else code}:
            if language_code in languages:
                links.append(Through(person_id=person.pk, language_id=languages[language_code].pk))
    Through.objects.bulk_create(links, ignore_conflicts=True)
    figures_changed()  # bulk_create sends no signal (core/freshness.py)
