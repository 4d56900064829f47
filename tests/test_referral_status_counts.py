"""The per-scheme status counts the database keeps (referrals 0008) equal a live count after
every kind of write: the services' transitions, bulk writes, updates by queryset and deletes."""

import pytest
from django.db.models import Count
from django.utils import timezone

from parcours.referrals.models import Referral, SchemeStatusCount
from tests.factories_referrals import SchemeFactory, make_referral

pytestmark = pytest.mark.django_db


def _kept():
    return {
        (c.scheme_id, c.status): c.number
        for c in SchemeStatusCount.objects.all()
        if c.number  # a status left by every referral stays as a zero row
    }


def _live():
    rows = Referral.objects.values("scheme_id", "status").annotate(n=Count("id"))
    return {(r["scheme_id"], r["status"]): r["n"] for r in rows}


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
