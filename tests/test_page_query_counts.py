"""Every page `make bench` measures runs a fixed number of SQL statements, whatever the data.

Issue 12: pages that cost one query per row went unseen until measured at a million persons.
Each page is read once with one unit of data in DT Metz, then again after four more units (a
person convoked and present, with a CIR and a CIP interview, another absent, a referral to a
partner): the statement counts must be equal, and stay within the bound noted here (what the
page needs today; a new query per page is a decision, not an accident).
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from parcours.organisations.roles import Role
from parcours.reception.models import AttendanceStatus
from tests.factories import PersonFactory, membership_for
from tests.factories_indicators import ContractFactory, ConvocationFactory, EmploymentCheckFactory
from tests.factories_indicators import SessionFactory as IndicatorSessionFactory
from tests.factories_reception import SessionFactory
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)
JANUARY = "?start=2026-01&end=2026-01"


class World:
    """DT Metz with `add(n)` units of pathway; the pages' accounts signed in."""

    def __init__(self):
        self.session = IndicatorSessionFactory(date=DAY)
        self.scheme = SchemeFactory()
        self.clients = {}
        self.persons = []
        self.referrals = []
        self.counter = 0

    def client(self, role):
        if role not in self.clients:
            if role == "partner":
                membership = partner_membership(self.scheme)
            else:
                membership = membership_for(role)
            client = Client()
            client.force_login(membership.user)
            self.clients[role] = client
        return self.clients[role]

    def add(self, units: int):
        for _ in range(units):
            self.counter += 1
            person = PersonFactory(
                last_name=f"HADDAD{self.counter}", agdref_number=f"{1_000_000_000 + self.counter}"
            )
            convocation = ConvocationFactory(session=self.session, person=person)
            ContractFactory(person=person, convocation=convocation, signed_on=DAY)
            EmploymentCheckFactory(
                convocation=convocation,
                registered=True,
                first_appointment_date=DAY + datetime.timedelta(days=10),
            )
            ConvocationFactory(session=self.session, status=AttendanceStatus.ABSENT)
            self.referrals.append(make_referral(self.scheme, person))
            self.persons.append(person)


def _xlsx(numbers) -> bytes:
    workbook = Workbook()
    workbook.active.append(["AGDREF"])
    for number in numbers:
        workbook.active.append([number])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# (name, role, request builder, expected status, most statements allowed)
PAGES = [
    # Issue 16: the home adds today's sessions (and their staff), the delay and three worklist
    # counts, one query each.
    ("home", Role.INTEGRATION_AUDITOR, lambda w: ("get", "/", {}), 200, 18),
    # Issue 18: + who was reached and how (the session's messages and page answers: 2).
    ("day sheet", Role.RECEPTION_AGENT,
     lambda w: ("get", f"/pfa/sessions/{w.session.pk}/", {}), 200, 19),
    # Issues 16 and 18: + the coming sessions with free seats to convoke into, and the
    # messages sent to the person (who was reached and how); issue 20: + the changes of
    # situation on the timeline.
    ("person file", Role.RECEPTION_AGENT,
     lambda w: ("get", f"/personnes/{w.persons[0].pk}/", {}), 200, 20),
    # The search reads the matches' names once to rank them (SQLite), the filters' form its
    # départements (issue 16.5).
    ("person search", Role.RECEPTION_AGENT, lambda w: ("get", "/personnes/?q=HADDAD", {}), 200, 17),
    ("person list", Role.RECEPTION_AGENT, lambda w: ("get", "/personnes/?q=", {}), 200, 16),
    # Issue 18: + the capacity warning (3 queries), the answers of the persons' pages (1) and
    # the DT's reminder delay (1).
    ("worklists", Role.RECEPTION_AGENT, lambda w: ("get", "/pfa/a-traiter/", {}), 200, 21),
    # The figures pages: PostgreSQL runs a few statements more than SQLite here (the figures
    # generation's read, the release record's write: issues 11 and 12), the same with 1 or 5 units.
    ("DT figures", Role.DT_DIRECTOR, lambda w: ("get", "/chiffres/" + JANUARY, {}), 200, 48),
    ("XLSX export", Role.DT_DIRECTOR,
     lambda w: ("get", "/chiffres/export.xlsx" + JANUARY, {}), 200, 12),
    ("summary CSV", Role.DT_DIRECTOR,
     lambda w: ("get", f"/pfa/recapitulatif.csv?date={DAY}", {}), 200, 12),
    ("DREETS region", Role.REGIONAL_VIEWER, lambda w: ("get", "/chiffres/" + JANUARY, {}), 200, 48),
    ("national year", Role.NATIONAL_ADMIN,
     lambda w: ("get", "/chiffres/?start=2026-01&end=2026-12", {}), 200, 48),
    # Issue 20: the impact's cohorts (5 queries for the facts), exact and protected.
    ("impact DT", Role.DT_DIRECTOR,
     lambda w: ("get", "/impact/?debut=2026-01&fin=2026-01", {}), 200, 20),
    ("impact DREETS", Role.REGIONAL_VIEWER,
     lambda w: ("get", "/impact/?debut=2026-01&fin=2026-01", {}), 200, 20),
    # The filters' form reads the inbox's schemes and DTs (issue 16.5).
    ("partner inbox", "partner", lambda w: ("get", "/orientations-recues/", {}), 200, 18),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "role", "build", "status", "bound"), PAGES, ids=[p[0] for p in PAGES]
)
def test_a_measured_page_runs_the_same_statements_with_one_or_five_units(
    name, role, build, status, bound
):
    world = World()
    world.add(1)
    client = world.client(role)
    method, path, data = build(world)
    getattr(client, method)(path, data)  # the first read fills per-process caches
    with CaptureQueriesContext(connection) as one:
        response = getattr(client, method)(path, data)
    assert response.status_code == status
    world.add(4)
    with CaptureQueriesContext(connection) as five:
        response = getattr(client, method)(path, data)
    assert response.status_code == status
    assert len(five) == len(one), [q["sql"][:120] for q in five.captured_queries]
    assert len(one) <= bound


def test_accepting_a_referral_costs_the_same_with_one_or_many_waiting():
    world = World()
    world.add(2)
    client = world.client("partner")
    with CaptureQueriesContext(connection) as one:
        response = client.post(f"/orientations-recues/{world.referrals[0].pk}/accepter/")
    assert response.status_code == 302
    world.add(8)
    with CaptureQueriesContext(connection) as many:
        response = client.post(f"/orientations-recues/{world.referrals[1].pk}/accepter/")
    assert response.status_code == 302
    assert len(many) == len(one)


def test_importing_a_list_costs_the_same_for_one_or_many_numbers():
    """The import looks the persons up together and convokes them in bulk: the upload (the
    preview's planning), the preview page and the confirmation each run as many statements
    for 2 rows as for 10 (issue 17 point 4)."""
    client = Client()
    client.force_login(membership_for(Role.RECEPTION_AGENT).user)
    people = [PersonFactory(agdref_number=f"{2_000_000_000 + i}") for i in range(12)]

    def convoke(persons):
        session = SessionFactory(date=DAY + datetime.timedelta(days=30), capacity=60)
        upload = SimpleUploadedFile("liste.xlsx", _xlsx(p.agdref_number for p in persons))
        counts = []
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/pfa/sessions/{session.pk}/convoquer/", {"source": "file", "agdref_file": upload}
            )
        assert response.status_code == 302
        counts.append(len(queries))
        preview = response["Location"]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(preview).status_code == 200
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            assert client.post(preview + "confirmer/").status_code == 302
        counts.append(len(queries))
        assert session.convocations.count() == len(persons)
        return counts

    convoke(people[:1])  # the first import saves the organisation's column mapping
    assert convoke(people[1:3]) == convoke(people[3:])


# Pages whose figures or counts are cached under the generation (parcours/core/freshness.py):
# read again before any write, they cost this many statements at most, with one or five units.
CACHED = [
    ("DT figures", Role.DT_DIRECTOR, "/chiffres/" + JANUARY, 12),
    ("XLSX export", Role.DT_DIRECTOR, "/chiffres/export.xlsx" + JANUARY, 8),
    # Not the DREETS region nor the national year: a protected release is built, audited and
    # recorded for its audience on each view (issue 11, indicators/release.py keeps its own
    # cache of protections); their statements are bounded in PAGES above.
    # Issue 18: + the capacity warning (3), the persons' page answers (1), the reminder delay (1);
    # issue 16: + the sessions with free seats to re-convoke into (1).
    ("worklists", Role.RECEPTION_AGENT, "/pfa/a-traiter/", 19),
]


@pytest.mark.parametrize(("name", "role", "path", "bound"), CACHED, ids=[p[0] for p in CACHED])
def test_a_cached_page_read_again_runs_the_same_few_statements_with_one_or_five_units(
    name, role, path, bound, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    settings.PARCOURS_FIGURES_CACHE_SECONDS = 600
    cache.clear()
    counts = []
    world = None
    for units in (1, 4):
        with django_capture_on_commit_callbacks(execute=True):  # as committed in production
            world = world or World()
            world.add(units)
            client = world.client(role)
        assert client.get(path).status_code == 200  # computes and stores
        with CaptureQueriesContext(connection) as again:
            assert client.get(path).status_code == 200
        counts.append(len(again))
    cache.clear()
    assert counts[0] == counts[1]
    assert counts[0] <= bound


def _report_reads(queries) -> list[str]:
    """The monthly report's statements (one query reads every table, the FLE ones included)."""
    return [
        q["sql"] for q in queries.captured_queries if "reception_languageprescription" in q["sql"]
    ]


@pytest.mark.parametrize(
    ("role", "path", "reads"),
    [
        # One month: the month itself, then only the month before for the summary.
        (Role.REGIONAL_VIEWER, "/chiffres/" + JANUARY, 2),
        # A year holds both months of the summary: the report is read once.
        (Role.NATIONAL_ADMIN, "/chiffres/?start=2026-01&end=2026-12", 1),
    ],
    ids=["DREETS month", "national year"],
)
def test_the_summary_reads_only_the_month_the_selection_lacks(role, path, reads):
    """Issue 12: the summary at the top of a protected figures page computed its two months
    again, reading the selection's last month twice (73 ms of SQL for a DREETS month at a
    million persons); it now reuses the tables the page's report has read."""
    world = World()
    world.add(1)
    client = world.client(role)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    report = _report_reads(queries)
    assert len(report) == reads
    if reads == 2:
        assert "2025-12-01" in report[1] and "2026-02-01" not in report[1]  # December only
