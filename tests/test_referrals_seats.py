"""Seats: counted by the database, a waiting list in order, promotion when a seat frees up."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from parcours.referrals import services
from parcours.referrals.models import Referral, Scheme
from parcours.referrals.services import ReferralError
from parcours.referrals.states import ReferralStatus as S
from parcours.referrals.system import SYSTEM_USER_EMAIL
from tests.factories import PersonFactory
from tests.factories_referrals import SchemeFactory, auditor, make_referral, partner_membership

pytestmark = pytest.mark.django_db


def _answer(scheme):
    partner = partner_membership(scheme)
    return {"by": partner.user, "organisation": partner.organisation}


def _sent(scheme, count):
    return [make_referral(scheme, state="sent") for _ in range(count)]


def _holders(scheme):
    return Referral.objects.filter(scheme=scheme).holding_seat().count()


def test_accepting_takes_a_seat():
    scheme = SchemeFactory(capacity=2)
    referral = make_referral(scheme, state="accepted")
    scheme.refresh_from_db()
    assert referral.status == S.ACCEPTED
    assert referral.accepted_at is not None
    assert scheme.seats_taken == 1
    assert scheme.seats_left == 1


def test_when_full_an_acceptance_goes_to_the_waiting_list_in_order():
    scheme = SchemeFactory(capacity=1)
    answer = _answer(scheme)
    first, second, third = _sent(scheme, 3)
    base = timezone.now()
    for offset, referral in enumerate([first, second, third]):
        services.accept_referral(referral, now=base + datetime.timedelta(minutes=offset), **answer)
    assert [r.pk for r in Referral.objects.waiting_list(scheme.pk)] == [second.pk, third.pk]
    second.refresh_from_db()
    assert second.status == S.WAITLISTED
    assert second.accepted_at is None
    scheme.refresh_from_db()
    assert scheme.seats_taken == 1


def test_a_freed_seat_goes_to_the_first_waiting_referral_in_the_same_transaction():
    scheme = SchemeFactory(capacity=1)
    answer = _answer(scheme)
    holder, first_waiting, second_waiting = _sent(scheme, 3)
    for referral in (holder, first_waiting, second_waiting):
        services.accept_referral(referral, **answer)
    services.record_entry(holder, entered_on=timezone.localdate(), **answer)
    services.record_exit(
        holder, exited_on=timezone.localdate(), completed=False, reason="moved", **answer
    )
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == S.ACCEPTED
    assert second_waiting.status == S.WAITLISTED
    promotion = first_waiting.transitions.last()
    assert (promotion.name, promotion.by.email) == ("promote", SYSTEM_USER_EMAIL)
    scheme.refresh_from_db()
    assert scheme.seats_taken == 1 == _holders(scheme)


@pytest.mark.parametrize("how", ["withdraw", "transfer", "complete"])
def test_every_way_of_leaving_a_seat_frees_it(how):
    scheme = SchemeFactory(capacity=1)
    answer = _answer(scheme)
    holder, waiting = _sent(scheme, 2)
    services.accept_referral(holder, **answer)
    services.accept_referral(waiting, **answer)
    by = auditor()
    if how == "withdraw":
        services.withdraw_referral(holder, by=by.user, organisation=by.organisation)
    elif how == "transfer":
        services.transfer_referral(
            holder, SchemeFactory(), by=by.user, organisation=by.organisation
        )
    else:
        services.record_entry(holder, entered_on=timezone.localdate(), **answer)
        services.record_exit(holder, exited_on=timezone.localdate(), completed=True, **answer)
    waiting.refresh_from_db()
    assert waiting.status == S.ACCEPTED
    scheme.refresh_from_db()
    assert scheme.seats_taken == 1 == _holders(scheme)


def test_refusing_a_waiting_referral_takes_it_off_the_list():
    scheme = SchemeFactory(capacity=1)
    answer = _answer(scheme)
    holder, waiting = _sent(scheme, 2)
    services.accept_referral(holder, **answer)
    services.accept_referral(waiting, **answer)
    services.refuse_referral(waiting, reason="no_place", **answer)
    assert not Referral.objects.waiting_list(scheme.pk).exists()


def test_raising_the_capacity_promotes_the_waiting_list_at_once():
    scheme = SchemeFactory(capacity=1)
    answer = _answer(scheme)
    referrals = _sent(scheme, 3)
    for referral in referrals:
        services.accept_referral(referral, **answer)
    scheme.capacity = 2
    services.save_scheme(scheme, fields=["capacity"])
    statuses = [Referral.objects.get(pk=r.pk).status for r in referrals]
    assert statuses == [S.ACCEPTED, S.ACCEPTED, S.WAITLISTED]


def test_the_capacity_cannot_go_below_the_seats_taken():
    scheme = SchemeFactory(capacity=2)
    make_referral(scheme, state="accepted")
    make_referral(scheme, state="accepted")
    scheme.capacity = 1
    with pytest.raises(ReferralError, match="2 places sont occupées"):
        services.save_scheme(scheme, fields=["capacity"])
    assert Scheme.objects.get(pk=scheme.pk).capacity == 2


def test_saving_a_scheme_form_never_overwrites_the_seat_counter():
    scheme = SchemeFactory(capacity=5)
    stale = Scheme.objects.get(pk=scheme.pk)  # loaded before the seat is taken
    make_referral(scheme, state="accepted")
    stale.description = "Nouvelle description"
    services.save_scheme(stale, fields=["description"])
    assert Scheme.objects.get(pk=scheme.pk).seats_taken == 1


def test_an_unlimited_scheme_never_waitlists():
    scheme = SchemeFactory(capacity=None)
    referrals = [make_referral(scheme, state="accepted") for _ in range(5)]
    assert {r.status for r in referrals} == {S.ACCEPTED}
    scheme.refresh_from_db()
    assert scheme.seats_taken == 5
    assert scheme.seats_left is None


def test_the_database_refuses_more_seats_than_the_capacity():
    scheme = SchemeFactory(capacity=1)
    with pytest.raises(IntegrityError, match="scheme_seats_within_capacity"), transaction.atomic():
        Scheme.objects.filter(pk=scheme.pk).update(seats_taken=2)


def test_the_database_refuses_two_active_seats_for_one_person_in_one_scheme():
    scheme = SchemeFactory()
    person = PersonFactory()
    make_referral(scheme, person, state="completed")
    holder = make_referral(scheme, person, state="accepted")
    first = Referral.objects.exclude(pk=holder.pk).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=first.pk).update(
            status=S.ACCEPTED, closed_at=None, exited_on=None
        )
    constraints = connection.introspection.get_constraints(
        connection.cursor(), Referral._meta.db_table
    )
    assert "referral_one_seat_per_person_scheme" in constraints
