"""Issue 18: capacity before convoking: free places, a proposed spread, a warning."""

import datetime

import pytest
from django.utils import timezone

from parcours.messaging.capacity import outlook, propose_spread
from parcours.organisations.roles import Role
from tests.factories import PersonFactory, directorate
from tests.factories_reception import ConvocationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_the_spread_fills_the_earliest_sessions_first():
    assert propose_spread(10, [("a", 4), ("b", 0), ("c", 12)]) == [("a", 4), ("c", 6)]
    assert propose_spread(0, [("a", 4)]) == []
    assert propose_spread(30, [("a", 4), ("c", 12)]) == [("a", 4), ("c", 12)]


def test_outlook_counts_free_places_and_people_waiting(client_for, django_assert_max_num_queries):
    today = timezone.localdate()
    soon = SessionFactory(date=today + datetime.timedelta(days=3), capacity=3)
    later = SessionFactory(date=today + datetime.timedelta(days=10), capacity=2)
    SessionFactory(date=today + datetime.timedelta(days=60), capacity=12)  # beyond 4 weeks
    ConvocationFactory(session=soon)  # 2 places left
    missed = ConvocationFactory(
        session=SessionFactory(date=today - datetime.timedelta(days=7)), absent=True
    )
    waiting = PersonFactory.create_batch(5)  # never convoked
    metz = directorate("metz").pk
    with django_assert_max_num_queries(4):
        view = outlook(metz, today)
    assert [(s.pk, free) for s, free in view.sessions] == [(soon.pk, 2), (later.pk, 2)]
    assert view.waiting == 1 + len(waiting)  # the absent person and the five others
    assert view.free == 4 and view.shortfall == 2
    assert [(s.pk, n) for s, n in view.proposal] == [(soon.pk, 2), (later.pk, 2)]
    agent = client_for(Role.RECEPTION_AGENT)
    page = agent.get(f"/pfa/sessions/{later.pk}/convoquer/").content.decode()
    assert 'data-capacity="shortfall"' in page and "il manque 2 place(s)" in page
    assert 'data-capacity="proposal"' in page
    assert 'data-capacity="shortfall"' in agent.get("/pfa/a-traiter/").content.decode()
    assert missed.person_id not in [p.pk for p in waiting]
