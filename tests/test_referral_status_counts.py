"""The per-scheme, DT and status counts the database keeps (referrals 0008, 0009) equal a live
count after every kind of write: the services' transitions, bulk writes, updates by queryset
and deletes; the partner inbox's and a DT's sent list's tabs read them."""

import pytest
from django.db.models import Count
from django.utils import timezone

from parcours.referrals.models import Referral, SchemeStatusCount
from tests.factories_referrals import SchemeFactory, make_referral

pytestmark = pytest.mark.django_db


def _kept(by_directorate=False):
    counts = {}
    for c in SchemeStatusCount.objects.all():
        if c.number:  # a status left by every referral stays as a zero row
            key = (c.scheme_id, c.directorate_id, c.status) if by_directorate else None
            key = key or (c.scheme_id, c.status)
            counts[key] = counts.get(key, 0) + c.number
    return counts


def _live(by_directorate=False):
    fields = ["scheme_id", "status"]
    if by_directorate:
        fields.insert(1, "directorate_id")
    rows = Referral.objects.values(*fields).annotate(n=Count("id"))
    return {tuple(r[name] for name in fields): r["n"] for r in rows}


def test_the_kept_counts_follow_every_transition_of_the_services():
    scheme, full = SchemeFactory(), SchemeFactory(capacity=1)
    for state in ("draft", "sent", "accepted", "refused", "entered", "completed", "expired"):
        make_referral(scheme, state=state)
    make_referral(full, state="accepted")
    make_referral(full, state="waitlisted")
    assert _kept() == _live()
    assert _kept()[(full.pk, "waitlisted")] == 1
    assert len(_kept()) == 9


def test_the_kept_counts_follow_bulk_updates_moves_to_another_scheme_and_deletes():
    first, second = SchemeFactory(), SchemeFactory()
    referrals = [make_referral(first, state="sent") for _ in range(3)]
    Referral.objects.filter(pk=referrals[0].pk).update(status="expired", closed_at=timezone.now())
    Referral.objects.filter(pk=referrals[1].pk).update(scheme=second)
    Referral.objects.filter(pk=referrals[2].pk).update(status="sent")  # no change
    assert (
        _kept()
        == _live()
        == {
            (first.pk, "expired"): 1,
            (second.pk, "sent"): 1,
            (first.pk, "sent"): 1,
        }
    )
    referrals[2].transitions.all().delete()
    Referral.objects.filter(pk=referrals[2].pk).delete()
    assert _kept() == _live()
    assert _kept(by_directorate=True) == _live(by_directorate=True)


def test_the_kept_counts_follow_a_referral_moved_to_another_dt():
    from parcours.territories.models import Directorate

    referral = make_referral(SchemeFactory(), state="sent")
    other = Directorate.objects.exclude(pk=referral.directorate_id).first()
    Referral.objects.filter(pk=referral.pk).update(directorate=other)
    assert (
        _kept(by_directorate=True)
        == _live(by_directorate=True)
        == {(referral.scheme_id, other.pk, "sent"): 1}
    )


def test_referrals_written_in_bulk_are_counted():
    scheme = SchemeFactory()
    model = make_referral(scheme, state="refused")  # closed: copies of one person allowed
    fields = [f.attname for f in Referral._meta.concrete_fields if not f.primary_key]
    Referral.objects.bulk_create(
        [Referral(**{name: getattr(model, name) for name in fields}) for _ in range(5)]
    )
    assert _kept()[(scheme.pk, "refused")] == 6
    assert _kept() == _live()


def test_the_inbox_tabs_count_every_state_of_the_partners_schemes_and_only_the_filtered_ones():
    from parcours.organisations.roles import OrganisationKind
    from tests.factories import OrganisationFactory
    from tests.helpers import page_text
    from tests.test_referrals_pages import partner_client

    scheme, second = SchemeFactory(), SchemeFactory()
    second.organisation = scheme.organisation
    second.save()
    for state in ("sent", "sent", "accepted", "refused", "expired", "draft"):
        make_referral(scheme, state=state)
    make_referral(second, state="sent")
    adie = OrganisationFactory(name="ADIE", kind=OrganisationKind.ADIE)
    make_referral(SchemeFactory(organisation=adie), state="sent")  # another partner's
    client = partner_client(scheme)
    whole = page_text(client.get("/orientations-recues/"))
    assert "À traiter (3)" in whole and "Acceptées, entrée à confirmer (1)" in whole
    assert "Closes (2)" in whole and "Liste d'attente (0)" in whole
    only_second = page_text(client.get(f"/orientations-recues/?dispositif={second.pk}"))
    assert "À traiter (1)" in only_second and "Closes (0)" in only_second


def test_a_dt_sent_list_tabs_are_its_own_referrals_kept_counts_and_the_filtered_ones_live():
    from parcours.organisations.roles import Role
    from tests.factories import membership_for
    from tests.helpers import page_text

    scheme, second = SchemeFactory(), SchemeFactory()
    for state in ("sent", "sent", "accepted", "refused", "draft"):
        make_referral(scheme, state=state)
    make_referral(second, state="sent")
    elsewhere = make_referral(SchemeFactory(served=("51",)), state="sent")  # Reims
    auditor = membership_for(Role.INTEGRATION_AUDITOR)
    assert elsewhere.directorate_id != auditor.organisation.directorate_id
    from django.test import Client

    client = Client()
    client.force_login(auditor.user)
    whole = page_text(client.get("/orientations/"))
    assert "En attente de réponse (3)" in whole and "Acceptées (1)" in whole
    assert "Closes (1)" in whole and "Brouillons (1)" in whole
    only_second = page_text(client.get(f"/orientations/?dispositif={second.pk}"))
    assert "En attente de réponse (1)" in only_second and "Closes (0)" in only_second
    # The rows of the tab, which the kept count pages.
    response = client.get("/orientations/?onglet=en-attente")
    assert response.context["page"].paginator.count == 3
    assert {r.scheme_id for r in response.context["page"].object_list} == {scheme.pk, second.pk}


def test_a_dt_sent_list_counts_no_referral_and_runs_the_same_statements_for_more(
    client_for,
):
    """Issue 12: a DT's sent list read some 90,000 referrals at a million persons to count its
    tabs, page its tab and offer its filters; now none of its statements counts them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parcours.organisations.roles import Role

    client = client_for(Role.INTEGRATION_AUDITOR)
    statements = []
    for _ in range(2):
        for state in ("sent", "accepted", "refused"):
            make_referral(SchemeFactory(), state=state)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/orientations/").status_code == 200
        statements.append([q["sql"] for q in queries.captured_queries])
        assert not [
            sql for sql in statements[-1] if "COUNT(" in sql and '"referrals_referral"' in sql
        ]
    assert len(statements[0]) == len(statements[1])
