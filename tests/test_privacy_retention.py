"""Retention: periods set by the data controller, daily anonymisation, dry run, notices."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.organisations.roles import Role
from parcours.people import services as people_services
from parcours.people.models import Language, Person
from parcours.privacy import retention
from parcours.privacy.history import acting_as
from parcours.privacy.models import AccessLog, FieldChange, RetentionPolicy
from parcours.privacy.retention import (
    ANONYMOUS_NAME,
    PERSON_FILES,
    anonymise_person,
    expired_persons,
    model_anonymiser,
    months_for,
    persons_due_soon,
    register_activity,
    register_anonymiser,
    run_retention,
    send_retention_notices,
)
from parcours.privacy.rules import age_at_month, retention_cutoff, subtract_months
from parcours.territories.models import Country, Directorate
from tests.factories import PersonFactory, UserFactory, membership_for
from tests.factories_privacy import AccessLogFactory, months_ago, set_last_step
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def full_person(**overrides):
    values = {
        "last_name": "HADDAD",
        "usual_name": "SALEH",
        "first_names": "Rania",
        "sex": "F",
        "birth_date": datetime.date(1994, 3, 17),
        "nationality": Country.objects.get(name="SYRIE"),
        "agdref_number": "7501234567",
        "phone": "0612345678",
        "email": "rania@example.org",
        "address": "3 rue des Roses",
        "postcode": "57000",
        "city": "Metz",
        "accommodation": "cph",
        "accommodation_name": "CPH de Metz",
        "employment_status": "job_seeker",
        "ft_registered": True,
        "ft_identifier": "1234567A",
        "ft_registration_date": datetime.date(2025, 6, 24),
        "language_level": "a1",
        "language_level_date": datetime.date(2025, 5, 12),
        "rsa_recipient": True,
        "interpreter_needed": True,
        "interpreter_language": Language.objects.get(code="ar"),
    }
    values.update(overrides)
    person = PersonFactory(**values)
    person.languages.set([Language.objects.get(code="ar")])
    return person


# Periods -------------------------------------------------------------------------------------


def test_the_default_period_of_person_files_is_24_months():
    assert months_for(PERSON_FILES) == 24


def test_the_data_controller_sets_the_period(client_for):
    client = client_for(Role.NATIONAL_ADMIN)
    # Every category is set at once (partner contacts too: partnerships/privacy.py; employer
    # contacts: employment/privacy.py; abandoned import files: privacy/import_files.py and
    # reception/privacy.py).
    response = client.post(
        "/confidentialite/conservation/",
        {
            PERSON_FILES: "18",
            "partner_contacts": "12",
            "employer_contacts": "12",
            "person_import_files": "1",
            "convocation_import_files": "1",
        },
        follow=True,
    )
    assert "Durées de conservation enregistrées" in page_text(response)
    assert months_for(PERSON_FILES) == 18
    assert months_for("partner_contacts") == 12
    assert RetentionPolicy.objects.get(category=PERSON_FILES).updated_by == client.membership.user


@pytest.mark.parametrize("months", ["0", "37", "douze"])
def test_a_period_outside_1_to_36_months_is_refused_and_nothing_changes(client_for, months):
    response = client_for(Role.NATIONAL_ADMIN).post(
        "/confidentialite/conservation/", {PERSON_FILES: months}
    )
    assert response.status_code == 200
    assert "Rien n'a été modifié" in page_text(response)
    assert RetentionPolicy.objects.count() == 0


def test_the_database_refuses_a_period_out_of_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionPolicy.objects.create(category=PERSON_FILES, months=40)


def test_the_policy_page_shows_what_the_next_run_would_anonymise(client_for):
    for _index in range(3):
        set_last_step(PersonFactory(), months_ago(25))
    response = client_for(Role.NATIONAL_ADMIN).get("/confidentialite/conservation/")
    text = page_text(response)
    assert "Dossiers des personnes" in text
    assert "24 mois" in text
    (row,) = [r for r in response.context["rows"] if r["category"].code == PERSON_FILES]
    assert row["report"].count == 3


@pytest.mark.parametrize(
    "role", [Role.DT_DIRECTOR, Role.DT_ADMIN, Role.PARTNER_ADMIN, Role.REGIONAL_VIEWER]
)
def test_only_the_data_controller_sets_periods(client_for, role):
    response = client_for(role).post("/confidentialite/conservation/", {PERSON_FILES: "1"})
    assert response.status_code == 403
    assert RetentionPolicy.objects.count() == 0


# Which files expire -----------------------------------------------------------------------------


def test_a_file_expires_24_months_after_its_last_recorded_step():
    now = timezone.now()
    old = set_last_step(PersonFactory(), subtract_months(now, 24) - datetime.timedelta(days=1))
    set_last_step(PersonFactory(), subtract_months(now, 24) + datetime.timedelta(days=1))
    assert list(expired_persons(now)) == [old]


def test_a_shorter_period_set_by_the_controller_applies():
    RetentionPolicy.objects.create(category=PERSON_FILES, months=6)
    person = set_last_step(PersonFactory(), months_ago(7))
    assert list(expired_persons()) == [person]


def test_later_steps_recorded_by_other_modules_keep_a_file_active(monkeypatch):
    idle = set_last_step(PersonFactory(), months_ago(30))
    followed = set_last_step(PersonFactory(), months_ago(30))
    monkeypatch.setattr(retention, "_activity_sources", [])

    @register_activity
    def interviews_since(since):  # e.g. the reception module's interviews
        return Person.objects.filter(pk=followed.pk).values("pk")

    assert list(expired_persons()) == [idle]


def test_age_is_counted_by_months_so_anonymisation_cannot_move_anyone_between_bands():
    born, anonymised_birth = datetime.date(1990, 5, 17), datetime.date(1990, 5, 1)
    for event in [
        datetime.date(2026, 5, 10),
        datetime.date(2026, 4, 30),
        datetime.date(2026, 6, 1),
    ]:
        assert age_at_month(born, event) == age_at_month(anonymised_birth, event.replace(day=1))
    assert age_at_month(None, datetime.date(2026, 1, 1)) is None


def test_retention_cutoff_refuses_a_period_outside_the_bounds():
    with pytest.raises(ValueError):
        retention_cutoff(timezone.now(), 37)


# Anonymisation ----------------------------------------------------------------------------------


def test_anonymisation_removes_identity_contact_and_free_text():
    person = full_person()
    anonymise_person(person)
    person.refresh_from_db()
    assert person.last_name == ANONYMOUS_NAME
    for field in ["usual_name", "first_names", "phone", "email", "address", "postcode", "city"]:
        assert getattr(person, field) == "", field
    assert person.accommodation_name == ""
    assert person.ft_identifier == ""
    assert person.agdref_number is None
    assert person.nationality is None
    assert person.interpreter_language is None
    assert list(person.languages.all()) == []
    assert person.anonymised_at is not None
    assert person.anonymisation_reason == "retention"


def test_anonymisation_keeps_what_indicators_need_by_month():
    person = full_person()
    people_services.bulk_write(
        Person.objects.filter(pk=person.pk),
        created_at=datetime.datetime(2025, 4, 30, 23, 30, tzinfo=datetime.UTC),  # 1 May in Paris
    )
    before = Person.objects.get(pk=person.pk)
    anonymise_person(person)
    after = Person.objects.get(pk=person.pk)
    assert after.birth_date == datetime.date(1994, 3, 1)
    assert after.ft_registration_date == datetime.date(2025, 6, 1)
    assert after.language_level_date == datetime.date(2025, 5, 1)
    local_created = timezone.localtime(after.created_at)
    assert (local_created.year, local_created.month) == (2025, 5)
    for field in [
        "sex",
        "department_id",
        "directorate_id",
        "residence_status",
        "employment_status",
        "ft_registered",
        "rsa_recipient",
        "agir_followed",
        "language_level",
        "accommodation",
        "interpreter_needed",
    ]:
        assert getattr(after, field) == getattr(before, field), field


def test_anonymisation_erases_the_change_history_but_keeps_the_access_log():
    person = full_person()
    with acting_as(UserFactory()):
        person.city = "Thionville"
        person.save()
    AccessLogFactory(person_list=[person])
    anonymise_person(person)
    assert FieldChange.objects.count() == 0
    assert AccessLog.objects.about_person(person.pk).count() == 1


def test_anonymisation_is_idempotent():
    person = full_person()
    assert anonymise_person(person) == 1
    first = Person.objects.get(pk=person.pk).anonymised_at
    assert anonymise_person(person) == 0
    assert Person.objects.get(pk=person.pk).anonymised_at == first


def test_registered_anonymisers_receive_the_persons_concerned(monkeypatch):
    seen = []
    monkeypatch.setattr(retention, "_anonymisers", [])
    register_anonymiser(seen.append)
    person = full_person()
    anonymise_person(person)
    assert seen == [[person.pk]]


def test_a_module_anonymises_its_rows_by_month_with_a_model_anonymiser():
    person = full_person()
    other = full_person(last_name="OSMAN", agdref_number="7509999999")
    anonymise = model_anonymiser(
        Person, person_field="pk", truncate=["language_level_date"], clear={"city": ""}
    )
    anonymise([person.pk])
    person.refresh_from_db()
    other.refresh_from_db()
    assert (person.language_level_date, person.city) == (datetime.date(2025, 5, 1), "")
    assert (other.language_level_date, other.city) == (datetime.date(2025, 5, 12), "Metz")


def test_an_anonymised_file_leaves_searches_and_cannot_be_edited(client_for):
    person = full_person()
    anonymise_person(person)
    client = client_for(Role.INTEGRATION_AUDITOR)
    assert "ANONYME" not in page_text(client.get("/personnes/"))
    response = client.get(f"/personnes/{person.pk}/modifier/", follow=True)
    assert "Ce dossier est anonymisé" in page_text(response)
    assert "Dossier anonymisé" in page_text(client.get(f"/personnes/{person.pk}/"))


# The daily run ----------------------------------------------------------------------------------


def test_a_dry_run_lists_what_would_go_and_changes_nothing():
    person = set_last_step(full_person(), months_ago(25))
    (report,) = [r for r in run_retention(dry_run=True) if r.category == PERSON_FILES]
    assert report.count == 1
    assert report.items == [(person.pk, "metz")]
    assert Person.objects.get(pk=person.pk).anonymised_at is None


def test_the_command_is_a_dry_run_unless_told_to_apply():
    person = set_last_step(full_person(), months_ago(25))
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "n° " + str(person.pk) in out.getvalue()
    assert "HADDAD" not in out.getvalue()  # the listing names files by number only
    assert Person.objects.get(pk=person.pk).anonymised_at is None
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert Person.objects.get(pk=person.pk).anonymised_at is not None


def test_the_daily_task_anonymises_purges_and_can_run_twice():
    from axes.models import AccessLog as SignInLog

    from parcours.privacy.tasks import daily_data_protection

    expired = set_last_step(full_person(), months_ago(25))
    kept = set_last_step(PersonFactory(), months_ago(2))
    AccessLogFactory(at=months_ago(13))
    old_sign_in = SignInLog.objects.create(username="a@example.org", ip_address="10.0.0.1")
    SignInLog.objects.filter(pk=old_sign_in.pk).update(attempt_time=months_ago(13))
    daily_data_protection.call_local()
    daily_data_protection.call_local()
    assert Person.objects.get(pk=expired.pk).anonymised_at is not None
    assert Person.objects.get(pk=kept.pk).anonymised_at is None
    assert AccessLog.objects.filter(at__lt=months_ago(12)).count() == 0
    assert not SignInLog.objects.filter(pk=old_sign_in.pk).exists()


# Notices ------------------------------------------------------------------------------------------


def test_the_dt_is_told_a_month_before_once_and_without_names():
    director = membership_for(Role.DT_DIRECTOR)
    metz = Directorate.objects.get(code="metz")
    Directorate.objects.filter(pk=metz.pk).update(email="dt-metz@ofii.example")
    due = set_last_step(full_person(), months_ago(24) + datetime.timedelta(days=10))
    set_last_step(PersonFactory(), months_ago(12))  # not due
    assert list(persons_due_soon()) == [due]
    assert send_retention_notices() == {"metz": 1}
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([director.user.email, "dt-metz@ofii.example"])
    assert message.subject.startswith("Parcours : 1 dossier sera anonymisé d'ici le ")
    assert "HADDAD" not in message.subject + message.body
    assert "/confidentialite/anonymisations-a-venir/" in message.body
    assert send_retention_notices() == {}
    assert len(mail.outbox) == 1
    assert Person.objects.get(pk=due.pk).updated_at < months_ago(23)  # still idle


def test_the_dt_lists_the_files_about_to_be_anonymised_and_the_reading_is_logged(client_for):
    due = set_last_step(full_person(), months_ago(24) + datetime.timedelta(days=10))
    response = client_for(Role.DT_DIRECTOR).get("/confidentialite/anonymisations-a-venir/")
    assert "HADDAD" in page_text(response) or "SALEH" in page_text(response)
    log = AccessLog.objects.get()
    assert log.operation == "retention_list"
    assert list(log.entries.values_list("person_id", flat=True)) == [due.pk]


def test_the_list_of_files_about_to_expire_runs_a_fixed_number_of_queries(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(Role.DT_DIRECTOR)
    almost = months_ago(24) + datetime.timedelta(days=10)
    set_last_step(PersonFactory(), almost)
    with CaptureQueriesContext(connection) as few:
        client.get("/confidentialite/anonymisations-a-venir/")
    for _index in range(20):
        set_last_step(PersonFactory(), almost)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/confidentialite/anonymisations-a-venir/")
    assert response.context["page"].paginator.count == 21
    assert len(many) == len(few)
