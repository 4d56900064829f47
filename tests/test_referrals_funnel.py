"""The referral funnel per scheme: one grouped query, usable by the indicators module."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.referrals import services
from parcours.referrals.queries import STAGES, funnel
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership

pytestmark = pytest.mark.django_db


def _counts(row):
    return {stage: row[stage] for stage in STAGES if row[stage]}


def test_the_funnel_counts_each_stage_reached_and_refusals_by_reason():
    scheme = SchemeFactory(name="Epide", capacity=1)
    for state in ["sent", "accepted", "refused", "expired", "draft"]:
        make_referral(scheme, state=state)
    waiting = make_referral(scheme, state="sent")
    partner = partner_membership(scheme)
    services.accept_referral(waiting, by=partner.user, organisation=partner.organisation)
    services.refuse_referral(
        make_referral(scheme, state="sent"),
        by=partner.user,
        organisation=partner.organisation,
        reason="not_eligible",
    )
    (row,) = funnel()
    assert (row.scheme_id, row.scheme_name) == (scheme.pk, "Epide")
    assert _counts(row) == {
        "sent": 6,  # the draft was never sent
        "awaiting_answer": 1,
        "accepted": 1,
        "waitlisted": 1,
        "refused": 2,
        "expired": 1,
    }
    assert {k: v for k, v in row.refused_by_reason.items() if v} == {
        "unreachable": 1,
        "not_eligible": 1,
    }


def test_entered_completed_and_dropped_out_referrals_still_count_as_accepted():
    scheme = SchemeFactory()
    for state in ["entered", "completed", "dropped_out", "withdrawn"]:
        make_referral(scheme, state=state)
    (row,) = funnel([scheme])
    assert _counts(row) == {
        "sent": 4,
        "accepted": 3,
        "entered": 3,
        "completed": 1,
        "dropped_out": 1,
        "withdrawn": 1,
    }


def test_the_funnel_filters_by_scheme_and_by_sending_period():
    first, second = SchemeFactory(name="A"), SchemeFactory(name="B")
    long_ago = timezone.now() - datetime.timedelta(days=90)
    make_referral(first, state="sent", now=long_ago)
    make_referral(first, state="sent")
    make_referral(second, state="sent")
    today = timezone.localdate()
    assert [r.scheme_name for r in funnel()] == ["A", "B"]
    assert [r["sent"] for r in funnel(period=(today, today))] == [1, 1]
    assert [r.scheme_name for r in funnel(schemes=type(first).objects.filter(pk=second.pk))] == [
        "B"
    ]
    assert [r["sent"] for r in funnel(schemes=[first.pk])] == [2]


def test_the_funnel_is_one_query_whatever_the_number_of_schemes_and_referrals():
    make_referral(state="completed")
    with CaptureQueriesContext(connection) as few:
        funnel()
    for _ in range(4):
        scheme = SchemeFactory()
        for state in ["sent", "refused", "entered"]:
            make_referral(scheme, state=state)
    with CaptureQueriesContext(connection) as many:
        rows = funnel()
    assert len(rows) == 5
    assert len(few) == len(many) == 1
