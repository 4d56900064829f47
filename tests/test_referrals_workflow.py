"""The referral workflow: consent before sending, declared transitions, a log row for each."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.organisations.roles import OrganisationKind
from parcours.people.models import LanguageLevel, ResidenceStatus
from parcours.referrals import services
from parcours.referrals.models import Referral, ReferralTransition
from parcours.referrals.services import ReferralError, TransitionNotAllowed
from parcours.referrals.states import TRANSITIONS, Origin, allowed_transitions
from parcours.referrals.states import ReferralStatus as S
from parcours.referrals.system import SYSTEM_USER_EMAIL
from tests.factories import OrganisationFactory, PersonFactory
from tests.factories_referrals import (
    SchemeFactory,
    auditor,
    make_referral,
    partner_membership,
)

pytestmark = pytest.mark.django_db


def _create(scheme, person, by, **kwargs):
    return services.create_referral(
        person, scheme, by=by.user, organisation=by.organisation, **kwargs
    )


def _answer(referral):
    partner = partner_membership(referral.scheme)
    return {"by": partner.user, "organisation": partner.organisation}


def test_a_draft_needs_no_consent_and_logs_its_creation():
    by = auditor()
    referral = _create(SchemeFactory(), PersonFactory(), by)
    assert referral.status == S.DRAFT
    assert referral.consent_given_at is None
    row = referral.transitions.get()
    assert (row.name, row.from_status, row.to_status, row.by) == ("create", "", S.DRAFT, by.user)
    assert row.by_organisation == by.organisation


def test_sending_without_the_persons_consent_is_refused_and_nothing_is_sent():
    by = auditor()
    referral = _create(SchemeFactory(), PersonFactory(), by)
    with pytest.raises(ReferralError, match="Recueillez l'accord de la personne"):
        services.send_referral(referral, by=by.user, organisation=by.organisation)
    referral.refresh_from_db()
    assert referral.status == S.DRAFT
    assert referral.sent_at is None


def test_sending_records_consent_date_eligibility_and_the_transition():
    by = auditor()
    referral = _create(SchemeFactory(min_age=16, max_age=60), PersonFactory(), by)
    services.send_referral(referral, by=by.user, organisation=by.organisation, consent=True)
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.consent_given_at is not None
    assert referral.consent_recorded_by == by.user
    assert referral.sent_at is not None
    assert referral.eligibility_status == "eligible"
    assert referral.eligibility_reasons[0].startswith("Réside dans le département 57")
    assert list(referral.transitions.values_list("name", flat=True)) == ["create", "send"]


def test_a_person_who_fails_a_rule_cannot_be_referred():
    agir = SchemeFactory(agir=True)
    person = PersonFactory(residence_status=ResidenceStatus.WORKER)
    with pytest.raises(ReferralError, match="ne remplit pas les conditions"):
        _create(agir, person, auditor(), consent=True, send=True)
    assert not Referral.objects.exists()


def test_a_level_waiver_must_be_justified_before_sending():
    epide = SchemeFactory(epide=True, served=["57"])
    person = PersonFactory(birth_date=datetime.date(2005, 1, 1), language_level=LanguageLevel.A1)
    by = auditor()
    with pytest.raises(ReferralError, match="Justifiez la dérogation"):
        _create(epide, person, by, consent=True, send=True)
    referral = _create(
        epide,
        person,
        by,
        consent=True,
        send=True,
        waiver_justification="Volontaire, suivra la remise à niveau proposée par l'Epide.",
    )
    assert referral.eligibility_status == "eligible_with_waiver"


def test_an_unjustified_waiver_is_refused_by_the_database_too():
    epide = SchemeFactory(epide=True, served=["57"])
    person = PersonFactory(birth_date=datetime.date(2005, 1, 1), language_level=LanguageLevel.A1)
    referral = _create(epide, person, auditor(), consent=True, send=True, waiver_justification="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(waiver_justification="")


def test_a_second_open_referral_to_the_same_scheme_is_refused_clearly():
    scheme, person, by = SchemeFactory(), PersonFactory(), auditor()
    first = _create(scheme, person, by, consent=True, send=True)
    with pytest.raises(ReferralError, match=f"déjà une orientation en cours.*{first.reference}"):
        _create(scheme, person, by)
    assert Referral.objects.count() == 1


def test_a_person_may_be_referred_again_once_the_previous_referral_is_closed():
    scheme, person = SchemeFactory(), PersonFactory()
    make_referral(scheme, person, state="refused")
    again = make_referral(scheme, person, state="sent")
    assert again.status == S.SENT


def test_the_full_path_logs_one_row_per_step_with_who_when_from_and_to():
    referral = make_referral(state="completed")
    rows = list(referral.transitions.order_by("at", "pk"))
    assert [(r.name, r.from_status, r.to_status) for r in rows] == [
        ("create", "", S.DRAFT),
        ("send", S.DRAFT, S.SENT),
        ("accept", S.SENT, S.ACCEPTED),
        ("enter", S.ACCEPTED, S.ENTERED),
        ("complete", S.ENTERED, S.COMPLETED),
    ]
    assert all(row.at and row.by_id for row in rows)
    assert rows[2].by_organisation == referral.scheme.organisation
    referral.refresh_from_db()
    assert referral.closed_at is not None
    assert referral.entered_on == referral.exited_on == timezone.localdate()


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("refused", "accept"),
        ("sent", "enter"),
        ("draft", "accept"),
        ("completed", "drop_out"),
        ("expired", "accept"),
        ("withdrawn", "refuse"),
    ],
)
def test_a_transition_not_allowed_from_the_current_state_is_refused(state, action):
    referral = make_referral(state=state)
    answer = _answer(referral)
    calls = {
        "accept": lambda: services.accept_referral(referral, **answer),
        "refuse": lambda: services.refuse_referral(referral, reason="other", **answer),
        "enter": lambda: services.record_entry(referral, entered_on=timezone.localdate(), **answer),
        "drop_out": lambda: services.record_exit(
            referral, exited_on=timezone.localdate(), completed=False, reason="moved", **answer
        ),
    }
    before = referral.transitions.count()
    with pytest.raises(TransitionNotAllowed, match="n'est plus possible"):
        calls[action]()
    referral.refresh_from_db()
    assert referral.status == state
    assert referral.transitions.count() == before


def test_the_workflow_declares_every_state_reachable_and_closed_states_final():
    targets = {transition.target for transition in TRANSITIONS.values()}
    assert targets == set(S)
    for closed in (S.REFUSED, S.EXPIRED, S.COMPLETED, S.DROPPED_OUT, S.WITHDRAWN, S.TRANSFERRED):
        assert allowed_transitions(closed) == []


def test_a_refusal_needs_a_structured_reason_and_keeps_the_comment():
    referral = make_referral(state="sent")
    answer = _answer(referral)
    with pytest.raises(ReferralError, match="motif de refus"):
        services.refuse_referral(referral, reason="", **answer)
    services.refuse_referral(
        referral, reason="person_declined", comment="Préfère une formation.", **answer
    )
    referral.refresh_from_db()
    assert (referral.status, referral.refusal_reason) == (S.REFUSED, "person_declined")
    assert referral.answer_comment == "Préfère une formation."
    row = referral.transitions.last()
    assert (row.reason, row.comment, row.reason_label) == (
        "person_declined",
        "Préfère une formation.",
        "La personne ne souhaite pas entrer",
    )


def test_a_drop_out_needs_its_reason():
    referral = make_referral(state="entered")
    with pytest.raises(ReferralError, match="motif de la sortie anticipée"):
        services.record_exit(
            referral, exited_on=timezone.localdate(), completed=False, **_answer(referral)
        )
    services.record_exit(
        referral,
        exited_on=timezone.localdate(),
        completed=False,
        reason="employment",
        **_answer(referral),
    )
    referral.refresh_from_db()
    assert (referral.status, referral.drop_out_reason) == (S.DROPPED_OUT, "employment")


def test_entry_and_exit_dates_cannot_be_in_the_future_or_before_the_previous_step():
    referral = make_referral(state="accepted")
    answer = _answer(referral)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ReferralError, match="dans le futur"):
        services.record_entry(referral, entered_on=tomorrow, **answer)
    with pytest.raises(ReferralError, match="antérieure"):
        services.record_entry(
            referral, entered_on=timezone.localdate() - datetime.timedelta(days=3), **answer
        )
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED


def test_only_the_partner_running_the_scheme_may_answer():
    referral = make_referral(state="sent")
    other = OrganisationFactory(name="Mission locale", kind=OrganisationKind.MISSION_LOCALE)
    by = auditor()
    with pytest.raises(ReferralError, match="Seule la structure qui porte le dispositif"):
        services.accept_referral(referral, by=by.user, organisation=other)
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_the_referrer_may_withdraw_a_sent_referral_and_it_is_closed():
    by = auditor()
    referral = make_referral(state="sent", by=by)
    services.withdraw_referral(referral, by=by.user, organisation=by.organisation, comment="Erreur")
    referral.refresh_from_db()
    assert referral.status == S.WITHDRAWN
    assert referral.closed_at is not None


def test_a_transfer_within_the_same_partner_keeps_the_consent_and_links_both_referrals():
    first_scheme = SchemeFactory(name="Insertion sociale")
    second_scheme = SchemeFactory(name="Formation professionnelle")
    by = auditor()
    referral = make_referral(first_scheme, state="accepted", by=by)
    new = services.transfer_referral(
        referral, second_scheme, by=by.user, organisation=by.organisation, note="Projet pro"
    )
    referral.refresh_from_db()
    assert referral.status == S.TRANSFERRED
    assert new.status == S.SENT
    assert new.transferred_from == referral
    assert new.origin == "transfer"
    assert new.consent_given_at is not None
    first_scheme.refresh_from_db()
    assert first_scheme.seats_taken == 0


def test_a_transfer_to_another_partner_needs_a_new_consent():
    referral = make_referral(state="sent")
    other = SchemeFactory(
        organisation=OrganisationFactory(name="ADIE Grand Est", kind=OrganisationKind.ADIE)
    )
    by = auditor()
    with pytest.raises(ReferralError, match="Recueillez l'accord"):
        services.transfer_referral(referral, other, by=by.user, organisation=by.organisation)
    referral.refresh_from_db()
    assert referral.status == S.SENT
    new = services.transfer_referral(
        referral, other, by=by.user, organisation=by.organisation, consent=True
    )
    assert new.scheme == other


def test_deleting_is_only_for_drafts():
    by = auditor()
    draft = _create(SchemeFactory(), PersonFactory(), by)
    services.delete_draft(draft)
    assert not Referral.objects.filter(pk=draft.pk).exists()
    sent = make_referral(state="sent")
    with pytest.raises(ReferralError, match="Seul un brouillon"):
        services.delete_draft(sent)


def test_expiry_is_done_by_the_named_system_user():
    referral = make_referral(state="expired")
    row = referral.transitions.last()
    assert (row.name, row.to_status) == ("expire", S.EXPIRED)
    assert row.by.email == SYSTEM_USER_EMAIL
    assert not row.by.is_active
    assert not row.by.has_usable_password()


NOW = timezone.now()


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"status": S.SENT, "consent_given_at": None}, "referral_sent_with_consent"),
        ({"sent_at": None}, "referral_sent_at_matches_status"),
        (
            {"status": S.REFUSED, "answered_at": NOW, "closed_at": NOW},
            "referral_refusal_has_reason",
        ),
        (
            {"status": S.ENTERED, "answered_at": NOW, "accepted_at": NOW},
            "referral_entry_has_date",
        ),
        ({"status": S.ACCEPTED, "answered_at": NOW}, "referral_seat_has_acceptance_date"),
        ({"status": S.WAITLISTED}, "referral_answer_has_date"),
        ({"closed_at": timezone.now()}, "referral_closed_at_matches_status"),
    ],
)
def test_the_database_ties_states_to_their_dates(changes, constraint):
    referral = make_referral(state="sent")
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(**changes)


def test_transition_rows_name_known_transitions_only():
    make_referral(state="dropped_out")
    assert set(ReferralTransition.objects.values_list("name", flat=True)) <= set(TRANSITIONS)


def test_an_interview_orientation_offers_the_fitting_schemes_of_the_perimeter():
    from parcours.referrals.orientations import schemes_for_orientation

    epide = SchemeFactory(epide=True, served=["57"])
    SchemeFactory(name="Epide d'ailleurs", kind="epide", served=["67"])
    ft = SchemeFactory(name="France Travail", kind="ft_registration")
    person = PersonFactory()
    assert list(schemes_for_orientation(person, "epide")) == [epide]
    assert list(schemes_for_orientation(person, "france_travail")) == [ft]
    assert set(schemes_for_orientation(person, "other")) == {epide, ft}
    referral = _create(ft, person, auditor(), origin=Origin.INTERVIEW, consent=True, send=True)
    assert referral.get_origin_display() == "Entretien (journée d'accueil)"
