"""Situation updates (issue 20 part 4, issue 17): the service, the state at a date, the API
and the pages, with need-to-know by any id (a partner writes only for persons referred to it)."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from parcours.api.models import Scope
from parcours.organisations.roles import Role
from parcours.people import services
from parcours.people.situations import (
    Situation,
    SituationUpdate,
    SituationWriteOutsideServices,
    Step,
    state_on,
)
from parcours.people.timeline import timeline_for
from parcours.privacy.access_log import Operation
from parcours.privacy.models import AccessLog, FieldChange
from parcours.privacy.subject_access import build_sections
from parcours.territories.models import Department
from tests.factories import OrganisationFactory, PersonFactory, membership_for
from tests.factories_api import bearer, token_key
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership

pytestmark = pytest.mark.django_db

JOB = {
    "kind": "job",
    "occurred_on": "2026-03-02",
    "contract_type": "cdd",
    "rome_code": "J1501",
    "employer_name": "Hôpital de Mercy",
}


def _record(person, membership, **values):
    return services.record_situation(
        person,
        {"kind": "job", "occurred_on": datetime.date(2026, 3, 2), "contract_type": "cdi"}
        | {"rome_code": "N1103"}
        | values,
        actor=membership.user,
        organisation=membership.organisation,
    )


def test_a_job_is_recorded_in_the_history_timeline_and_subject_access_export():
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory()
    outcome = _record(person, auditor, employer_name="Transports Lorrains")
    assert outcome.followed == {"situation_updates": 1}
    update = SituationUpdate.objects.get(person=person)
    assert (update.kind, update.rome_code, update.organisation) == (
        "job",
        "N1103",
        auditor.organisation,
    )
    titles = [event.title for event in timeline_for(person)]
    assert "Changement de situation : Nouvel emploi" in titles
    section = next(s for s in build_sections(person) if s.key == "situation_updates")
    assert section.rows[0]["detail"] == "CDI · N1103 · Transports Lorrains"


def test_a_france_travail_registration_marks_the_file_with_its_history():
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory()
    outcome = services.record_situation(
        person,
        {"kind": "ft_registration", "occurred_on": datetime.date(2026, 2, 10)},
        actor=auditor.user,
        organisation=auditor.organisation,
    )
    person.refresh_from_db()
    assert person.ft_registered and person.ft_registration_date == datetime.date(2026, 2, 10)
    assert outcome.changed_fields == {"ft_registered", "ft_registration_date"}
    assert FieldChange.objects.filter(person_id=person.pk, field="ft_registered").exists()


@pytest.mark.parametrize(
    "values, field",
    [
        ({"rome_code": "Z1234"}, "rome_code"),
        ({"rome_code": "J150"}, "rome_code"),
        ({"contract_type": ""}, "contract_type"),
        ({"kind": "training", "contract_type": "", "rome_code": ""}, "training_kind"),
        ({"kind": "work_language_training", "rome_code": "", "contract_type": ""}, "hours"),
        (
            {"kind": "work_language_training", "hours": 81, "rome_code": "", "contract_type": ""},
            "hours",
        ),
        ({"kind": "contract_end"}, "contract_type"),
        ({"occurred_on": timezone.localdate() + datetime.timedelta(days=1)}, "occurred_on"),
        ({"occurred_on": datetime.date(1980, 1, 1)}, "occurred_on"),
    ],
)
def test_bad_input_is_refused_in_french_and_writes_nothing(values, field):
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory()
    with pytest.raises(ValidationError) as error:
        _record(person, auditor, **values)
    assert field in error.value.message_dict
    assert not SituationUpdate.objects.exists()


def test_updates_are_written_through_the_services_only_and_never_changed():
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory()
    with pytest.raises(SituationWriteOutsideServices):
        SituationUpdate(
            person=person,
            kind="ft_registration",
            occurred_on=datetime.date(2026, 1, 5),
            organisation=auditor.organisation,
        ).save()
    update = _record(person, auditor).record
    update.detail = "changed"
    with pytest.raises(SituationWriteOutsideServices):
        update.save()


def test_anonymised_files_take_no_update():
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory(anonymised_at=timezone.now())
    with pytest.raises(ValidationError):
        _record(person, auditor)


def test_the_state_at_a_date_reads_the_updates_up_to_it_in_order():
    day = datetime.date
    steps = [
        Step(day(2026, 3, 1), 2, "contract_end"),
        Step(day(2026, 3, 1), 1, "job", "J1501"),  # the same day, recorded first
        Step(day(2026, 2, 1), 3, "job", "N1103"),
        Step(day(2026, 4, 1), 4, "training"),
        Step(day(2026, 5, 1), 5, "ft_registration"),
    ]
    start = Situation(ft_registered=False)
    assert state_on(start, steps, day(2026, 2, 15)) == Situation(True, "N1103")
    assert state_on(start, steps, day(2026, 3, 1)) == Situation()
    assert state_on(start, steps, day(2026, 4, 30)) == Situation(in_training=True)
    assert state_on(start, steps, day(2026, 5, 1)) == Situation(
        in_training=True, ft_registered=True
    )
    assert state_on(start, steps, day(2026, 1, 31)) == start


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def _partner_with_referred_person(name="France Travail Metz"):
    scheme = SchemeFactory(organisation=OrganisationFactory(name=name, kind="france_travail"))
    referral = make_referral(scheme)
    partner = partner_membership(scheme)
    return partner, referral.person


def test_a_partner_records_through_the_api_once_per_idempotency_key():
    partner, person = _partner_with_referred_person()
    client = Client(**bearer(token_key(partner, Scope.WRITE)))
    url = f"/api/v1/persons/{person.pk}/situations/"
    first = client.post(url, JOB, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["kind"], body["rome_code"], body["source"]) == ("job", "J1501", "api")
    again = client.post(url, JOB, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert SituationUpdate.objects.count() == 1
    listed = client.get(url).json()["results"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert AccessLog.objects.filter(operation=Operation.API_READ).exists()


def test_api_errors_are_problem_documents_and_write_nothing():
    partner, person = _partner_with_referred_person()
    client = Client(**bearer(token_key(partner, Scope.WRITE)))
    url = f"/api/v1/persons/{person.pk}/situations/"
    response = client.post(url, {**JOB, "rome_code": "Z9999"}, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "rome_code" in response.json()["errors"]
    response = client.post(
        url,
        {**JOB, "kind": "training", "training_kind": "vocational"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "contract_type" in response.json()["errors"]
    read_only = Client(**bearer(token_key(partner, Scope.READ)))
    assert read_only.post(url, JOB, content_type="application/json").status_code == 403
    assert not SituationUpdate.objects.exists()


def test_a_partner_cannot_record_for_a_person_not_referred_to_it_by_any_id():
    partner, _referred = _partner_with_referred_person()
    other_partner, stranger = _partner_with_referred_person("France Travail Thionville")
    unreferred = PersonFactory()
    client = Client(**bearer(token_key(partner, Scope.WRITE)))
    for pk in (stranger.pk, unreferred.pk, 0, 2**31 - 1, 2**31):
        url = f"/api/v1/persons/{pk}/situations/"
        assert client.post(url, JOB, content_type="application/json").status_code == 404, pk
        assert client.get(url).status_code == 404, pk
    assert not SituationUpdate.objects.exists()
    # Nor does it read what another partner recorded for a person referred to both.
    services.record_situation(
        stranger,
        {"kind": "ft_registration", "occurred_on": datetime.date(2026, 1, 5)},
        actor=other_partner.user,
        organisation=other_partner.organisation,
    )
    assert client.get("/api/v1/situations/").json()["results"] == []


def test_a_partner_reads_back_only_what_its_organisation_recorded():
    scheme = SchemeFactory()
    referral = make_referral(scheme)
    partner = partner_membership(scheme)
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    _record(referral.person, auditor)
    client = Client(**bearer(token_key(partner, Scope.WRITE)))
    assert client.get(f"/api/v1/persons/{referral.person.pk}/situations/").json()["results"] == []
    dt = Client(**bearer(token_key(auditor)))
    assert len(dt.get("/api/v1/situations/").json()["results"]) == 1


def test_a_dt_token_writes_only_for_the_persons_of_its_dt():
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    elsewhere = PersonFactory(department=Department.objects.get(code="67"))
    client = Client(**bearer(token_key(auditor, Scope.WRITE)))
    url = f"/api/v1/persons/{elsewhere.pk}/situations/"
    assert client.post(url, JOB, content_type="application/json").status_code == 404
    mine = PersonFactory()
    url = f"/api/v1/persons/{mine.pk}/situations/"
    assert client.post(url, JOB, content_type="application/json").status_code == 201


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

PAGE_JOB = {
    "kind": "job",
    "occurred_on": "2026-03-02",
    "contract_type": "cdi",
    "rome_code": "j1501",
}


def _signed_in(membership):
    client = Client()
    client.force_login(membership.user)
    return client


def test_a_partner_records_from_the_referral_page_for_a_person_referred_to_it():
    scheme = SchemeFactory(organisation=OrganisationFactory(name="Epide", kind="epide"))
    referral = make_referral(scheme)
    client = _signed_in(partner_membership(scheme))
    page = client.get(f"/orientations/{referral.pk}/").content.decode()
    url = f"/personnes/{referral.person.pk}/situations/"
    assert url in page
    response = client.post(url, PAGE_JOB)
    assert response.status_code == 302
    update = SituationUpdate.objects.get()
    assert (update.rome_code, update.source, update.organisation) == (
        "J1501",
        "page",
        scheme.organisation,
    )
    assert "Nouvel emploi" in client.get(url).content.decode()
    assert AccessLog.objects.filter(operation="situation_read").exists()


def test_a_partner_cannot_open_or_post_the_page_for_a_person_not_referred_to_it():
    partner, _referred = _partner_with_referred_person()
    _other, stranger = _partner_with_referred_person("France Travail Thionville")
    client = _signed_in(partner)
    for pk in (stranger.pk, PersonFactory().pk, 2**31 - 1):
        url = f"/personnes/{pk}/situations/"
        assert client.get(url).status_code == 404
        assert client.post(url, PAGE_JOB).status_code == 404
    assert not SituationUpdate.objects.exists()


def test_the_dt_records_from_the_person_file_and_bad_input_writes_nothing():
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    person = PersonFactory()
    client = _signed_in(auditor)
    url = f"/personnes/{person.pk}/situations/"
    response = client.post(url, {**PAGE_JOB, "rome_code": "Z1"})
    assert response.status_code == 400
    assert "code ROME" in response.content.decode()
    response = client.post(url, {**PAGE_JOB, "kind": "contract_end"})
    assert response.status_code == 400
    assert "ne s'applique pas" in unescape(response.content.decode())
    assert not SituationUpdate.objects.exists()
    assert client.post(url, PAGE_JOB).status_code == 302
    assert SituationUpdate.objects.get().organisation == auditor.organisation


@pytest.mark.parametrize("key", ["", "a b", "é", "x" * 101])
def test_a_malformed_idempotency_key_is_refused(key):
    partner, person = _partner_with_referred_person()
    client = Client(**bearer(token_key(partner, Scope.WRITE)))
    response = client.post(
        f"/api/v1/persons/{person.pk}/situations/",
        JOB,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400
    assert not SituationUpdate.objects.exists()
