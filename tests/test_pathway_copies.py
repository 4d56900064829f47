"""Issue 12, item 3 (ADR 0022): the pathway figures read no person; the CIR's copy of the
employment situation follows every write that changes it and is checked like the others."""

import datetime
import importlib
import io
import types

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.indicators import pathway
from parcours.indicators.periods import Month, Period
from parcours.people import services as people_services
from parcours.people.models import Person
from parcours.privacy.retention import anonymise_persons
from parcours.reception import facts
from parcours.reception.models import Contract
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_indicators import ContractFactory, check_on
from tests.helpers import behind_the_back

pytestmark = pytest.mark.django_db

JANUARY = Month(2026, 1)
SIGNED = datetime.date(2026, 1, 12)
NOTHING_STALE = {"convocations": 0, "checks": 0, "contracts": 0}


def metz_delay() -> tuple[int, int, int]:
    metz = directorate("metz")
    delay = pathway.cir_to_ft_delays([metz.pk], Period.single(JANUARY)).get(
        (metz.pk, JANUARY), pathway.Delay()
    )
    return delay.count, delay.waiting, delay.not_concerned


def test_no_pathway_figure_reads_the_persons_table():
    person = PersonFactory(employment_status="cdi")
    check = check_on(datetime.date(2026, 1, 27), person=person)
    ContractFactory(person=person, convocation=check.convocation, signed_on=SIGNED)
    from tests.factories_referrals import make_referral

    make_referral(state="sent", now=datetime.datetime(2026, 1, 28, 10, tzinfo=datetime.UTC))
    metz = [directorate("metz").pk]
    period = Period.single(JANUARY)
    for figure in (
        lambda: pathway.cir_to_ft_delays(metz, period),
        lambda: pathway.referral_answer_delays(metz, period),
        lambda: pathway.referral_funnel(metz, period),
        lambda: pathway.contact_losses(metz, datetime.date(2026, 2, 27)),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert figure()
        assert not [q["sql"] for q in queries if '"people_person"' in q["sql"]]


def test_a_situation_recorded_through_the_services_moves_the_cir_out_of_waiting():
    person = PersonFactory(employment_status="job_seeker")
    ContractFactory(person=person, signed_on=SIGNED)
    assert metz_delay() == (0, 1, 0)

    people_services.update_situation(
        person, {"employment_status": "cdi"}, actor=None, reason="Entretien CIP"
    )
    assert Contract.objects.get().employment_status == "cdi"
    assert metz_delay() == (0, 0, 1)

    people_services.update_persons_bulk(
        [(person.pk, {"employment_status": "inactive"})], actor=UserFactory(), reason="Import"
    )
    assert Contract.objects.get().employment_status == "inactive"
    assert metz_delay() == (0, 1, 0)
    assert facts.stale_copies() == NOTHING_STALE


def test_anonymisation_and_a_departement_move_leave_the_delays_unchanged():
    from parcours.accounts.models import User
    from parcours.territories.models import Department

    for status in ("cdi", "job_seeker"):
        ContractFactory(person=PersonFactory(employment_status=status), signed_on=SIGNED)
    assert metz_delay() == (0, 1, 1)

    people_services.move_department(
        Department.objects.get(code="57"),
        directorate("strasbourg"),
        actor=User.objects.first() or UserFactory(),
        reason="Réorganisation des DT",
    )
    assert metz_delay() == (0, 1, 1)  # the CIR keeps the DT where it was signed
    anonymise_persons(Person.objects.values_list("pk", flat=True))
    assert metz_delay() == (0, 1, 1)
    assert facts.stale_copies() == NOTHING_STALE


def test_a_situation_changed_behind_the_application_is_found_and_repaired():
    person = PersonFactory(employment_status="job_seeker")
    ContractFactory(person=person, signed_on=SIGNED)
    behind_the_back(person, employment_status="student")
    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 1}
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_event_copies", stdout=out, stderr=io.StringIO())
    assert "contracts: 1" in out.getvalue()

    call_command("check_event_copies", "--repair", stdout=io.StringIO())

    assert facts.stale_copies() == NOTHING_STALE
    assert metz_delay() == (0, 0, 1)


def test_the_migration_fills_the_situation_copy_from_the_persons():
    """reception 0013 on this engine (PostgreSQL's UPDATE … FROM, or a portable subquery)."""
    ContractFactory(person=PersonFactory(employment_status="cdd"), signed_on=SIGNED)
    ContractFactory(person=PersonFactory(employment_status="job_seeker"), signed_on=SIGNED)
    Contract.objects.update(employment_status="unknown")
    assert facts.stale_copies()["contracts"] == 2
    migration = importlib.import_module(
        "parcours.reception.migrations.0013_contract_employment_status_copy"
    )

    # The migration only needs the connection and `execute` of its schema editor (a real one
    # cannot open inside the test's transaction on SQLite).
    with connection.cursor() as cursor:
        editor = types.SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.fill(apps, editor)

    assert facts.stale_copies() == NOTHING_STALE
    assert metz_delay() == (0, 1, 1)


# The person copied on each referral change (contact losses) ----------------------------------


def test_a_recent_referral_change_keeps_the_contact_and_follows_a_merge():
    from parcours.referrals.models import ReferralTransition
    from tests.factories_referrals import make_referral

    today = datetime.date(2026, 6, 1)
    long_ago = today - datetime.timedelta(days=100)
    absorbed = PersonFactory(last_name="BENALY")
    kept = PersonFactory(last_name="BENALI")
    ContractFactory(person=kept, signed_on=long_ago)
    metz = directorate("metz").pk
    assert pathway.contact_losses([metz], today)[metz] == pathway.ContactLoss(1, 1)

    recently = datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC)
    make_referral(person=absorbed, state="sent", now=recently)
    assert set(ReferralTransition.objects.values_list("person_id", flat=True)) == {absorbed.pk}
    people_services.merge_persons(kept, absorbed, actor=None, reason="Doublon")

    assert set(ReferralTransition.objects.values_list("person_id", flat=True)) == {kept.pk}
    assert pathway.contact_losses([metz], today)[metz] == pathway.ContactLoss(1, 0)


def test_the_migration_fills_the_person_of_each_referral_change():
    """referrals 0006 on this engine (PostgreSQL's UPDATE … FROM, or a portable subquery)."""
    from parcours.referrals.models import ReferralTransition
    from tests.factories_referrals import make_referral

    referral = make_referral(state="accepted")
    other = PersonFactory()
    ReferralTransition.objects.update(person=other)
    migration = importlib.import_module(
        "parcours.referrals.migrations.0006_referral_transition_person_copy"
    )
    with connection.cursor() as cursor:
        editor = types.SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.fill(apps, editor)

    persons = set(ReferralTransition.objects.values_list("person_id", flat=True))
    assert persons == {referral.person_id}
