"""The access log: every read of a person file or of people in a list is one append-only row."""

import csv
import datetime
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.organisations.roles import Role
from parcours.privacy.access_log import (
    Operation,
    purge_access_log,
    record_access,
    register_operation,
)
from parcours.privacy.models import AccessLog, AccessLogPerson, AppendOnlyError
from tests.factories import PersonFactory, membership_for
from tests.factories_privacy import AccessLogFactory, months_ago
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

DT_ROLES = [
    Role.RECEPTION_AGENT,
    Role.INTEGRATION_AUDITOR,
    Role.ASYLUM_AUDITOR,
    Role.DT_DIRECTOR,
    Role.DT_ADMIN,
]


def open_file(client, person):
    """Open a person file as a user would, giving a purpose when the role must."""
    response = client.get(f"/personnes/{person.pk}/")
    if response.status_code == 302 and "/motif/" in response["Location"]:
        client.post(response["Location"], {"reason": "supervision"})
        response = client.get(f"/personnes/{person.pk}/")
    return response


@pytest.mark.parametrize("role", DT_ROLES)
def test_a_person_file_read_by_each_dt_role_writes_exactly_one_row(client_for, role):
    person = PersonFactory()
    client = client_for(role)
    response = open_file(client, person)
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert log.operation == Operation.PERSON_READ
    assert log.user == client.membership.user
    assert log.organisation == client.membership.organisation
    assert log.role == role
    assert list(log.entries.values_list("person_id", flat=True)) == [person.pk]


@pytest.mark.parametrize("role", [Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN])
def test_a_person_file_read_by_a_partner_it_was_referred_to_writes_exactly_one_row(
    client_for, role
):
    from tests.factories_referrals import SchemeFactory, make_referral

    person = PersonFactory()
    make_referral(SchemeFactory(agir=True), person)
    client = client_for(role)
    # Partners are sent to their projection of the person (only what their schemes need).
    response = client.get(f"/personnes/{person.pk}/", follow=True)
    assert response.status_code == 200
    logs = list(AccessLog.objects.all())
    assert len(logs) == 1, (
        f"{response.request['PATH_INFO']} showed the person without an access-log row: the "
        "partner's view must call log_access(request, [person], Operation.PERSON_READ)"
    )
    assert (logs[0].role, logs[0].operation, logs[0].person_count) == (
        role,
        Operation.PERSON_READ,
        1,
    )


@pytest.mark.parametrize(
    "role",
    [Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN, Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN],
)
def test_a_refused_read_writes_no_row(client_for, role):
    person = PersonFactory()
    response = client_for(role).get(f"/personnes/{person.pk}/", follow=True)
    assert response.status_code in (403, 404)
    assert AccessLog.objects.count() == 0


def test_a_search_that_shows_people_writes_one_row_with_the_persons_shown(client_for):
    shown = [PersonFactory(last_name="KARIMI"), PersonFactory(last_name="KARIMOV")]
    PersonFactory(last_name="OSMAN")
    client = client_for(Role.RECEPTION_AGENT)
    client.post("/personnes/", {"q": "karim"})
    response = client.get("/personnes/")
    assert "KARIMI" in page_text(response)
    log = AccessLog.objects.get()
    assert log.operation == Operation.PERSON_SEARCH
    assert sorted(log.entries.values_list("person_id", flat=True)) == sorted(p.pk for p in shown)


def test_a_search_that_finds_nobody_writes_no_row(client_for):
    PersonFactory(last_name="OSMAN")
    client = client_for(Role.RECEPTION_AGENT)
    client.post("/personnes/", {"q": "inconnu"}, follow=True)
    assert AccessLog.objects.count() == 0


def test_the_searched_name_never_reaches_a_url_or_the_log(client_for):
    PersonFactory(last_name="KARIMI")
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post("/personnes/", {"q": "karimi"})
    assert response.status_code == 302
    assert "karimi" not in response["Location"].lower()
    text = page_text(client.get(response["Location"]))
    assert 'method="post" role="search"' in text
    assert "q=" not in text  # pagination links carry the page only
    log = AccessLog.objects.get()
    assert log.path_name == "person_list"
    assert "karimi" not in (log.path_name + log.purpose).lower()


def test_the_person_list_still_runs_a_fixed_number_of_queries_with_logging(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    PersonFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/personnes/")
    PersonFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        client.get("/personnes/")
    assert len(many) == len(few)


def test_record_access_serves_other_channels_and_refuses_unknown_operations():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory()
    code = register_operation("api_person_read_test", "Lecture API (test)")
    log = record_access(
        user=membership.user,
        membership=membership,
        persons=[person, person.pk],
        operation=code,
        path_name="api:person-detail",
    )
    assert log.person_count == 1
    with pytest.raises(ValueError):
        record_access(user=None, membership=None, persons=[], operation="made_up")


# Append-only --------------------------------------------------------------------------------


def test_an_access_log_row_cannot_be_changed_or_deleted_by_the_application():
    log = AccessLogFactory(person_list=[PersonFactory()])
    log.purpose = "rewritten"
    with pytest.raises(AppendOnlyError):
        log.save()
    with pytest.raises(AppendOnlyError):
        log.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=log.pk).update(purpose="rewritten")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLogPerson.objects.all().delete()
    assert AccessLog.objects.get().purpose == ""


def test_the_database_refuses_an_update_of_the_log_even_in_raw_sql():
    AccessLogFactory(person_list=[PersonFactory()])
    for table in ("privacy_accesslog", "privacy_accesslogperson"):
        column = "purpose" if table == "privacy_accesslog" else "person_id"
        value = "'x'" if column == "purpose" else "0"
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {column} = {value}")


def test_postgresql_refuses_a_raw_delete_outside_the_purge():
    """On SQLite (demo) the model alone guards deletions; production runs PostgreSQL."""
    AccessLogFactory(person_list=[PersonFactory()])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM privacy_accesslog")
    else:
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.all().delete()
    assert AccessLog.objects.count() == 1


def test_the_purge_removes_only_rows_older_than_twelve_months():
    person = PersonFactory()
    old = AccessLogFactory(at=months_ago(13), person_list=[person])
    recent = AccessLogFactory(at=months_ago(11), person_list=[person])
    assert purge_access_log() == 1  # dry run by default: counts, deletes nothing
    assert AccessLog.objects.count() == 2
    assert purge_access_log(dry_run=False) == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLogPerson.objects.filter(log_id=old.pk).exists()


def test_the_purge_follows_the_retention_setting(settings):
    settings.PARCOURS_ACCESS_LOG_RETENTION_MONTHS = 6
    AccessLogFactory(at=months_ago(7))
    AccessLogFactory(at=months_ago(5))
    assert purge_access_log(dry_run=False) == 1


# The data protection contact's page --------------------------------------------------------


def test_the_dt_data_protection_contact_reads_the_reads_of_its_people(client_for):
    person = PersonFactory()
    reader = client_for(Role.INTEGRATION_AUDITOR)
    reader.get(f"/personnes/{person.pk}/")
    response = client_for(Role.DT_DIRECTOR).get("/confidentialite/journal/")
    text = page_text(response)
    assert response.status_code == 200
    assert reader.membership.user.email in text
    assert person.display_name in text  # issue 16: names, not « n° 321 »
    assert f"n° {person.pk}" not in text
    assert "Consultation d'un dossier" in text


def test_the_log_of_another_directorate_is_not_shown(client_for):
    from parcours.territories.models import Department

    alsace = PersonFactory(department=Department.objects.get(code="67"))
    client_for(Role.INTEGRATION_AUDITOR, directorate_code="strasbourg").get(
        f"/personnes/{alsace.pk}/"
    )
    text = page_text(client_for(Role.DT_DIRECTOR).get("/confidentialite/journal/"))
    assert alsace.display_name not in text
    assert "Aucun accès ne correspond" in text


def test_the_log_is_filtered_by_person_name_user_and_period(client_for):
    first = PersonFactory(last_name="Benali", first_names="Rachid")
    second = PersonFactory(last_name="Kowalski", first_names="Anna")
    reader = client_for(Role.INTEGRATION_AUDITOR)
    reader.get(f"/personnes/{first.pk}/")
    reader.get(f"/personnes/{second.pk}/")
    other = client_for(Role.RECEPTION_AGENT)
    other.get(f"/personnes/{second.pk}/")
    director = client_for(Role.DT_DIRECTOR)
    page = director.get("/confidentialite/journal/")
    # The filter asks for a name, and offers the agents by name, never an internal number.
    assert "Numéro de dossier" not in page_text(page)
    assert "Nom, prénom ou numéro AGDREF" in page_text(page)
    # (The director's own reading of the log, names shown, is a row naming both: left out.)
    by_name = {"person": "benali", "operation": "person_read"}
    text = page_text(director.get("/confidentialite/journal/", by_name))
    assert "BENALI Rachid" in text and "KOWALSKI Anna" not in text
    by_user = {"user": other.membership.user.pk}
    text = page_text(director.get("/confidentialite/journal/", by_user))
    assert "KOWALSKI Anna" in text and "BENALI Rachid" not in text
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    text = page_text(director.get("/confidentialite/journal/", {"start": tomorrow}))
    assert "Aucun accès ne correspond" in text


def test_showing_names_in_the_log_is_itself_logged(client_for):
    person = PersonFactory()
    client_for(Role.INTEGRATION_AUDITOR).get(f"/personnes/{person.pk}/")
    director = client_for(Role.DT_DIRECTOR)
    director.get("/confidentialite/journal/")
    read = AccessLog.objects.get(operation="access_log_read")
    assert read.user == director.membership.user
    assert list(read.entries.values_list("person_id", flat=True)) == [person.pk]


def test_a_bad_filter_gets_a_french_message_and_no_rows(client_for):
    PersonFactory()
    response = client_for(Role.DT_DIRECTOR).get(
        "/confidentialite/journal/", {"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "La date de début doit précéder la date de fin" in page_text(response)


def test_the_export_is_a_csv_with_cells_that_cannot_run_as_formulas(client_for):
    person = PersonFactory()
    reader = client_for(Role.INTEGRATION_AUDITOR)
    reader.membership.user.first_name = '=HYPERLINK("http://evil.example")'
    reader.membership.user.save()
    reader.get(f"/personnes/{person.pk}/")
    response = client_for(Role.DT_DIRECTOR).get("/confidentialite/journal/export/")
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][0] == "Date"
    read = next(row for row in rows[1:] if row[5] == "Consultation d'un dossier")
    assert read[1].startswith("'=HYPERLINK")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert read[9] == person.display_name
    assert AccessLog.objects.filter(operation=Operation.ACCESS_LOG_EXPORT).count() == 1


def test_the_export_names_persons_with_their_agdref_and_logs_that_read(client_for):
    known = PersonFactory(agdref_number="7512345678", last_name="Benali", first_names="Rachid")
    other = PersonFactory(last_name="Martin", first_names="Léa")
    reader = client_for(Role.INTEGRATION_AUDITOR)
    reader.get(f"/personnes/{known.pk}/")
    reader.get(f"/personnes/{other.pk}/")
    director = client_for(Role.DT_DIRECTOR)
    response = director.get("/confidentialite/journal/export/")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    cells = [row[9] for row in rows[1:]]
    assert "BENALI Rachid (AGDREF 7512345678)" in cells
    assert "MARTIN Léa" in cells
    assert str(known.pk) not in cells
    assert reader.membership.user.get_full_name() in [row[1] for row in rows[1:]]
    read = AccessLog.objects.get(operation="access_log_read")
    assert read.user == director.membership.user
    assert set(read.entries.values_list("person_id", flat=True)) == {known.pk, other.pk}


@pytest.mark.parametrize(
    "url",
    [
        "/confidentialite/journal/",
        "/confidentialite/journal/export/",
        "/confidentialite/anonymisations-a-venir/",
    ],
)
@pytest.mark.parametrize(
    "role",
    [
        Role.PARTNER_COUNSELLOR,
        Role.PARTNER_ADMIN,
        Role.RECEPTION_AGENT,
        Role.INTEGRATION_AUDITOR,
        Role.REGIONAL_VIEWER,
        Role.NATIONAL_ADMIN,
    ],
)
def test_only_the_dt_managers_read_the_access_log(client_for, url, role):
    AccessLogFactory(person_list=[PersonFactory()])
    response = client_for(role).get(url)
    assert response.status_code == 403
    assert "n°" not in page_text(response)


def test_the_access_log_is_not_in_the_admin(client_for):
    from django.contrib import admin

    assert AccessLog not in admin.site._registry
    assert AccessLogPerson not in admin.site._registry
    response = client_for(Role.NATIONAL_ADMIN).get("/admin/privacy/accesslog/")
    assert response.status_code == 404


def test_the_access_log_page_runs_a_fixed_number_of_queries(client_for):
    director = client_for(Role.DT_DIRECTOR)
    AccessLogFactory(organisation=director.membership.organisation, person_list=[PersonFactory()])
    with CaptureQueriesContext(connection) as few:
        director.get("/confidentialite/journal/")
    for _ in range(20):
        AccessLogFactory(
            organisation=director.membership.organisation,
            person_list=PersonFactory.create_batch(3),
        )
    with CaptureQueriesContext(connection) as many:
        director.get("/confidentialite/journal/")
    assert len(many) == len(few)


def test_rows_younger_than_six_months_are_never_purged(settings):
    settings.PARCOURS_ACCESS_LOG_RETENTION_MONTHS = 1  # misconfigured: below the CNIL minimum
    AccessLogFactory(at=months_ago(3))
    assert purge_access_log(dry_run=False) == 0
    if connection.vendor == "postgresql":
        # Even a transaction that sets the purge flag cannot delete a young row.
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL parcours.access_log_purge = 'on'")
            cursor.execute("DELETE FROM privacy_accesslog")
    assert AccessLog.objects.count() == 1


def test_a_partner_counsellor_cannot_read_the_access_log_by_any_route():
    from tests.permissions_walk import signed_in_client
    from tests.urlwalk import walk

    reader = membership_for(Role.INTEGRATION_AUDITOR)
    AccessLogFactory(
        user=reader.user,
        organisation=reader.organisation,
        purpose="MOTIF-SECRET-DU-JOURNAL",
        person_list=[PersonFactory()],
    )
    client = signed_in_client(Role.PARTNER_COUNSELLOR)
    for route in walk():
        response = client.get(route.url, follow=True)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"MOTIF-SECRET-DU-JOURNAL" not in body, route.url
        assert reader.user.email.encode() not in body, route.url


def test_the_day_sheet_logs_the_people_it_shows(client_for):
    from tests.factories_reception import ConvocationFactory, SessionFactory

    client = client_for(Role.RECEPTION_AGENT)
    session = SessionFactory()
    ConvocationFactory.create_batch(3, session=session)
    assert client.get(f"/pfa/sessions/{session.pk}/").status_code == 200
    log = AccessLog.objects.get()
    assert (log.operation, log.person_count) == (Operation.PERSON_LIST, 3)


def test_the_partner_inbox_logs_the_people_it_shows(client_for):
    from tests.factories_referrals import SchemeFactory, make_referral

    client = client_for(Role.PARTNER_COUNSELLOR)
    scheme = SchemeFactory(organisation=client.membership.organisation)
    make_referral(scheme, state="sent")
    assert client.get("/orientations-recues/").status_code == 200
    log = AccessLog.objects.get()
    assert (log.operation, log.person_count) == (Operation.PERSON_LIST, 1)
