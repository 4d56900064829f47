"""Services of the reception day: what they record, what they refuse, what they log."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.people import services as people_services
from parcours.people.models import Language, Person
from parcours.reception import services
from parcours.reception.models import (
    AttendanceStatus,
    CipPresentation,
    Contract,
    Convocation,
    ConvocationTransition,
    DiagnosticInterview,
    EmploymentCheck,
    LanguagePrescription,
    Positioning,
    ReceptionSession,
    ReceptionSettings,
    StaffRole,
)
from parcours.territories.models import Department
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_reception import (
    IN_EXPERIMENT,
    ConvocationFactory,
    SessionFactory,
    metz_experiment,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def messages_of(error: ValidationError) -> str:
    return " ".join(error.value.messages)


# --- Sessions --------------------------------------------------------------------------------


def test_a_session_gets_the_directorate_address_12_seats_and_the_half_day_start_time():
    agent = UserFactory()
    session = services.plan_session(
        directorate("metz"),
        date=TODAY(),
        half_day="afternoon",
        place="Salle Lafayette",
        staff={StaffRole.RECEPTION: [agent]},
        actor=agent,
    )
    assert session.capacity == 12
    assert session.address == "2, rue Lafayette, 57000 Metz"
    assert session.start_time == datetime.time(13, 30)
    assert list(session.staff.values_list("user", "role")) == [(agent.pk, "reception")]


def test_two_sessions_cannot_share_a_room_at_the_same_half_day():
    SessionFactory(date=TODAY(), half_day="morning", place="Salle A")
    with pytest.raises(ValidationError) as error:
        services.plan_session(
            directorate("metz"), date=TODAY(), half_day="morning", place="Salle A"
        )
    assert "Une session a déjà lieu" in messages_of(error)
    assert ReceptionSession.objects.count() == 1


def test_a_session_cannot_shrink_below_the_people_already_convoked():
    session = SessionFactory(capacity=3)
    ConvocationFactory.create_batch(3, session=session)
    with pytest.raises(ValidationError) as error:
        services.update_session(
            session,
            date=session.date,
            half_day=session.half_day,
            place=session.place,
            address=session.address,
            capacity=2,
            start_time=session.start_time,
        )
    assert "3 personnes sont déjà convoquées" in messages_of(error)
    session.refresh_from_db()
    assert session.capacity == 3


def test_staff_can_be_replaced_role_by_role():
    first, second = UserFactory(), UserFactory()
    session = SessionFactory()
    services.set_staff(session, {StaffRole.CIP: [first]})
    services.set_staff(session, {StaffRole.CIP: [second], StaffRole.PROVIDER: [first]})
    assert set(session.staff.values_list("user", "role")) == {
        (second.pk, "cip"),
        (first.pk, "provider"),
    }


# --- Convocations ----------------------------------------------------------------------------


def test_convoking_logs_a_first_transition_and_stores_the_age_on_the_session_day():
    session = SessionFactory(date=datetime.date(2026, 1, 27))
    person = PersonFactory(birth_date=datetime.date(2000, 1, 28))
    agent = UserFactory()
    convocation = services.convoke(session, person, actor=agent)
    assert convocation.status == AttendanceStatus.PENDING
    assert convocation.age_at_event == 25
    transition = ConvocationTransition.objects.get(convocation=convocation)
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "",
        "pending",
        agent,
    )


def test_the_letter_language_follows_what_the_person_speaks():
    session = SessionFactory()
    arabic_speaker = PersonFactory()
    arabic_speaker.languages.add(Language.objects.get(code="ar"))
    english_with_interpreter = PersonFactory(
        interpreter_needed=True, interpreter_language=Language.objects.get(code="en")
    )
    english_with_interpreter.languages.add(Language.objects.get(code="ar"))
    french_only = PersonFactory()
    convocations = services.convoke_many(
        session, [arabic_speaker, english_with_interpreter, french_only], actor=None
    )
    assert [c.letter_language for c in convocations] == ["ar", "en", ""]


def test_a_person_of_another_directorate_cannot_be_convoked():
    session = SessionFactory()
    alsace = PersonFactory(department=Department.objects.get(code="67"))
    with pytest.raises(ValidationError) as error:
        services.convoke(session, alsace, actor=None)
    assert "ne relève pas de DT Metz" in messages_of(error)
    assert not Convocation.objects.exists()


def test_a_person_cannot_be_convoked_twice_to_the_same_session():
    convocation = ConvocationFactory()
    with pytest.raises(ValidationError) as error:
        services.convoke(convocation.session, convocation.person, actor=None)
    assert "déjà convoqué(e) à cette session" in messages_of(error)
    assert Convocation.objects.count() == 1


def test_a_full_session_refuses_the_whole_list():
    session = SessionFactory(capacity=2)
    ConvocationFactory(session=session)
    with pytest.raises(ValidationError) as error:
        services.convoke_many(session, PersonFactory.create_batch(2), actor=None)
    assert "La session est complète : 2 places, 1 déjà prises, 2 demandée(s)." in messages_of(error)
    assert session.convocations.count() == 1


def test_a_rescheduled_convocation_frees_its_seat():
    session = SessionFactory(capacity=1)
    later = SessionFactory(date=TODAY() + datetime.timedelta(days=7))
    convocation = ConvocationFactory(session=session)
    services.record_attendance(convocation, "rescheduled", actor=None, rescheduled_to=later)
    services.convoke(session, PersonFactory(), actor=None)
    assert session.convocations.holding_a_seat().count() == 1


# --- Attendance ------------------------------------------------------------------------------


def test_marking_present_logs_who_and_when():
    convocation = ConvocationFactory()
    agent = UserFactory()
    services.record_attendance(convocation, "present", actor=agent, reason="arrivée 8 h 40")
    convocation.refresh_from_db()
    assert convocation.status == "present"
    transition = convocation.transitions.get()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "pending",
        "present",
        agent,
    )
    assert transition.reason == "arrivée 8 h 40"


def test_presence_cannot_be_taken_before_the_session_day():
    convocation = ConvocationFactory(session__date=TODAY() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        services.record_attendance(convocation, "present", actor=None)
    assert "n'a pas encore eu lieu" in messages_of(error)
    convocation.refresh_from_db()
    assert convocation.status == "pending"
    assert not convocation.transitions.exists()


def test_a_person_can_be_excused_before_the_session_day():
    convocation = ConvocationFactory(session__date=TODAY() + datetime.timedelta(days=2))
    services.record_attendance(convocation, "excused", actor=None)
    convocation.refresh_from_db()
    assert convocation.status == "excused"


def test_rescheduling_convokes_the_person_to_the_chosen_session():
    convocation = ConvocationFactory()
    later = SessionFactory(date=TODAY() + datetime.timedelta(days=7))
    services.record_attendance(convocation, "rescheduled", actor=None, rescheduled_to=later)
    convocation.refresh_from_db()
    assert convocation.rescheduled_to == later
    assert later.convocations.get().person == convocation.person


def test_rescheduling_needs_a_session_to_come_of_the_same_directorate():
    convocation = ConvocationFactory()
    past = SessionFactory(date=TODAY() - datetime.timedelta(days=7))
    strasbourg = SessionFactory(
        directorate=directorate("strasbourg"), date=TODAY() + datetime.timedelta(days=7)
    )
    for target, message in [
        (None, "Choisissez la session"),
        (past, "Cette session est passée"),
        (strasbourg, "même DT"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.record_attendance(
                convocation, "rescheduled", actor=None, rescheduled_to=target
            )
        assert message in messages_of(error)
    convocation.refresh_from_db()
    assert convocation.status == "pending"
    assert Convocation.objects.count() == 1


def test_a_rescheduled_convocation_is_final():
    convocation = ConvocationFactory()
    later = SessionFactory(date=TODAY() + datetime.timedelta(days=7))
    services.record_attendance(convocation, "rescheduled", actor=None, rescheduled_to=later)
    with pytest.raises(ValidationError) as error:
        services.record_attendance(convocation, "present", actor=None)
    assert "ne peut plus passer à « Présent »" in messages_of(error)


def test_presence_cannot_be_withdrawn_once_a_step_is_recorded():
    convocation = ConvocationFactory(present=True)
    services.record_positioning(
        convocation, written_level="a1", oral_level="a1", can_read=True, actor=None
    )
    with pytest.raises(ValidationError) as error:
        services.record_attendance(convocation, "absent", actor=None)
    assert "ne peut plus être retirée" in messages_of(error)


def test_absent_and_excused_people_without_a_new_convocation_are_to_reconvoke():
    absent = ConvocationFactory(absent=True)
    excused = ConvocationFactory(excused=True)
    reconvoked = ConvocationFactory(absent=True)
    ConvocationFactory(person=reconvoked.person, session__date=TODAY() + datetime.timedelta(days=3))
    ConvocationFactory(present=True)
    assert set(Convocation.objects.to_reconvoke()) == {absent, excused}


# --- Steps of the day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [("pending", "marquez la présence"), ("absent", "marquez la présence")],
)
def test_a_positioning_needs_the_person_present(status, message):
    convocation = ConvocationFactory(status=status)
    with pytest.raises(ValidationError) as error:
        services.record_positioning(
            convocation, written_level="a1", oral_level="a2", can_read=True, actor=None
        )
    assert message in messages_of(error)
    assert not Positioning.objects.exists()


def test_a_positioning_on_a_rescheduled_convocation_says_the_person_is_no_longer_convoked():
    convocation = ConvocationFactory()
    later = SessionFactory(date=TODAY() + datetime.timedelta(days=7))
    services.record_attendance(convocation, "rescheduled", actor=None, rescheduled_to=later)
    with pytest.raises(ValidationError) as error:
        services.record_positioning(
            convocation, written_level="a1", oral_level="a2", can_read=True, actor=None
        )
    assert "n'est plus convoqué(e) à cette session" in messages_of(error)
    assert not Positioning.objects.exists()


def test_a_positioning_sets_the_level_and_the_person_record():
    convocation = ConvocationFactory(present=True, session__date=datetime.date(2026, 1, 27))
    positioning = services.record_positioning(
        convocation, written_level="b1", oral_level="a1", can_read=True, actor=None
    )
    assert positioning.level == "a1"
    person = Person.objects.get(pk=convocation.person_id)
    assert (person.language_level, person.language_level_date) == ("a1", datetime.date(2026, 1, 27))


def test_an_older_positioning_does_not_overwrite_a_newer_level():
    person = PersonFactory(language_level="b1", language_level_date=datetime.date(2026, 3, 1))
    convocation = ConvocationFactory(
        person=person, present=True, session__date=datetime.date(2026, 1, 27)
    )
    services.record_positioning(
        convocation, written_level="a1", oral_level="a1", can_read=True, actor=None
    )
    person.refresh_from_db()
    assert person.language_level == "b1"


def test_the_interview_records_needs_and_orientations_as_structured_fields():
    convocation = ConvocationFactory(present=True)
    auditor = UserFactory()
    interview = services.record_interview(
        convocation,
        employment_status="job_seeker",
        accommodation="cph",
        needs={"need_employment", "need_housing"},
        orientations={"france_travail", "agir"},
        actor=auditor,
    )
    assert interview.auditor == auditor
    assert interview.needs == ["need_employment", "need_housing"]
    assert sorted(interview.orientations.values_list("target", flat=True)) == [
        "agir",
        "france_travail",
    ]
    services.record_interview(
        convocation,
        employment_status="job_seeker",
        accommodation="cph",
        orientations={"adie"},
        actor=auditor,
    )
    assert list(interview.orientations.values_list("target", flat=True)) == ["adie"]
    assert Person.objects.get(pk=convocation.person_id).employment_status == "job_seeker"


def test_an_orientation_that_does_not_fit_the_person_is_refused():
    person = PersonFactory(residence_status="worker", birth_date=datetime.date(1980, 1, 1))
    convocation = ConvocationFactory(person=person, present=True)
    with pytest.raises(ValidationError) as error:
        services.record_interview(
            convocation,
            employment_status="job_seeker",
            accommodation="own_housing",
            orientations={"agir", "epide"},
            actor=UserFactory(),
        )
    text = messages_of(error)
    assert "AGIR est réservé aux bénéficiaires de la protection internationale" in text
    assert "Epide (17-25 ans) accueille les personnes de 17 à 25 ans" in text
    assert not DiagnosticInterview.objects.exists()


def test_the_cir_is_signed_on_the_session_day():
    convocation = ConvocationFactory(present=True, session__date=datetime.date(2026, 1, 27))
    with pytest.raises(ValidationError) as error:
        services.sign_contract(
            convocation, signed_on=datetime.date(2026, 1, 28), actor=UserFactory()
        )
    assert "la date doit être celle de la session (27/01/2026)" in messages_of(error)
    assert not Contract.objects.exists()


def test_civic_training_comes_after_the_signature():
    convocation = ConvocationFactory(present=True, session__date=datetime.date(2026, 1, 27))
    with pytest.raises(ValidationError) as error:
        services.sign_contract(
            convocation,
            signed_on=datetime.date(2026, 1, 27),
            civic_training_date=datetime.date(2026, 1, 20),
            actor=UserFactory(),
        )
    assert "La formation civique commence après la signature" in messages_of(error)


def test_a_person_signs_the_cir_once():
    person = PersonFactory()
    first = ConvocationFactory(person=person, present=True, session__date=IN_EXPERIMENT)
    second = ConvocationFactory(person=person, present=True)
    services.sign_contract(first, signed_on=IN_EXPERIMENT, actor=UserFactory())
    with pytest.raises(ValidationError) as error:
        services.sign_contract(second, signed_on=second.session.date, actor=UserFactory())
    assert "a déjà signé un CIR le 27/01/2026" in messages_of(error)


def test_the_cir_stores_the_age_at_signature():
    person = PersonFactory(birth_date=datetime.date(2001, 1, 27))
    convocation = ConvocationFactory(person=person, present=True, session__date=IN_EXPERIMENT)
    contract = services.sign_contract(convocation, signed_on=IN_EXPERIMENT, actor=UserFactory())
    assert contract.age_at_event == 25


def test_the_prescription_stores_the_rule_version_of_the_interview_day():
    convocation = ConvocationFactory(present=True, session__date=datetime.date(2026, 1, 27))
    services.record_positioning(
        convocation, written_level="infra_a1", oral_level="infra_a1", can_read=True, actor=None
    )
    prescription = services.decide_prescription(convocation, answer="declined", actor=UserFactory())
    assert (prescription.rule_version, prescription.kind, prescription.hours) == (
        "fle-2025-07",
        "proposed",
        None,
    )
    assert (prescription.proposed_modality, prescription.modality) == (
        "asynchronous",
        "asynchronous",
    )
    assert (prescription.target_level, prescription.answer) == ("a2", "declined")


def test_a_2024_interview_is_decided_by_the_2019_rule_with_no_answer_asked():
    convocation = ConvocationFactory(present=True, session__date=datetime.date(2024, 9, 3))
    services.record_positioning(
        convocation, written_level="infra_a1", oral_level="a1", can_read=True, actor=None
    )
    prescription = services.decide_prescription(convocation, answer="declined", actor=UserFactory())
    assert (prescription.rule_version, prescription.kind, prescription.hours) == (
        "fle-2019",
        "mandatory",
        200,
    )
    assert prescription.answer == ""


def test_a_proposed_training_needs_the_person_answer():
    convocation = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    services.record_positioning(
        convocation, written_level="a1", oral_level="a1", can_read=True, actor=None
    )
    with pytest.raises(ValidationError) as error:
        services.decide_prescription(convocation, actor=UserFactory())
    assert "accepte ou refuse" in messages_of(error)
    assert not LanguagePrescription.objects.exists()


def test_a_prescription_needs_a_positioning_first():
    convocation = ConvocationFactory(present=True)
    with pytest.raises(ValidationError) as error:
        services.decide_prescription(convocation, answer="accepted", actor=UserFactory())
    assert "Saisissez d'abord le positionnement" in messages_of(error)


def test_a_decided_positioning_cannot_be_changed_behind_the_decision():
    convocation = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    services.record_positioning(
        convocation, written_level="a2", oral_level="a2", can_read=True, actor=None
    )
    services.decide_prescription(convocation, actor=UserFactory())
    with pytest.raises(ValidationError):
        services.record_positioning(
            convocation, written_level="a1", oral_level="a1", can_read=True, actor=None
        )
    assert Positioning.objects.get().level == "a2"


# --- The CIP interview -----------------------------------------------------------------------


def test_a_registration_during_the_interview_updates_the_person_record():
    metz_experiment()
    person = PersonFactory(birth_date=datetime.date(1990, 2, 1), rsa_recipient=True)
    convocation = ConvocationFactory(person=person, present=True, session__date=IN_EXPERIMENT)
    counsellor = UserFactory()
    check = services.record_employment_check(
        convocation,
        situation="job_seeker",
        registered_today=True,
        ft_identifier="1234567 a",
        first_appointment_date=datetime.date(2026, 2, 5),
        actor=counsellor,
    )
    assert check.in_scope
    assert (check.ft_identifier, check.ft_registration_date) == ("1234567A", IN_EXPERIMENT)
    assert check.age_at_event == 35
    person.refresh_from_db()
    assert person.ft_registered
    assert (person.ft_identifier, person.ft_registration_date) == ("1234567A", IN_EXPERIMENT)
    assert (person.employment_status, person.rsa_recipient) == ("job_seeker", False)


def test_people_in_work_are_recorded_out_of_scope():
    metz_experiment()
    convocation = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    check = services.record_employment_check(convocation, situation="cdi", actor=UserFactory())
    assert not check.in_scope


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"registered_today": True, "ft_identifier": "12AB"},
            "ft_identifier",
            "L'identifiant France Travail doit comporter 8 caractères",
        ),
        ({"registered_today": True}, "ft_identifier", "Saisissez l'identifiant"),
        (
            {
                "registered_today": True,
                "ft_identifier": "12345678901",
                "ft_registration_date": datetime.date(2026, 1, 28),
            },
            "ft_registration_date",
            "date du jour de la session (27/01/2026)",
        ),
        (
            {"registered_today": True, "ft_identifier": "1234567A", "already_ft": True},
            "registered_today",
            "n'est pas à inscrire pendant l'entretien",
        ),
        (
            {"first_appointment_date": datetime.date(2026, 1, 20)},
            "first_appointment_date",
            "ne peut pas précéder la session",
        ),
        (
            {"ft_identifier": "1234567A"},
            "ft_identifier",
            "Cochez « déjà inscrit »",
        ),
    ],
)
def test_a_cip_interview_with_bad_input_is_refused_and_saves_nothing(fields, field, message):
    metz_experiment()
    convocation = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    with pytest.raises(ValidationError) as error:
        services.record_employment_check(
            convocation, situation="job_seeker", actor=UserFactory(), **fields
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not EmploymentCheck.objects.exists()
    person = Person.objects.get(pk=convocation.person_id)
    assert not person.ft_registered


def test_a_cip_interview_outside_the_experiment_period_is_refused():
    metz_experiment()
    convocation = ConvocationFactory(present=True, session__date=datetime.date(2026, 12, 1))
    with pytest.raises(ValidationError) as error:
        services.record_employment_check(convocation, situation="job_seeker", actor=None)
    assert "en dehors de l'expérimentation CIP de DT Metz" in messages_of(error)
    assert not EmploymentCheck.objects.exists()


def test_a_directorate_without_experiment_has_no_cip_interview():
    convocation = ConvocationFactory(
        present=True,
        session__date=IN_EXPERIMENT,
        session__directorate=directorate("strasbourg"),
        person__department=Department.objects.get(code="67"),
    )
    with pytest.raises(ValidationError):
        services.record_employment_check(convocation, situation="job_seeker", actor=None)


def test_the_collective_presentation_lasts_15_minutes_at_most():
    metz_experiment()
    session = SessionFactory(date=IN_EXPERIMENT)
    ConvocationFactory.create_batch(3, session=session)
    with pytest.raises(ValidationError) as error:
        services.record_cip_presentation(
            session,
            started_at=datetime.time(9, 0),
            attendees=3,
            duration_minutes=20,
            actor=UserFactory(),
        )
    assert "La présentation collective dure 15 minutes au plus" in " ".join(
        error.value.message_dict["duration_minutes"]
    )
    assert not CipPresentation.objects.exists()


def test_the_presentation_cannot_have_more_attendees_than_people_convoked():
    metz_experiment()
    session = SessionFactory(date=IN_EXPERIMENT)
    ConvocationFactory.create_batch(2, session=session)
    with pytest.raises(ValidationError) as error:
        services.record_cip_presentation(
            session,
            started_at=datetime.time(9, 0),
            attendees=3,
            duration_minutes=15,
            actor=UserFactory(),
        )
    assert "2 personnes sont convoquées" in " ".join(error.value.message_dict["attendees"])


def _check(**fields):
    metz_experiment()
    convocation = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    return services.record_employment_check(
        convocation,
        situation="job_seeker",
        registered_today=True,
        ft_identifier="1234567A",
        actor=UserFactory(),
        **fields,
    )


def test_an_accompaniment_done_needs_its_date_and_the_appointment():
    check = _check()
    with pytest.raises(ValidationError) as error:
        services.record_ft_follow_up(
            check, first_appointment_date=None, accompaniment="done", accompaniment_date=None
        )
    assert set(error.value.message_dict) == {"first_appointment_date", "accompaniment_date"}
    services.record_ft_follow_up(
        check,
        first_appointment_date=datetime.date(2026, 2, 5),
        accompaniment="done",
        accompaniment_date=datetime.date(2026, 2, 5),
    )
    check.refresh_from_db()
    assert (check.accompaniment, check.accompaniment_date) == ("done", datetime.date(2026, 2, 5))


def test_a_passed_first_appointment_without_outcome_is_listed():
    check = _check(first_appointment_date=datetime.date(2026, 2, 5))
    assert list(
        EmploymentCheck.objects.first_appointment_without_outcome(datetime.date(2026, 2, 6))
    ) == [check]
    assert not EmploymentCheck.objects.first_appointment_without_outcome(
        datetime.date(2026, 2, 5)
    ).exists()
    services.record_ft_follow_up(
        check, first_appointment_date=check.first_appointment_date, accompaniment="not_done"
    )
    assert not EmploymentCheck.objects.first_appointment_without_outcome(
        datetime.date(2026, 2, 6)
    ).exists()


# --- Worklist of missing France Travail registrations ---------------------------------------


def test_a_cir_without_ft_registration_is_listed_after_the_directorate_delay():
    auditor = UserFactory()
    seeker = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    worker = ConvocationFactory(
        present=True, session__date=IN_EXPERIMENT, person__employment_status="cdi"
    )
    registered = ConvocationFactory(
        present=True,
        session__date=IN_EXPERIMENT,
        person__ft_registered=True,
    )
    for convocation in (seeker, worker, registered):
        services.sign_contract(convocation, signed_on=IN_EXPERIMENT, actor=auditor)
    services.set_ft_registration_delay(directorate("metz").pk, 10)
    days = ReceptionSettings.for_directorate(directorate("metz").pk).ft_registration_delay_days
    assert days == 10
    listed = Contract.objects.without_ft_registration(
        signed_on_or_before=datetime.date(2026, 2, 6) - datetime.timedelta(days=days)
    )
    assert [c.person for c in listed] == [seeker.person]
    assert not Contract.objects.without_ft_registration(
        signed_on_or_before=datetime.date(2026, 2, 5) - datetime.timedelta(days=days)
    ).exists()


def test_the_delay_is_30_days_by_default_and_stays_between_1_and_365():
    assert (
        ReceptionSettings.for_directorate(directorate("metz").pk).ft_registration_delay_days == 30
    )
    with pytest.raises(ValidationError):
        services.set_ft_registration_delay(directorate("metz").pk, 0)
    assert not ReceptionSettings.objects.exists()


# --- Ages at events --------------------------------------------------------------------------


def test_correcting_a_birth_date_recomputes_the_ages_at_events():
    metz_experiment()
    person = PersonFactory(birth_date=datetime.date(1990, 1, 1))
    convocation = services.convoke(SessionFactory(date=IN_EXPERIMENT), person, actor=None)
    services.record_attendance(convocation, "present", actor=None)
    services.sign_contract(convocation, signed_on=IN_EXPERIMENT, actor=UserFactory())
    services.record_employment_check(convocation, situation="cdi", actor=UserFactory())
    people_services.correct_identity(
        person, birth_date=datetime.date(2001, 6, 1), actor=None, reason="Acte de naissance"
    )
    convocation.refresh_from_db()
    assert convocation.age_at_event == 24
    assert Contract.objects.get().age_at_event == 24
    assert EmploymentCheck.objects.get().age_at_event == 24


def test_blanking_a_birth_date_keeps_the_ages_at_events():
    person = PersonFactory(birth_date=datetime.date(1990, 1, 1))
    convocation = services.convoke(SessionFactory(date=IN_EXPERIMENT), person, actor=None)
    person.birth_date = None
    person.save()
    convocation.refresh_from_db()
    assert convocation.age_at_event == 36
