"""A deterministic, realistic dataset of N persons with their whole pathway, for benchmarks.

Issue 5, item 8. Every person is convoked to a PFA session of their DT, with the attendance
seen in practice; those present sign their CIR and meet the CIP (as if the Metz experiment
ran in every DT, the heaviest case for the figures); some register at France Travail and are
accompanied to their first appointment; many are referred to partner schemes, in every state
of the referral workflow. Rows are built as the apps' model instances (their copies filled
by the models' own `fill_facts`), in chunks, so the constraints of each app hold.

How they are written (issue 12: the million took 4 minutes per 20,000 persons): on PostgreSQL
each chunk reserves its primary keys from the tables' sequences and sends its rows with
`COPY` (psycopg `cursor.copy()`), skipping Django's per-value preparation; a large load drops
the big tables' secondary (non-unique) indexes first and builds them again at the end, since
maintaining a dozen B-tree and trigram indexes row by row, with full-page images after each
checkpoint, is what grew with the tables. Unique indexes, primary and foreign keys and checks
stay, so integrity is checked row by row as before. Elsewhere (SQLite, the tests) the rows
go through `bulk_create`.

The same seed and N give the same rows. About 125,000 persons a year (the national CIR
volume, DOMAIN.md) from January 2019: a million persons fill eight years. Everything is owned
by a dedicated user, so a second run sees what exists and adds only what is missing.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from parcours.core.freshness import figures_changed
from parcours.demo.names import ORIGINS
from parcours.indicators.bands import age_on

BENCH_EMAIL = "jeu-de-donnees@parcours.invalid"
PERSONS_PER_YEAR = 125_000
START = datetime.date(2019, 1, 7)  # a Monday
SEED = 20260127
CHUNK = 20_000

# Attendance seen at PFAs (rdv-insertion's honest states; shares are assumptions).
ATTENDANCE = [("present", 80), ("absent", 9), ("excused", 5), ("rescheduled", 3), ("pending", 3)]
# Situations seen by the CIP (seed 001, 27 January 2026: 8 CDI, 4 CDD, 1 training of 21).
SITUATIONS = [
    ("cdi", 25),
    ("cdd", 12),
    ("interim", 5),
    ("vocational_training", 4),
    ("student", 4),
    ("job_seeker", 35),
    ("inactive", 15),
]
OUT_OF_SCOPE = {"cdi", "cdd", "interim", "vocational_training", "student"}
REFERRAL_STATES = [
    ("sent", 8),
    ("waitlisted", 4),
    ("accepted", 8),
    ("refused", 12),
    ("expired", 5),
    ("entered", 20),
    ("completed", 20),
    ("dropped_out", 8),
    ("withdrawn", 5),
    ("transferred", 0),
    ("draft", 10),
]


@dataclass
class DatasetSummary:
    persons: int = 0
    sessions: int = 0
    convocations: int = 0
    contracts: int = 0
    checks: int = 0
    referrals: int = 0
    transitions: int = 0


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


# The tables a large load fills, whose secondary indexes are built once at the end.
BULK_TABLES = (
    "people_person",
    "reception_convocation",
    "reception_contract",
    "reception_employmentcheck",
    "referrals_referral",
    "referrals_referraltransition",
)
# Adding at least this many persons (or as many as exist) drops and rebuilds those indexes.
REINDEX_FROM = 50_000


class _Writer:
    """Writes a chunk's rows: COPY with reserved keys on PostgreSQL, bulk_create elsewhere.

    `add` gives the objects their primary keys at once (dependent rows need them); on
    PostgreSQL the rows are sent by `flush`, in the order they were added (foreign keys)."""

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self.queue: list = []
        self.now = timezone.now()

    def add(self, model, objects: list) -> list:
        if not objects:
            return objects
        if not self.copy:
            return model.objects.bulk_create(objects, batch_size=5000)
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objects)],
            )
            keys = [row[0] for row in cursor.fetchall()]
        for obj, key in zip(objects, keys, strict=True):
            obj.pk = key
            obj._state.adding = False
        self.queue.append((model, objects))
        return objects

    def flush(self) -> None:
        from psycopg.types.json import Jsonb

        for model, objects in self.queue:
            fields = model._meta.concrete_fields
            readers = []
            for field in fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    readers.append(lambda obj, now=self.now: now)  # what pre_save would set
                elif isinstance(field, models.JSONField):
                    readers.append(lambda obj, name=field.attname: Jsonb(getattr(obj, name)))
                else:
                    readers.append(lambda obj, name=field.attname: getattr(obj, name))
            columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
            table = connection.ops.quote_name(model._meta.db_table)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for obj in objects:
                    copy.write_row([read(obj) for read in readers])
        self.queue = []


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the bulk tables' non-unique indexes (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
              AND t.relnamespace = 'public'::regnamespace
            ORDER BY 1
            """,
            [list(BULK_TABLES)],
        )
        return cursor.fetchall()


def _bench_user():
    from parcours.accounts.models import User

    user, created = User.objects.get_or_create(
        email=BENCH_EMAIL,
        defaults={
            "username": BENCH_EMAIL,
            "first_name": "Jeu de données",
            "last_name": "(mesures de performance)",
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def existing_persons() -> int:
    from parcours.people.models import Person

    return Person.objects.filter(created_by__email=BENCH_EMAIL).count()


def _schemes(user):
    """Three schemes per DT (France Travail, Mission locale, AGIR/training), unlimited seats."""
    from parcours.organisations.models import Organisation
    from parcours.organisations.roles import OrganisationKind
    from parcours.referrals.models import Scheme
    from parcours.territories.models import Directorate

    schemes = {}
    for directorate in Directorate.objects.prefetch_related("departments").order_by("code"):
        organisation, _created = Organisation.objects.get_or_create(
            name=f"Partenaire de mesure – {directorate.name}", kind=OrganisationKind.OTHER
        )
        organisation.departments.set(directorate.departments.all())
        mine = []
        for kind, name in [
            ("ft_registration", "Inscription France Travail"),
            ("youth_support", "Accompagnement jeunes"),
            ("employment_support", "Accompagnement vers l'emploi"),
        ]:
            scheme, _created = Scheme.objects.get_or_create(
                organisation=organisation,
                name=f"{name} (mesure)",
                defaults={"kind": kind, "description": "Dispositif du jeu de données de mesure."},
            )
            scheme.departments.set(directorate.departments.all())
            mine.append(scheme)
        schemes[directorate.pk] = (organisation, mine)
    return schemes


def _session_days(first: datetime.date, count: int):
    """Working days from `first` on (weekends skipped), `count` of them."""
    day, days = first, []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def generate(persons: int, *, seed: int = SEED, progress: Callable[[str], None] | None = None):
    """Add persons (and their pathway) until the dataset holds `persons` of them."""
    from parcours.territories.models import Department, Directorate

    summary = DatasetSummary()
    user = _bench_user()
    already = existing_persons()
    if already >= persons:
        return summary
    rng = random.Random(seed + already)  # deterministic for a given starting point
    directorates = list(Directorate.objects.order_by("code"))
    departments = {
        d.pk: list(Department.objects.filter(directorate=d).order_by("code")) for d in directorates
    }
    schemes = _schemes(user)
    # Persons are spread over working days in order: person i arrives on day i / per_day.
    per_day = PERSONS_PER_YEAR / 250
    all_days = _session_days(START, int(persons / per_day) + 2)
    index = already
    dropped = []
    if (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and persons - already >= min(REINDEX_FROM, max(already, 1))
    ):
        with connection.cursor() as cursor:
            # A benchmark load: a lost last chunk on a crash is re-made by the next run.
            cursor.execute("SET synchronous_commit = off")
            dropped = _secondary_indexes()
            for name, _definition in dropped:
                cursor.execute(f"DROP INDEX {name}")
    try:
        while index < persons:
            size = min(CHUNK, persons - index)
            with transaction.atomic():
                writer = _Writer()
                _chunk(
                    rng,
                    index,
                    size,
                    per_day,
                    all_days,
                    directorates,
                    departments,
                    schemes,
                    user,
                    summary,
                    writer,
                )
                writer.flush()
            index += size
            if progress:
                progress(f"{index:,} / {persons:,} personnes".replace(",", "\u202f"))
    finally:
        if dropped:
            if progress:
                progress(f"{len(dropped)} index reconstruits")
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for _name, definition in dropped:
                    cursor.execute(definition)
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute("RESET synchronous_commit")
    summary.persons = persons - already
    figures_changed()  # bulk_create sends no signal (core/freshness.py)
    return summary


def _chunk(
    rng,
    first_index,
    size,
    per_day,
    all_days,
    directorates,
    departments,
    schemes,
    user,
    summary,
    writer,
):
    from parcours.people import services as people_services
    from parcours.people.models import Person
    from parcours.reception.models import Contract, Convocation, EmploymentCheck, ReceptionSession

    # 1. Persons, each with a DT, a day of arrival and a session slot.
    people, plans = [], []
    for offset in range(size):
        index = first_index + offset
        day = all_days[int(index / per_day)]
        directorate = directorates[index % len(directorates)]
        department = rng.choice(departments[directorate.pk])
        sex = rng.choices(["F", "H", "X"], weights=[47, 51, 2])[0]
        birth = None
        if rng.random() > 0.03:
            birth = day - datetime.timedelta(days=rng.randint(17 * 365, 70 * 365))
        situation = _pick(rng, SITUATIONS)
        # Names of the demo's origins, picked by index (not by the generator, so every other
        # draw stays as before): searches by name meet as many homonyms as in real life.
        _country, _language, women, men, families = ORIGINS[index % len(ORIGINS)]
        first_names = women if sex == "F" else men
        people.append(
            Person(
                last_name=families[(index // len(ORIGINS)) % len(families)].upper(),
                first_names=first_names[(index // 7) % len(first_names)],
                sex=sex,
                birth_date=birth,
                residence_status=rng.choice(["refugee", "family_reunification", "worker", "other"]),
                department=department,
                directorate=directorate,
                employment_status=situation,
                created_by=user,
            )
        )
        plans.append(
            (day, directorate, situation, rng.choice(["morning", "afternoon"]), rng.randint(1, 3))
        )
    for person in people:
        person.fill_name_keys()  # bulk_create skips save() (people/names.py)
    people = writer.add(Person, people)

    # 2. Sessions: one per (DT, day, half-day, room), shared by the persons of that slot.
    slots = {(directorate.pk, day, half, room) for day, directorate, _s, half, room in plans}
    known = {
        (s.directorate_id, s.date, s.half_day, s.place): s
        for s in ReceptionSession.objects.filter(
            date__gte=min(p[0] for p in plans), date__lte=max(p[0] for p in plans)
        )
    }
    new_sessions = [
        ReceptionSession(
            directorate_id=dt,
            date=day,
            half_day=half,
            place=f"Salle {room}",
            address="Adresse de la DT",
            start_time=datetime.time(8, 30) if half == "morning" else datetime.time(13, 30),
            capacity=60,
        )
        for (dt, day, half, room) in sorted(slots)
        if (dt, day, half, f"Salle {room}") not in known
    ]
    for session in ReceptionSession.objects.bulk_create(new_sessions, batch_size=5000):
        known[(session.directorate_id, session.date, session.half_day, session.place)] = session
    summary.sessions += len(new_sessions)

    # 3. Convocations with attendance; a rescheduled one is followed by the next day's.
    convocations, meta = [], []
    for person, (day, directorate, situation, half, room) in zip(people, plans, strict=True):
        session = known[(directorate.pk, day, half, f"Salle {room}")]
        status = _pick(rng, ATTENDANCE)
        age = age_on(person.birth_date, day)
        if status == "rescheduled":
            later = known.get(
                (
                    directorate.pk,
                    day,
                    "afternoon" if half == "morning" else "morning",
                    f"Salle {room}",
                )
            )
            if later is None or later.pk == session.pk:
                status = "absent"
            else:
                convocations.append(
                    Convocation(
                        session=session,
                        person=person,
                        status=status,
                        rescheduled_to=later,
                        age_at_event=age,
                    )
                )
                meta.append(None)
                session, status = later, "present"
        convocations.append(
            Convocation(session=session, person=person, status=status, age_at_event=age)
        )
        meta.append((person, session, situation) if status == "present" else None)
    for event in convocations:
        event.fill_facts()  # bulk_create skips save() (ADR 0007)
    convocations = writer.add(Convocation, convocations)
    summary.convocations += len(convocations)

    # 4. CIR, CIP interview, France Travail registration and accompaniment for those present.
    contracts, checks, registered = [], [], []
    for convocation, info in zip(convocations, meta, strict=True):
        if info is None:
            continue
        person, session, situation = info
        day = session.date
        age = age_on(person.birth_date, day)
        contracts.append(
            Contract(
                person=person,
                convocation=convocation,
                signed_on=day,
                signed_by=user,
                age_at_event=age,
            )
        )
        in_scope = situation not in OUT_OF_SCOPE
        rsa = rng.random() < 0.35
        agir = person.residence_status == "refugee" and rng.random() < 0.5
        already_ft = rng.random() < (0.15 if in_scope else 0.3)
        register = in_scope and not (rsa or agir or already_ft)
        accompaniment, accompanied_on, appointment = "unknown", None, None
        if register:
            # The registration, on the person before the CIR copies it (ADR 0013).
            person.ft_registered, person.ft_registration_date = True, day
            appointment = day + datetime.timedelta(days=rng.randint(7, 40))
            if rng.random() < 0.6:
                accompaniment, accompanied_on = "done", appointment
            elif rng.random() < 0.5:
                accompaniment = "not_done"
            registered.append((person.pk, day))
        checks.append(
            EmploymentCheck(
                convocation=convocation,
                counsellor=user,
                situation=situation,
                in_scope=in_scope,
                already_ft=already_ft,
                rsa_recipient=rsa,
                agir_followed=agir,
                registered_today=register,
                ft_identifier=f"{person.pk % 10_000_000:07d}A" if register else "",
                ft_registration_date=day if register else None,
                first_appointment_date=appointment,
                accompaniment=accompaniment,
                accompaniment_date=accompanied_on,
                age_at_event=age,
                age_at_accompaniment=age_on(person.birth_date, accompanied_on)
                if accompanied_on
                else None,
            )
        )
    for contract in contracts:
        contract.fill_facts()  # bulk_create skips save() (ADR 0013)
    writer.add(Contract, contracts)
    for event in checks:
        event.fill_facts()
    writer.add(EmploymentCheck, checks)
    summary.contracts += len(contracts)
    summary.checks += len(checks)
    if registered and not writer.copy:
        # The persons are already inserted there: one UPDATE per distinct day of the chunk
        # (a few dozen), not per person. With COPY they are sent afterwards, registered.
        by_day: dict[datetime.date, list[int]] = {}
        for person_id, day in registered:
            by_day.setdefault(day, []).append(person_id)
        for day, ids in by_day.items():
            people_services.bulk_write(
                Person.objects.filter(pk__in=ids), ft_registered=True, ft_registration_date=day
            )

    # 5. Referrals in every state, with their transition log.
    _referrals(rng, [m for m in meta if m is not None], schemes, user, summary, writer)


_STEPS = {
    # state: the transitions (name, from, to) that lead there from a draft.
    "draft": [("create", "", "draft")],
    "sent": [("create", "", "draft"), ("send", "draft", "sent")],
    "waitlisted": [
        ("create", "", "draft"),
        ("send", "draft", "sent"),
        ("waitlist", "sent", "waitlisted"),
    ],
    "accepted": [
        ("create", "", "draft"),
        ("send", "draft", "sent"),
        ("accept", "sent", "accepted"),
    ],
    "refused": [("create", "", "draft"), ("send", "draft", "sent"), ("refuse", "sent", "refused")],
    "expired": [("create", "", "draft"), ("send", "draft", "sent"), ("expire", "sent", "expired")],
    "entered": [
        ("create", "", "draft"),
        ("send", "draft", "sent"),
        ("accept", "sent", "accepted"),
        ("enter", "accepted", "entered"),
    ],
    "completed": [
        ("create", "", "draft"),
        ("send", "draft", "sent"),
        ("accept", "sent", "accepted"),
        ("enter", "accepted", "entered"),
        ("complete", "entered", "completed"),
    ],
    "dropped_out": [
        ("create", "", "draft"),
        ("send", "draft", "sent"),
        ("accept", "sent", "accepted"),
        ("enter", "accepted", "entered"),
        ("drop_out", "entered", "dropped_out"),
    ],
    "withdrawn": [
        ("create", "", "draft"),
        ("send", "draft", "sent"),
        ("withdraw", "sent", "withdrawn"),
    ],
}


def _referrals(rng, present, schemes, user, summary, writer):
    from parcours.referrals.models import Referral, ReferralTransition

    referrals, steps = [], []
    tz = timezone.get_current_timezone()
    for person, session, _situation in present:
        if rng.random() > 0.45:
            continue
        organisation, options = schemes[person.directorate_id]
        scheme = rng.choice(options)
        state = _pick(rng, [s for s in REFERRAL_STATES if s[0] in _STEPS])
        created = datetime.datetime.combine(session.date, datetime.time(11, 0), tzinfo=tz)
        sent = created if state != "draft" else None
        answer = created + datetime.timedelta(days=rng.randint(1, 25))
        fields = {"sent_at": sent, "consent_given_at": sent}
        if state in {"waitlisted", "accepted", "refused", "entered", "completed", "dropped_out"}:
            fields["answered_at"] = answer
        if state in {"accepted", "entered", "completed", "dropped_out"}:
            fields["accepted_at"] = answer
        if state in {"entered", "completed", "dropped_out"}:
            fields["entered_on"] = answer.date() + datetime.timedelta(days=7)
        if state in {"completed", "dropped_out"}:
            fields["exited_on"] = fields["entered_on"] + datetime.timedelta(
                days=rng.randint(30, 300)
            )
        if state == "refused":
            fields["refusal_reason"] = rng.choice(["not_eligible", "no_place", "person_declined"])
        if state == "dropped_out":
            fields["drop_out_reason"] = rng.choice(["employment", "moved", "absences"])
        if state in {"refused", "expired", "completed", "dropped_out", "withdrawn"}:
            fields["closed_at"] = answer + datetime.timedelta(days=1)
        referrals.append(
            Referral(
                person=person,
                directorate_id=person.directorate_id,  # bulk_create skips save() (ADR 0013)
                scheme=scheme,
                status=state,
                origin="interview",
                referred_by=user,
                referrer_organisation=organisation,
                eligibility_status="eligible",
                created_at=created,
                **fields,
            )
        )
        steps.append((state, created, answer))
    referrals = writer.add(Referral, referrals)
    transitions = []
    for referral, (state, created, answer) in zip(referrals, steps, strict=True):
        for position, (name, source, target) in enumerate(_STEPS[state]):
            at = created if position < 2 else answer + datetime.timedelta(days=position)
            transitions.append(
                ReferralTransition(
                    referral=referral,
                    name=name,
                    from_status=source,
                    to_status=target,
                    at=at,
                    by=user,
                )
            )
    for transition in transitions:
        transition.fill_facts()  # bulk_create skips save() (ADR 0022)
    writer.add(ReferralTransition, transitions)
    summary.referrals += len(referrals)
    summary.transitions += len(transitions)
