"""Issue 13: one door for the person record, facts frozen at the event, copies kept true."""

import ast
import datetime
import io
import pathlib

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.accounts.models import User
from parcours.indicators.approvals import approve_month
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import all_reports, get_report
from parcours.indicators.pathway import (
    cir_to_ft_delays,
    contact_losses,
    referral_answer_delays,
    referral_funnel,
)
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.people import services as people_services
from parcours.people.models import DepartmentTransfer, Person, PersonWriteOutsideServices
from parcours.privacy.models import FieldChange
from parcours.privacy.retention import anonymise_persons
from parcours.reception import facts
from parcours.reception.summary import summary_for
from parcours.reception.tasks import daily_event_copies_check
from parcours.territories.models import Department
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_indicators import (
    ContractFactory,
    accompanied,
    born,
    check_on,
)
from tests.helpers import behind_the_back

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parent.parent / "parcours"
JANUARY = Month(2026, 1)


# One door ------------------------------------------------------------------------------------


def _person_bulk_writes_outside_services() -> list[str]:
    """Calls of .update()/.bulk_update() on an expression naming Person, outside the services."""
    found = []
    for path in ROOT.rglob("*.py"):
        if (
            "migrations" in path.parts
            or path.name == "services.py"
            and path.parent.name == "people"
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"update", "bulk_update"}
                and "Person." in ast.unparse(node.func.value) + "."
                and "Person.languages" not in ast.unparse(node.func.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_module_but_the_person_services_bulk_writes_persons():
    assert _person_bulk_writes_outside_services() == []


def test_a_bulk_write_of_persons_outside_the_services_is_refused_at_run_time():
    person = PersonFactory()
    with pytest.raises(PersonWriteOutsideServices):
        Person.objects.filter(pk=person.pk).update(phone="0600000000")
    with pytest.raises(PersonWriteOutsideServices):
        Person.objects.bulk_update([person], ["phone"])


def test_no_domain_app_imports_the_http_layer():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.relative_to(ROOT).parts[0] in {"www", "urls.py", "settings.py"}:
            continue
        if "parcours.www" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


EVERY_EDIT = {
    "last_name": "DURAND",
    "usual_name": "MARTIN",
    "first_names": "Léa",
    "sex": "H",
    "birth_date": datetime.date(1988, 3, 4),
    "residence_status": "subsidiary_protection",  # AGIR below needs a protection status
    "phone": "0611223344",
    "email": "lea@example.org",
    "address": "1 rue Haute",
    "postcode": "57000",
    "city": "Metz",
    "accommodation": "hosted",
    "accommodation_name": "Chez un ami",
    "employment_status": "cdi",
    "ft_registered": True,
    "ft_identifier": "1234567A",
    "ft_registration_date": datetime.date(2026, 1, 5),
    "rsa_recipient": True,
    "agir_followed": True,
    "interpreter_needed": True,
    "language_level": "a2",
    "language_level_date": datetime.date(2026, 1, 6),
}


def test_every_field_changed_through_the_services_gives_one_history_row_with_actor():
    person = PersonFactory()
    agent = UserFactory()
    people_services.edit_person(
        person, EVERY_EDIT, actor=agent, reason="Titre de séjour relu au guichet"
    )
    rows = list(FieldChange.objects.filter(person=person))
    assert sorted(r.field for r in rows) == sorted(EVERY_EDIT)
    assert {r.user_id for r in rows} == {agent.pk}
    assert {r.reason for r in rows} == {"Titre de séjour relu au guichet"}


def test_the_person_page_writes_through_the_services_and_asks_why_for_an_identity_fix(
    client_for,
):
    from parcours.organisations.roles import Role

    person = PersonFactory(sex="F", city="Metz")
    client = client_for(Role.INTEGRATION_AUDITOR)
    data = {
        "last_name": person.last_name,
        "first_names": person.first_names,
        "sex": "H",
        "birth_date": person.birth_date.isoformat(),
        "residence_status": person.residence_status,
        "department": person.department_id,
        "accommodation": person.accommodation,
        "employment_status": person.employment_status,
        "city": "Thionville",
    }
    response = client.post(f"/personnes/{person.pk}/modifier/", data)
    assert response.status_code == 200
    assert "Indiquez le motif de la correction" in response.content.decode()
    assert not FieldChange.objects.exists()

    client.post(f"/personnes/{person.pk}/modifier/", {**data, "change_reason": "Passeport"})
    rows = {r.field: r for r in FieldChange.objects.filter(person=person)}
    assert set(rows) == {"sex", "city"}
    assert rows["sex"].user == client.membership.user and rows["sex"].reason == "Passeport"


def test_the_cip_interview_updates_the_situation_through_the_services():
    from parcours.reception import services
    from tests.factories_reception import ConvocationFactory, metz_experiment

    metz_experiment()
    convocation = ConvocationFactory(status="present", session__date=datetime.date(2026, 1, 27))
    cip = UserFactory()
    services.record_employment_check(
        convocation, situation="job_seeker", rsa_recipient=True, actor=cip
    )
    rows = {r.field: r for r in FieldChange.objects.filter(person=convocation.person)}
    assert {"employment_status", "rsa_recipient"} <= set(rows)
    assert rows["rsa_recipient"].user == cip
    assert "Entretien CIP" in rows["rsa_recipient"].reason


# Identity corrections and approved months ---------------------------------------------------


def test_a_correction_follows_open_months_and_leaves_approved_months_as_approved():
    metz = directorate("metz")
    person = PersonFactory(sex="F", birth_date=datetime.date(1990, 1, 1))
    january = check_on(datetime.date(2026, 1, 27), person=person)
    february = check_on(datetime.date(2026, 2, 24), person=person)
    director = UserFactory()
    approve_month(
        definition=get_report(MONTHLY_REPORT),
        directorate=metz,
        month=JANUARY,
        user=director,
        today=datetime.date(2026, 2, 10),
    )
    outcome = people_services.correct_identity(
        person, sex="H", actor=director, reason="Erreur de saisie"
    )
    january.convocation.refresh_from_db()
    february.convocation.refresh_from_db()
    assert january.convocation.sex == "F"  # approved: kept
    assert february.convocation.sex == "H"
    assert outcome.kept_as_approved == 2  # the convocation and the CIP interview
    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}

    from parcours.indicators.frozen import corrections_since
    from parcours.indicators.models import MonthlyApproval

    flags = corrections_since(MonthlyApproval.objects.get())
    assert [(f["label"], f["reason"]) for f in flags] == [
        ("modifié depuis la validation", "Erreur de saisie")
    ]


def test_an_identity_correction_needs_a_reason():
    person = PersonFactory()
    with pytest.raises(ValidationError):
        people_services.correct_identity(person, sex="H", actor=None, reason=" ")
    with pytest.raises(ValidationError):
        people_services.edit_person(person, {"sex": "H"}, actor=None)


# Copies checked -----------------------------------------------------------------------------


def test_approving_a_month_with_a_stale_copy_is_refused_and_the_daily_task_repairs_it():
    person = PersonFactory(sex="F")
    check_on(datetime.date(2026, 1, 27), person=person)
    behind_the_back(person, sex="H")
    with pytest.raises(ValidationError) as refused:
        approve_month(
            definition=get_report(MONTHLY_REPORT),
            directorate=directorate("metz"),
            month=JANUARY,
            user=UserFactory(),
            today=datetime.date(2026, 2, 10),
        )
    assert "copie périmée" in refused.value.messages[0]

    repaired = daily_event_copies_check.call_local()
    assert repaired == {"convocations": 1, "checks": 1, "contracts": 0}
    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}
    approve_month(
        definition=get_report(MONTHLY_REPORT),
        directorate=directorate("metz"),
        month=JANUARY,
        user=UserFactory(),
        today=datetime.date(2026, 2, 10),
    )


# Facts frozen: anonymisation and département moves leave every report unchanged ------------


def every_report(dt_ids):
    period = Period.year(2026)
    refs = directorate_objects(dt_ids)
    figures = {}
    for definition in all_reports():
        report = compute_report(definition, refs, period)
        for ref in refs:
            for month in period.months:
                figures[(definition.code, ref.id, str(month))] = report.figures(ref.id, month)
    figures["delays"] = {k: v.histogram for k, v in cir_to_ft_delays(dt_ids, period).items()}
    figures["answers"] = {
        k: (v.histogram, v.waiting) for k, v in referral_answer_delays(dt_ids, period).items()
    }
    figures["funnel"] = [
        (r.directorate_id, str(r.month), r.scheme_id, r.stages)
        for r in referral_funnel(dt_ids, period)
    ]
    figures["losses"] = contact_losses(dt_ids, datetime.date(2026, 6, 30))
    for pk in dt_ids:
        figures[("day", pk)] = summary_for(
            pk, first=datetime.date(2026, 1, 1), last=datetime.date(2026, 12, 31)
        )
    return figures


def directorate_objects(ids):
    from parcours.territories.models import Directorate

    return list(Directorate.objects.filter(pk__in=ids).order_by("pk"))


# Ages on each side of every band boundary (25/26, 45/46, 64/65), birthdays around the day.
AGES = st.sampled_from([24, 25, 26, 45, 46, 64, 65])
SHIFT = st.integers(min_value=-2, max_value=2)
DAYS = st.sampled_from([datetime.date(2026, 1, 27), datetime.date(2026, 3, 2)])
PEOPLE = st.lists(
    st.tuples(AGES, SHIFT, st.sampled_from(["F", "H", "X"]), DAYS, st.integers(0, 40)),
    min_size=1,
    max_size=5,
)


def _build(people):
    from tests.factories_referrals import make_referral

    for age, shift, sex, day, later in people:
        birth = born(age, day) + datetime.timedelta(days=shift)
        person = PersonFactory(sex=sex, birth_date=birth)
        check = check_on(day, person=person)
        accompanied(check, day + datetime.timedelta(days=later))
        ContractFactory(person=person, convocation=check.convocation, signed_on=day)
        people_services.update_situation(
            person,
            {"ft_registered": True, "ft_registration_date": day + datetime.timedelta(days=later)},
            actor=None,
            reason="Inscription",
        )
    make_referral(state="accepted", now=datetime.datetime(2026, 1, 28, 10, tzinfo=datetime.UTC))


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=PEOPLE)
def test_every_report_is_identical_after_anonymisation_and_after_a_departement_moves(people):
    with transaction.atomic():
        _build(people)
        metz, other = directorate("metz"), directorate("strasbourg")
        dt_ids = [metz.pk, other.pk]
        before = every_report(dt_ids)

        people_services.move_department(
            Department.objects.get(code="57"),
            other,
            actor=User.objects.first(),
            reason="Réorganisation des DT",
        )
        assert (
            DepartmentTransfer.objects.get().persons_moved
            == Person.objects.filter(department__code="57").count()
        )
        assert not Person.objects.filter(department__code="57", directorate=metz).exists()
        assert every_report(dt_ids) == before

        anonymise_persons(Person.objects.values_list("pk", flat=True))
        assert every_report(dt_ids) == before
        # A later full save of an anonymised file recomputes no age.
        for person in Person.objects.all():
            person.save()
        assert every_report(dt_ids) == before
        transaction.set_rollback(True)


def test_the_move_command_logs_the_operation():
    PersonFactory()
    out = io.StringIO()
    call_command("move_department", "57", "strasbourg", "--reason", "Découpage", stdout=out)
    assert "1 persons moved" in out.getvalue()
    transfer = DepartmentTransfer.objects.get()
    assert (transfer.from_directorate.code, transfer.to_directorate.code) == ("metz", "strasbourg")


def test_the_pathway_figures_are_one_statement_each_on_the_event_copies():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories_referrals import make_referral

    person = PersonFactory()
    check = check_on(datetime.date(2026, 1, 27), person=person)
    ContractFactory(person=person, convocation=check.convocation)
    make_referral(state="sent", now=datetime.datetime(2026, 1, 28, 10, tzinfo=datetime.UTC))
    dt_ids = [directorate("metz").pk]
    period = Period.single(JANUARY)
    for figure in (
        lambda: cir_to_ft_delays(dt_ids, period),
        lambda: referral_answer_delays(dt_ids, period),
        lambda: referral_funnel(dt_ids, period),
        lambda: contact_losses(dt_ids, datetime.date(2026, 2, 27)),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert figure()
        # One read (PostgreSQL adds a savepoint and SET LOCAL around it, indicators.db).
        reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
        assert len(reads) == 1
        # Grouped by the DT copied on the event, not by the person's current DT.
        assert '"people_person"."directorate_id"' not in reads[0]


def test_the_migrations_fill_the_new_copies_from_their_sources():
    """reception 0006 and referrals 0002 on this engine, from rows whose copies are wrong."""
    import importlib

    from django.apps import apps

    from parcours.reception.models import Contract, EmploymentCheck
    from parcours.referrals.models import Referral
    from tests.factories_referrals import make_referral

    person = PersonFactory(birth_date=datetime.date(1990, 2, 1))
    check = accompanied(
        check_on(datetime.date(2026, 1, 27), person=person), datetime.date(2026, 2, 3)
    )
    ContractFactory(person=person, convocation=check.convocation)
    people_services.update_situation(
        person,
        {"ft_registered": True, "ft_registration_date": datetime.date(2026, 2, 1)},
        actor=None,
        reason="Inscription",
    )
    referral = make_referral(state="sent", now=datetime.datetime(2026, 1, 28, tzinfo=datetime.UTC))
    other = directorate("strasbourg")
    Contract.objects.update(directorate=other, ft_registered=False, ft_registration_date=None)
    EmploymentCheck.objects.update(age_at_accompaniment=None)
    Referral.objects.update(directorate=other)
    assert facts.stale_copies()["contracts"] == 1

    for name in (
        "parcours.reception.migrations.0009_frozen_facts_on_cir_and_accompaniment",
        "parcours.referrals.migrations.0004_referral_directorate_copy",
    ):
        importlib.import_module(name).fill(apps, None)

    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}
    assert EmploymentCheck.objects.get().age_at_accompaniment == 36
    referral.refresh_from_db()
    assert referral.directorate_id == referral.person.directorate_id != other.pk


def test_every_field_changed_through_the_person_page_gives_one_history_row_with_actor(
    client_for,
):
    from parcours.organisations.roles import Role
    from parcours.people.models import Language
    from parcours.territories.models import Country
    from parcours.www.forms import PersonForm

    person = PersonFactory()
    client = client_for(Role.INTEGRATION_AUDITOR)
    arabic = Language.objects.get(code="ar")
    payload = {
        **{k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in EVERY_EDIT.items()},
        "nationality": Country.objects.get(name="SYRIE").pk,
        "agdref_number": "7501234567",
        "department": Department.objects.get(code="57").pk,
        "interpreter_language": arabic.pk,
        "languages": [arabic.pk],
        "intended_title": "resident_card",
        "change_reason": "Titre de séjour relu",
    }
    payload = {k: v for k, v in payload.items() if v is not False}  # unchecked boxes are absent
    payload.pop("language_level")  # set by the positioning, not on this page
    payload.pop("language_level_date")
    response = client.post(f"/personnes/{person.pk}/modifier/", payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = list(FieldChange.objects.filter(person=person))
    expected = set(PersonForm.Meta.fields) - {"department"}  # already 57: unchanged
    assert sorted(r.field for r in rows) == sorted(expected)
    assert {r.user_id for r in rows} == {client.membership.user.pk}
