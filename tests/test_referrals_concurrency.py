"""200 partner acceptances racing for a 120-seat scheme, each from its own database connection.

Done-when of issue 4: exactly 120 accepted, 80 on the waiting list in arrival order, no person
twice; on PostgreSQL and on SQLite alike.
"""

import threading

import pytest
from django.db import connection

from parcours.organisations.roles import OrganisationKind, Role
from parcours.referrals import services
from parcours.referrals.models import Referral, ReferralTransition, Scheme
from parcours.referrals.states import ReferralStatus as S
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, membership_for
from tests.factories_referrals import SchemeFactory

pytestmark = [pytest.mark.transactional, pytest.mark.django_db(transaction=True)]

REQUESTS = 200
CAPACITY = 120
# PostgreSQL allows 100 connections on the reference machine, shared with other test runs:
# at most this many threads hold a connection at once; each accept still has its own.
MAX_OPEN_CONNECTIONS = 40


def test_200_acceptances_for_120_seats_leave_120_accepted_and_80_waiting_in_order(threaded_db):
    scheme = SchemeFactory(
        organisation=OrganisationFactory(name="Epide Strasbourg", kind=OrganisationKind.EPIDE),
        name="Epide Strasbourg",
        capacity=CAPACITY,
        served=["57"],
    )
    referrer = membership_for(Role.INTEGRATION_AUDITOR)
    partner = MembershipFactory(organisation=scheme.organisation, role=Role.PARTNER_ADMIN)
    referral_ids = [
        services.create_referral(
            PersonFactory(),
            scheme,
            by=referrer.user,
            organisation=referrer.organisation,
            consent=True,
            send=True,
        ).pk
        for _ in range(REQUESTS)
    ]
    start = threading.Barrier(REQUESTS)
    gate = threading.BoundedSemaphore(MAX_OPEN_CONNECTIONS)
    errors = []

    def accept(referral_id):
        start.wait()
        with gate:
            try:
                referral = Referral.objects.get(pk=referral_id)
                services.accept_referral(
                    referral, by=partner.user, organisation=partner.organisation
                )
            except Exception as error:  # reported below, with the others
                errors.append(error)
            finally:
                connection.close()  # this thread's own connection

    threads = [threading.Thread(target=accept, args=(pk,)) for pk in referral_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    scheme.refresh_from_db()
    accepted = list(Referral.objects.filter(scheme=scheme, status=S.ACCEPTED))
    waiting = list(Referral.objects.waiting_list(scheme.pk))
    assert scheme.seats_taken == CAPACITY
    assert len(accepted) == CAPACITY
    assert len(waiting) == REQUESTS - CAPACITY
    persons = [r.person_id for r in accepted + waiting]
    assert len(set(persons)) == REQUESTS  # no person twice
    assert not Referral.objects.filter(scheme=scheme, status=S.SENT).exists()

    # Arrival order: every referral that got a seat was processed before any that waits, and
    # the waiting list follows the order in which the acceptances were recorded (the log's).
    assert max(r.answered_at for r in accepted) <= min(r.answered_at for r in waiting)
    log = ReferralTransition.objects.filter(referral__scheme=scheme)
    last_accept = max(log.filter(name="accept").values_list("pk", flat=True))
    waitlist_rows = list(log.filter(name="waitlist").order_by("pk"))
    assert len(waitlist_rows) == REQUESTS - CAPACITY
    assert last_accept < waitlist_rows[0].pk
    assert [row.referral_id for row in waitlist_rows] == [r.pk for r in waiting]


def test_after_the_race_a_freed_seat_goes_to_the_head_of_the_waiting_list(threaded_db):
    scheme = SchemeFactory(capacity=2, served=["57"])
    referrer = membership_for(Role.INTEGRATION_AUDITOR)
    partner = MembershipFactory(organisation=scheme.organisation, role=Role.PARTNER_COUNSELLOR)
    referrals = [
        services.create_referral(
            PersonFactory(),
            scheme,
            by=referrer.user,
            organisation=referrer.organisation,
            consent=True,
            send=True,
        )
        for _ in range(6)
    ]
    errors = []

    def accept(referral):
        try:
            services.accept_referral(referral, by=partner.user, organisation=partner.organisation)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in referrals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    head = Referral.objects.waiting_list(scheme.pk).first()
    holder = Referral.objects.filter(scheme=scheme, status=S.ACCEPTED).first()
    services.withdraw_referral(holder, by=referrer.user, organisation=referrer.organisation)
    head.refresh_from_db()
    assert head.status == S.ACCEPTED
    assert Scheme.objects.get(pk=scheme.pk).seats_taken == 2
