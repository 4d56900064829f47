"""Demo data of the reception day, entered through the services the web interface uses.

- the CIP experiment of DT Metz with its operator (AMLI, seed 001);
- the Tuesday 27 January 2026 at DT Metz exactly as seed 001 tells it: 21 people present,
  all seen by the CIP: 8 CDI, 4 CDD, 1 in training, 1 RSA, 3 already at France Travail,
  4 not registered, registered that day;
- sessions at DT Metz and DT Strasbourg for the current and the next week, with people
  convoked, and attendance and positioning taken for the days already past.

Every step is idempotent: a session that already has convocations is left as it is.
"""

import datetime
import random

from django.utils import timezone

from parcours.accounts.models import User
from parcours.demo.names import ORIGINS
from parcours.demo.steps import demo_step
from parcours.organisations.models import Organisation
from parcours.people.models import (
    Accommodation,
    EmploymentStatus,
    Language,
    LanguageLevel,
    Person,
    ResidenceStatus,
    Sex,
)
from parcours.reception import services
from parcours.reception.holidays import public_holiday
from parcours.reception.models import (
    AttendanceStatus,
    CipExperiment,
    HalfDay,
    Pace,
    PersonAnswer,
    ReceptionSession,
    StaffRole,
)
from parcours.territories.models import Country, Department, Directorate

DAY_27_JANUARY = datetime.date(2026, 1, 27)
# AGDREF numbers of the people of 27 January start with 98 (the other demo people use 99).
DAY_AGDREF_PREFIX = "98270126"

# Seed 001, 27 January 2026: what the CIP saw for each of the 21 people present.
# (situation, rsa, already registered at France Travail, registered during the interview)
DAY_27_JANUARY_CHECKS = (
    [(EmploymentStatus.CDI, False, False, False)] * 8
    + [(EmploymentStatus.CDD, False, False, False)] * 4
    + [(EmploymentStatus.VOCATIONAL_TRAINING, False, False, False)]
    + [(EmploymentStatus.JOB_SEEKER, True, False, False)]
    + [(EmploymentStatus.JOB_SEEKER, False, True, False)] * 2
    + [(EmploymentStatus.INACTIVE, False, True, False)]
    + [(EmploymentStatus.JOB_SEEKER, False, False, True)] * 4
)
# Two sessions of 12 that day; 3 people did not come.
DAY_27_JANUARY_ABSENT = {5, 17, 23}

LEVELS = [
    (LanguageLevel.INFRA_A1, LanguageLevel.INFRA_A1),
    (LanguageLevel.A1, LanguageLevel.INFRA_A1),
    (LanguageLevel.A1, LanguageLevel.A2),
    (LanguageLevel.A2, LanguageLevel.B1),
    (LanguageLevel.B1, LanguageLevel.B2_OR_ABOVE),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _staff(*pairs) -> dict:
    staff: dict[str, list] = {}
    for role, email in pairs:
        user = _user(email)
        if user is not None:
            staff.setdefault(role, []).append(user)
    return staff


def _session(directorate, day, half_day, place, staff) -> ReceptionSession:
    existing = ReceptionSession.objects.filter(
        directorate=directorate, date=day, half_day=half_day, place=place
    ).first()
    if existing is not None:
        return existing
    return services.plan_session(
        directorate,
        date=day,
        half_day=half_day,
        place=place,
        address=directorate.address or f"{directorate.name}, OFII",
        staff=staff,
    )


@demo_step
def reception_experiment():
    """The CIP experiment of DT Metz, run by AMLI (AGIR 57) – seed 001."""
    operator = Organisation.objects.filter(name="AMLI – AGIR 57").first()
    CipExperiment.objects.update_or_create(
        directorate=Directorate.objects.get(code="metz"),
        starts_on=datetime.date(2025, 12, 8),
        defaults={
            "name": "Expérimentation CIP – AGIR 57 (AMLI), DT Metz",
            "ends_on": datetime.date(2026, 11, 30),
            "operator": operator,
        },
    )


def _day_people(directorate) -> list[Person]:
    """The 24 fictitious people convoked on 27 January 2026 (created once)."""
    existing = list(
        Person.objects.filter(agdref_number__startswith=DAY_AGDREF_PREFIX).order_by("agdref_number")
    )
    if existing:
        return existing
    rng = random.Random(270126)
    department = Department.objects.get(code="57")
    countries = {c.name: c for c in Country.objects.filter(name__in=[o[0] for o in ORIGINS])}
    languages = {language.code: language for language in Language.objects.all()}
    people = []
    for index in range(24):
        country, language_code, women, men, families = ORIGINS[index % len(ORIGINS)]
        sex = Sex.FEMALE if index % 2 else Sex.MALE
        person = Person.objects.create(
            last_name=rng.choice(families),
            first_names=rng.choice(women if sex == Sex.FEMALE else men),
            sex=sex,
            birth_date=datetime.date(1970 + rng.randint(0, 35), rng.randint(1, 12), 15),
            nationality=countries.get(country),
            residence_status=rng.choice(
                [ResidenceStatus.REFUGEE, ResidenceStatus.FAMILY_REUNIFICATION]
            ),
            agdref_number=f"{DAY_AGDREF_PREFIX}{index:02d}",
            department=department,
            directorate=directorate,
            accommodation=Accommodation.OWN_HOUSING,
            city="Metz",
            postcode="57000",
        )
        if language_code in languages:
            person.languages.add(languages[language_code])
        people.append(person)
    return people


@demo_step
def reception_day_27_january_2026():
    """The PFA day of Tuesday 27 January 2026 at DT Metz, as seed 001 reports it."""
    metz = Directorate.objects.get(code="metz")
    staff = _staff(
        (StaffRole.RECEPTION, "accueil@demo.parcours.test"),
        (StaffRole.INTEGRATION_AUDITOR, "auditeur@demo.parcours.test"),
        (StaffRole.CIP, "cip@demo.parcours.test"),
    )
    sessions = [
        _session(metz, DAY_27_JANUARY, HalfDay.MORNING, "Salle Lafayette", staff),
        _session(metz, DAY_27_JANUARY, HalfDay.AFTERNOON, "Salle Lafayette", staff),
    ]
    if any(session.convocations.exists() for session in sessions):
        return
    agent = _user("accueil@demo.parcours.test")
    auditor = _user("auditeur@demo.parcours.test")
    cip = _user("cip@demo.parcours.test") or auditor
    people = _day_people(metz)
    checks = iter(DAY_27_JANUARY_CHECKS)
    for half, session in enumerate(sessions):
        convocations = services.convoke_many(
            session, people[half * 12 : half * 12 + 12], actor=agent
        )
        present = 0
        for offset, convocation in enumerate(convocations):
            index = half * 12 + offset
            if index in DAY_27_JANUARY_ABSENT:
                services.record_attendance(convocation, AttendanceStatus.ABSENT, actor=agent)
                continue
            present += 1
            services.record_attendance(convocation, AttendanceStatus.PRESENT, actor=agent)
            written, oral = LEVELS[index % len(LEVELS)]
            services.record_positioning(
                convocation, written_level=written, oral_level=oral, can_read=True, actor=agent
            )
            situation, rsa, already_ft, registered_today = next(checks)
            services.record_interview(
                convocation,
                employment_status=situation,
                accommodation=Accommodation.OWN_HOUSING,
                needs={"need_employment"} if situation == EmploymentStatus.JOB_SEEKER else set(),
                orientations={"france_travail"}
                if situation == EmploymentStatus.JOB_SEEKER
                else set(),
                actor=auditor,
            )
            services.sign_contract(
                convocation,
                signed_on=DAY_27_JANUARY,
                civic_training_date=DAY_27_JANUARY + datetime.timedelta(days=14),
                civic_training_place="OFII Metz",
                actor=auditor,
            )
            decision = services.proposed_prescription(convocation)
            services.decide_prescription(
                convocation,
                answer=PersonAnswer.ACCEPTED if decision and decision.proposed else "",
                pace=Pace.EXTENSIVE if decision and decision.paces else "",
                actor=auditor,
            )
            services.record_employment_check(
                convocation,
                situation=situation,
                rsa_recipient=rsa,
                already_ft=already_ft,
                registered_today=registered_today,
                ft_identifier=f"{4_270_126 + index:07d}M" if registered_today else "",
                first_appointment_date=DAY_27_JANUARY + datetime.timedelta(days=10)
                if registered_today
                else None,
                actor=cip,
            )
        services.record_cip_presentation(
            session,
            started_at=session.start_time,
            attendees=present,
            duration_minutes=15,
            actor=cip,
        )


# Weekly pattern (weekday, half-day): DT Metz runs 6 PFA a week (seed 001).
WEEKLY_SLOTS = {
    "metz": (
        [(0, HalfDay.MORNING), (0, HalfDay.AFTERNOON), (1, HalfDay.MORNING)]
        + [(1, HalfDay.AFTERNOON), (3, HalfDay.MORNING), (3, HalfDay.AFTERNOON)],
        "Salle Lafayette",
        [
            (StaffRole.RECEPTION, "accueil@demo.parcours.test"),
            (StaffRole.INTEGRATION_AUDITOR, "auditeur@demo.parcours.test"),
            (StaffRole.CIP, "cip@demo.parcours.test"),
        ],
    ),
    "strasbourg": (
        [(1, HalfDay.MORNING), (2, HalfDay.MORNING), (3, HalfDay.MORNING), (4, HalfDay.MORNING)],
        "Salle Kléber",
        [
            (StaffRole.INTEGRATION_AUDITOR, "auditeur@demo.parcours.test"),
            (StaffRole.ASYLUM_AUDITOR, "auditeur-asile@demo.parcours.test"),
        ],
    ),
}
CONVOKED_PER_DEMO_SESSION = 5


@demo_step
def reception_sessions_this_and_next_week():
    """Sessions at DT Metz and DT Strasbourg this week and next, people convoked."""
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    agent = _user("accueil@demo.parcours.test") or _user("auditeur@demo.parcours.test")
    for code, (slots, place, staff_pairs) in WEEKLY_SLOTS.items():
        directorate = Directorate.objects.get(code=code)
        codes = directorate.department_codes
        staff = _staff(*staff_pairs)
        free = list(
            Person.objects.filter(
                directorate=directorate, agdref_number__startswith="99", convocations__isnull=True
            ).order_by("agdref_number")
        )
        for week in (0, 1):
            for weekday, half_day in slots:
                day = monday + datetime.timedelta(days=7 * week + weekday)
                if public_holiday(day, codes):
                    continue  # a DT does not plan its PFA on a public holiday
                session = _session(directorate, day, half_day, place, staff)
                if session.convocations.exists() or not free:
                    continue
                chosen, free = free[:CONVOKED_PER_DEMO_SESSION], free[CONVOKED_PER_DEMO_SESSION:]
                convocations = services.convoke_many(session, chosen, actor=agent)
                if day >= today:
                    continue
                for index, convocation in enumerate(convocations):
                    status = AttendanceStatus.ABSENT if index == 0 else AttendanceStatus.PRESENT
                    services.record_attendance(convocation, status, actor=agent)
                    if status == AttendanceStatus.PRESENT:
                        written, oral = LEVELS[index % len(LEVELS)]
                        services.record_positioning(
                            convocation,
                            written_level=written,
                            oral_level=oral,
                            can_read=True,
                            actor=agent,
                        )
