"""The FLE modality migration keeps past decisions and report figures, forwards and backwards."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.reception import services
from parcours.reception.models import LanguagePrescription
from tests.factories import UserFactory, directorate
from tests.factories_reception import ConvocationFactory, SessionFactory, metz_experiment

pytestmark = [pytest.mark.transactional, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 1, 27)
BEFORE = [("reception", "0005_event_facts_required"), ("people", "0004_person_retention")]
FIGURES = ("decided_on", "rule_version", "level", "target_level", "hours", "kind", "answer")


def _figures():
    report = compute_report(
        get_report(MONTHLY_REPORT), [directorate("metz")], Period.single(Month(2026, 1))
    )
    return {key: table.as_dict() for key, table in report.tables.items()}


def _decisions():
    return sorted(LanguagePrescription.objects.values_list("pk", *FIGURES))


def _migrate(targets):
    for app, name in targets:
        call_command("migrate", app, name, verbosity=0, skip_checks=True)


def _latest():
    call_command("migrate", verbosity=0, skip_checks=True)


def _day_with_checks_and_legacy_decisions():
    """A PFA day with CIP interviews, and decisions as the withdrawn 2025 grid made them."""
    metz_experiment()
    session = SessionFactory(directorate=directorate("metz"), date=DAY)
    auditor = UserFactory()
    for index, (situation, hours) in enumerate([("cdi", 300), ("job_seeker", 600)]):
        convocation = ConvocationFactory(session=session, present=True)
        services.record_employment_check(convocation, situation=situation, actor=auditor)
        LanguagePrescription.objects.create(
            person=convocation.person,
            convocation=convocation,
            decided_on=DAY,
            rule_version="fle-2025-07-15",
            level="a1",
            target_level="a2",
            hours=hours,
            kind="proposed",
            answer="accepted" if index else "declined",
            proposed_modality="not_recorded",
            modality="not_recorded",
            decided_by=auditor,
        )


def test_past_decisions_and_figures_survive_the_migration_backwards_and_forwards(threaded_db):
    _day_with_checks_and_legacy_decisions()
    figures, decisions = _figures(), _decisions()
    try:
        _migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldPrescription = old.get_model("reception", "LanguagePrescription")
        assert sorted(OldPrescription.objects.values_list("pk", *FIGURES)) == decisions
        # A decision recorded before the migration existed: the migration must mark it too.
        first = OldPrescription.objects.get(hours=300)
        OldPrescription.objects.filter(pk=first.pk).update(rule_version="fle-2019", hours=200)
        decisions = sorted(OldPrescription.objects.values_list("pk", *FIGURES))
    finally:
        _latest()
    assert _decisions() == decisions
    assert set(LanguagePrescription.objects.values_list("modality", "proposed_modality")) == {
        ("not_recorded", "not_recorded")
    }
    assert _figures() == figures


def test_migrating_back_refuses_to_lose_asynchronous_decisions(threaded_db):
    metz_experiment()
    convocation = ConvocationFactory(present=True, session__date=DAY)
    services.record_positioning(
        convocation, written_level="a1", oral_level="a1", can_read=True, actor=None
    )
    services.decide_prescription(convocation, answer="accepted", actor=UserFactory())
    try:
        with pytest.raises(RuntimeError, match="cannot be stored by the earlier schema"):
            _migrate(BEFORE[:1])
    finally:
        _latest()
    assert LanguagePrescription.objects.get().modality == "asynchronous"
