"""Demo data of the referrals module: the schemes of the seeds and referrals in every state.

Idempotent: schemes are updated in place; referrals, partner accounts and the information
session are created only on the first run.
"""

import datetime
import itertools

from django.utils import timezone

from parcours.accounts.models import User
from parcours.demo.steps import DEMO_AGDREF_PREFIX, DEMO_PASSWORD, demo_step
from parcours.organisations.models import Membership, Organisation
from parcours.organisations.roles import Role
from parcours.people.models import (
    INTERNATIONAL_PROTECTION_STATUSES,
    EmploymentStatus,
    LanguageLevel,
    Person,
)
from parcours.referrals import services
from parcours.referrals.eligibility import EligibilityStatus
from parcours.referrals.models import (
    InformationSession,
    InformationSessionAttendee,
    Notification,
    Referral,
    Scheme,
    SchemeEntryDate,
    SchemeKind,
)
from parcours.referrals.states import Origin
from parcours.territories.models import Department

NOT_WORKING = [EmploymentStatus.JOB_SEEKER, EmploymentStatus.INACTIVE]
CFP02 = "CFP02 – Centre de formation personnalisée de l'Aisne"

# (organisation, name, kind, départements, extra fields). Seeds 000, 001 and 004.
SCHEMES = [
    (
        "Epide Strasbourg",
        "Parcours d'insertion Epide",
        SchemeKind.EPIDE,
        ["67", "68"],
        {
            "description": "Internat d'insertion pour les jeunes de 17 à 25 ans sans diplôme : "
            "formation, remise à niveau et accompagnement vers l'emploi. Le centre accueille "
            "aussi des volontaires sous le niveau A2, avec une formation complémentaire.",
            "target_public": "Jeunes de 17 à 25 ans, notamment bénéficiaires de la protection "
            "internationale hébergés en CPH.",
            "capacity": 120,
            "continuous_entry": False,
            "min_age": 17,
            "max_age": 25,
            "min_level": LanguageLevel.A2,
            "level_waiver_allowed": True,
            "contact_name": "Accueil Epide Strasbourg",
        },
    ),
    (
        "AMLI – AGIR 57",
        "AGIR 57 – accompagnement global des réfugiés",
        SchemeKind.AGIR,
        ["57"],
        {
            "description": "Accompagnement global et individualisé des réfugiés vers l'emploi "
            "et le logement, jusqu'à 24 mois.",
            "target_public": "Bénéficiaires de la protection internationale.",
            "allowed_residence_statuses": sorted(INTERNATIONAL_PROTECTION_STATUSES),
            "contact_name": "AMLI – équipe AGIR 57",
        },
    ),
    (
        "France Travail Metz",
        "Inscription et premier rendez-vous France Travail",
        SchemeKind.FT_REGISTRATION,
        ["57"],
        {
            "description": "Inscription comme demandeur d'emploi et premier entretien avec un "
            "conseiller référent.",
            "allowed_employment_statuses": NOT_WORKING,
            "expiry_days": 15,
            "reminder_days": 5,
        },
    ),
    (
        "France Travail Strasbourg",
        "Inscription et premier rendez-vous France Travail",
        SchemeKind.FT_REGISTRATION,
        ["67"],
        {
            "description": "Inscription comme demandeur d'emploi et premier entretien avec un "
            "conseiller référent.",
            "allowed_employment_statuses": NOT_WORKING,
            "expiry_days": 15,
            "reminder_days": 5,
        },
    ),
    (
        "Mission locale du Pays messin",
        "Accompagnement des 16–25 ans",
        SchemeKind.YOUTH_SUPPORT,
        ["57"],
        {
            "description": "Accompagnement des jeunes vers l'emploi, la formation et l'autonomie.",
            "min_age": 16,
            "max_age": 25,
        },
    ),
    (
        "ADIE Grand Est",
        "Microcrédit professionnel",
        SchemeKind.MICROCREDIT,
        ["57", "54", "67", "68"],
        {
            "description": "Microcrédit jusqu'à 10 000 € et accompagnement pour créer son "
            "entreprise.",
            "min_age": 18,
        },
    ),
    (
        CFP02,
        "Insertion sociale",
        SchemeKind.SOCIAL_INTEGRATION,
        ["02"],
        {"description": "Ateliers de socialisation et de découverte de l'environnement local."},
    ),
    (
        CFP02,
        "Formation professionnelle",
        SchemeKind.VOCATIONAL_TRAINING,
        ["02"],
        {
            "description": "Formations qualifiantes, notamment vers les métiers en tension.",
            "capacity": 15,
        },
    ),
    (
        CFP02,
        "Conseil en validation des acquis de l'expérience",
        SchemeKind.VAE_ADVICE,
        ["02"],
        {"description": "Faire reconnaître une expérience professionnelle acquise à l'étranger."},
    ),
    (
        CFP02,
        "Accompagnement vers l'emploi",
        SchemeKind.EMPLOYMENT_SUPPORT,
        ["02"],
        {
            "description": "Accompagnement individuel vers l'emploi.",
            "allowed_employment_statuses": NOT_WORKING,
        },
    ),
    (
        CFP02,
        "Cours de français du niveau A2 vers B1",
        SchemeKind.LANGUAGE_COURSE,
        ["02"],
        {
            "description": "Poursuivre le français après la formation de l'OFII, du niveau A2 "
            "vers le B1 (carte de résident).",
            "min_level": LanguageLevel.A2,
            "max_level": LanguageLevel.B1,
            "capacity": 2,
        },
    ),
]

# Partner accounts that answer referrals in the demo (besides epide@ and cip@ of the foundation).
PARTNER_ACCOUNTS = [
    ("france-travail@demo.parcours.test", "Lucas", "Garcia", "France Travail Metz"),
    ("mission-locale@demo.parcours.test", "Emma", "Roux", "Mission locale du Pays messin"),
    ("adie@demo.parcours.test", "Hugo", "Fournier", "ADIE Grand Est"),
    ("cfp02@demo.parcours.test", "Léa", "Girard", CFP02),
    ("france-travail-67@demo.parcours.test", "Chloé", "Bonnet", "France Travail Strasbourg"),
]

# States walked through, in turn, for the demo persons of each scheme.
STATES = [
    "sent",
    "accepted",
    "refused",
    "entered",
    "completed",
    "dropped_out",
    "expired",
    "withdrawn",
    "draft",
    "sent",
]


@demo_step
def partner_schemes():
    """The schemes of the seeds (Epide 120 places, AGIR 57, France Travail, CFP02…)."""
    for organisation_name, name, kind, codes, extra in SCHEMES:
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if organisation is None:
            continue
        defaults = {"kind": kind, "contact_email": "", **extra}
        scheme = Scheme.objects.filter(organisation=organisation, name=name).first()
        if scheme is None:
            scheme = Scheme.objects.create(organisation=organisation, name=name, **defaults)
        else:
            for field, value in defaults.items():
                setattr(scheme, field, value)
            services.save_scheme(scheme, fields=list(defaults))
        scheme.departments.set(Department.objects.filter(code__in=codes))
        if not scheme.continuous_entry:
            first_monday = _next_monday(timezone.localdate())
            for weeks in (0, 4, 8):
                SchemeEntryDate.objects.get_or_create(
                    scheme=scheme,
                    starts_on=first_monday + datetime.timedelta(weeks=weeks),
                    defaults={"label": "Nouvelle promotion"},
                )


def _next_monday(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 or 7)


def _user(email, first_name, last_name):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
        )
    if not user.is_demo:
        user.is_demo = True
        user.save(update_fields=["is_demo"])
    return user


@demo_step
def partner_accounts():
    """One counsellor per partner that answers referrals (password: the demo password)."""
    for email, first_name, last_name, organisation_name in PARTNER_ACCOUNTS:
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if organisation is None:
            continue
        Membership.objects.get_or_create(
            user=_user(email, first_name, last_name),
            organisation=organisation,
            role=Role.PARTNER_COUNSELLOR,
        )


def _answerer(scheme):
    membership = (
        Membership.objects.active()
        .filter(
            organisation=scheme.organisation, role__in=[Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN]
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _referrer(person):
    """A DT auditor of the person's directorate, or a manager; None if the DT has none."""
    membership = (
        Membership.objects.active()
        .filter(
            organisation__directorate_id=person.directorate_id,
            role__in=[Role.INTEGRATION_AUDITOR, Role.ASYLUM_AUDITOR, Role.DT_DIRECTOR],
        )
        .select_related("user", "organisation")
        .order_by("role")
        .first()
    )
    return membership


def _walk(referral, state, *, partner, partner_org, referrer, start):
    """Bring a sent referral to `state`, with plausible dates after `start`."""
    day = datetime.timedelta(days=1)
    answer = {"by": partner, "organisation": partner_org}
    if state == "sent":
        return
    if state == "expired":
        services.expire_referral(referral, now=start + referral.scheme.expiry_days * day)
        return
    if state == "withdrawn":
        services.withdraw_referral(
            referral,
            by=referrer.user,
            organisation=referrer.organisation,
            comment="La personne a déménagé hors du département.",
            now=start + 3 * day,
        )
        return
    if state == "refused":
        services.refuse_referral(
            referral,
            reason="person_declined",
            comment="Souhaite d'abord travailler.",
            now=start + 4 * day,
            **answer,
        )
        return
    referral = services.accept_referral(referral, now=start + 3 * day, **answer)
    if state in ("accepted", "waitlisted") or referral.status == "waitlisted":
        return
    services.record_entry(
        referral, entered_on=timezone.localdate(start + 7 * day), now=start + 7 * day, **answer
    )
    if state == "entered":
        return
    services.record_exit(
        referral,
        exited_on=timezone.localdate(start + 30 * day),
        completed=state == "completed",
        reason="" if state == "completed" else "employment",
        now=start + 30 * day,
        **answer,
    )


@demo_step
def referrals():
    """A few dozen referrals in every state, made through the services (full history)."""
    demo_persons = Person.objects.filter(agdref_number__startswith=DEMO_AGDREF_PREFIX)
    if Referral.objects.filter(person__in=demo_persons).exists():
        return  # already loaded: the demo never creates twice
    now = timezone.now()
    persons = list(demo_persons.select_related("department", "directorate").order_by("pk"))
    used: set[int] = set()
    schemes = (
        Scheme.objects.filter(organisation__name__in={s[0] for s in SCHEMES})
        .exclude(organisation__name=CFP02)
        .select_related("organisation")
        .prefetch_related("departments", "entry_dates")
        .order_by("pk")
    )
    for index, scheme in enumerate(schemes):
        partner = _answerer(scheme)
        if partner is None:
            continue
        codes = {d.code for d in scheme.departments.all()}
        states = itertools.islice(itertools.cycle(STATES), index, index + 7)
        for state in states:
            person = _eligible_person(persons, used, scheme, codes, now)
            referrer = person and _referrer(person)
            if referrer is None:
                break
            start = now - datetime.timedelta(
                days=45 if state in ("completed", "dropped_out", "expired") else 12
            )
            referral = services.create_referral(
                person,
                scheme,
                by=referrer.user,
                organisation=referrer.organisation,
                origin=Origin.INTERVIEW if index % 2 else Origin.PERSON_FILE,
                note="Personne motivée, disponible rapidement.",
                waiver_justification="Volontaire ; suivra la remise à niveau proposée.",
                consent=state != "draft",
                send=state != "draft",
                now=start,
            )
            if state != "draft":
                _walk(
                    referral,
                    state,
                    partner=partner,
                    partner_org=scheme.organisation,
                    referrer=referrer,
                    start=start,
                )
    _cfp02_session(persons, used, now)
    # The demo's history is in the past: its e-mails count as delivered rather than flooding
    # the console at `make demo`.
    Notification.objects.filter(sent_at__isnull=True).update(sent_at=now)


def _eligible_person(persons, used, scheme, codes, now):
    for person in persons:
        if person.pk in used or person.department.code not in codes:
            continue
        verdict = services.verdict_for(
            person, scheme, scheme.planned_entry_date(timezone.localdate(now))
        )
        if verdict.status != EligibilityStatus.NOT_ELIGIBLE:
            used.add(person.pk)
            return person
    return None


def _cfp02_session(persons, used, now):
    """CFP02 (seed 004): a presentation at Laon, volunteers, interviews and referrals, one of
    them to a full course (waiting list) and one transferred to another scheme."""
    organisation = Organisation.objects.filter(name=CFP02).first()
    venue = Organisation.objects.filter(name="Centre de formation linguistique de Laon").first()
    counsellor = User.objects.filter(email="cfp02@demo.parcours.test").first()
    if organisation is None or venue is None or counsellor is None:
        return
    schemes = {
        s.name: s
        for s in Scheme.objects.filter(organisation=organisation).prefetch_related(
            "departments", "entry_dates"
        )
    }
    today = timezone.localdate(now)
    session = InformationSession.objects.create(
        organisation=organisation,
        venue=venue,
        date=today - datetime.timedelta(days=10),
        start_time=datetime.time(14, 0),
        courses_ending_from=today - datetime.timedelta(days=30),
        courses_ending_until=today + datetime.timedelta(days=30),
        created_by=counsellor,
    )
    session.schemes.set(schemes.values())
    plan = [
        "Insertion sociale",
        "Formation professionnelle",
        "Accompagnement vers l'emploi",
        "Cours de français du niveau A2 vers B1",
        "Cours de français du niveau A2 vers B1",
        "Cours de français du niveau A2 vers B1",
        "Conseil en validation des acquis de l'expérience",
        None,  # came, did not volunteer
    ]
    start = now - datetime.timedelta(days=9)
    answer = {"by": counsellor, "organisation": organisation}
    created = []
    for scheme_name in plan:
        scheme = schemes.get(scheme_name) if scheme_name else None
        codes = {"02"}
        person = (
            _eligible_person(persons, used, scheme, codes, now)
            if scheme
            else next((p for p in persons if p.pk not in used and p.department.code == "02"), None)
        )
        if person is None:
            continue
        used.add(person.pk)
        attendee = InformationSessionAttendee.objects.create(
            session=session, person=person, volunteered=scheme is not None
        )
        if scheme is None:
            continue
        attendee.interviewed_on = today - datetime.timedelta(days=9)
        attendee.interviewed_by = counsellor
        referral = services.create_referral(
            person,
            scheme,
            by=counsellor,
            organisation=organisation,
            origin=Origin.INFORMATION_SESSION,
            information_session=session,
            consent=True,
            send=True,
            now=start,
        )
        attendee.referral = referral
        attendee.save(update_fields=["interviewed_on", "interviewed_by", "referral"])
        created.append(referral)
    for referral in created:
        services.accept_referral(referral, now=start + datetime.timedelta(days=1), **answer)
    social = next((r for r in created if r.scheme.name == "Insertion sociale"), None)
    if social is not None and "Formation professionnelle" in schemes:
        services.transfer_referral(
            social,
            schemes["Formation professionnelle"],
            by=counsellor,
            organisation=organisation,
            note="Projet professionnel confirmé en entretien.",
            now=start + datetime.timedelta(days=2),
        )
