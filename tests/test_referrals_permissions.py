"""A partner counsellor cannot read, by any URL, a person never referred to their organisation,
nor a referral of another partner (done-when of issue 4).

Every routed URL is tried with the id of each forbidden object (GET and POST), plus the list
and search pages; the forbidden people's names must never appear and nothing may change.
"""

import pytest
from django.test import Client
from django.utils import timezone

from parcours.organisations.roles import OrganisationKind, Role
from parcours.referrals.models import InformationSessionAttendee, Referral
from parcours.referrals.states import ReferralStatus as S
from tests import urlwalk
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, membership_for
from tests.factories_referrals import InformationSessionFactory, SchemeFactory, make_referral
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

SECRETS = ["SECRETAILLEURS", "SECRETJAMAIS", "SECRETBROUILLON", "SECRETSEANCE"]


@pytest.fixture
def world():
    """A counsellor of AMLI with one person of its own, and people it must never see."""
    counsellor = membership_for(Role.PARTNER_COUNSELLOR)  # AMLI – AGIR 57
    own_scheme = SchemeFactory(organisation=counsellor.organisation, name="AGIR 57")
    own = make_referral(own_scheme, person=PersonFactory(last_name="VISIBLEAMLI"), state="sent")
    epide = OrganisationFactory(name="Epide Strasbourg", kind=OrganisationKind.EPIDE)
    other_scheme = SchemeFactory(organisation=epide, name="Epide")
    elsewhere = make_referral(
        other_scheme, person=PersonFactory(last_name="SECRETAILLEURS"), state="accepted"
    )
    never = PersonFactory(last_name="SECRETJAMAIS")
    draft = make_referral(
        own_scheme, person=PersonFactory(last_name="SECRETBROUILLON"), state="draft"
    )
    session = InformationSessionFactory(organisation=epide)
    attendee = InformationSessionAttendee.objects.create(
        session=session,
        person=PersonFactory(last_name="SECRETSEANCE"),
        volunteered=True,
        interviewed_on=timezone.localdate(),
    )
    MembershipFactory(organisation=epide, role=Role.PARTNER_ADMIN)
    client = Client()
    client.force_login(counsellor.user)
    client.user = counsellor.user
    ids = {
        never.pk,
        elsewhere.pk,
        elsewhere.person_id,
        draft.pk,
        draft.person_id,
        session.pk,
        attendee.pk,
        attendee.person_id,
    }
    return {"client": client, "own": own, "ids": sorted(ids)}


def _state(own):
    """Everything the counsellor must not change: all but its own referral."""
    return (
        sorted(Referral.objects.exclude(pk=own.pk).values_list("pk", "status")),
        sorted(InformationSessionAttendee.objects.values_list("pk", "volunteered", "referral_id")),
    )


def _text(response) -> str:
    """What a reader of the answer sees: a page's text, or every cell of a spreadsheet."""
    if "spreadsheetml" in response.get("Content-Type", ""):
        import io

        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if response.get("Content-Type", "").startswith(("text/", "application/json")):
        return page_text(response)
    return response.content.decode("utf-8", "replace")


def _leaks(response) -> list[str]:
    text = _text(response)
    return [secret for secret in SECRETS if secret in text]


def test_no_url_shows_a_person_or_referral_outside_the_partners_referrals(world, monkeypatch):
    client = world["client"]
    before = _state(world["own"])
    failures = []
    for value in world["ids"]:
        monkeypatch.setitem(urlwalk.SAMPLES, "int", str(value))
        for route in urlwalk.walk():
            for method in ("get", "post"):
                # Signed in again each time: the walk also posts to the logout URL.
                client.force_login(client.user)
                response = getattr(client, method)(route.url)
                if response.status_code >= 500 or _leaks(response):
                    failures.append((method, route.url, response.status_code, _leaks(response)))
    assert failures == []
    assert _state(world["own"]) == before


@pytest.mark.parametrize(
    "url",
    [
        "/personnes/?q=SECRET",
        "/orientations-recues/?onglet=a-traiter",
        "/orientations-recues/?onglet=acceptees",
        "/orientations-recues/?onglet=closes",
        "/orientations/?onglet=brouillons",
        "/orientations/?onglet=acceptees",
        "/seances-information/",
        "/",
    ],
)
def test_lists_and_searches_show_only_the_partners_own_people(world, url):
    # The OFII person list sends partners to their inbox: follow it.
    response = world["client"].get(url, follow=True)
    assert response.status_code == 200
    assert _leaks(response) == []


def test_the_partner_still_reads_its_own_referral(world):
    own = world["own"]
    response = world["client"].get(f"/orientations/{own.pk}/")
    assert response.status_code == 200
    assert "VISIBLEAMLI" in page_text(response)
    assert own.status == S.SENT
