"""Issue 19: edit pages for agreements, calls, groups, meetings, actions and contacts, the
« Renouveler » button of an agreement, and meetings recorded by a group's chair partner."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from parcours.organisations.roles import OrganisationKind, Role
from parcours.partnerships import services
from parcours.partnerships.models import Agreement, Contact, Decision, Meeting
from parcours.partnerships.states import AgreementStatus
from tests.factories import MembershipFactory, OrganisationFactory, membership_for
from tests.factories_partnerships import contact, fle_group, metz_experiment
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

BASE = "/partenariats"


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def _agreement_post(agreement, **changes):
    values = {
        "title": agreement.title,
        "kind": agreement.kind,
        "theme": agreement.theme,
        "purpose": agreement.purpose,
        "partners": [p.pk for p in agreement.partners.all()],
        "directorates": [d.pk for d in agreement.directorates.all()],
        "schemes": [],
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else "",
        "ceiling": str(agreement.ceiling or ""),
    }
    values.update(changes)
    return values


def test_the_director_edits_an_agreement_and_the_change_is_in_its_history():
    world = metz_experiment()
    agreement = world["agreement"]
    director = signed_in(world["director"])
    url = f"{BASE}/conventions/{agreement.pk}/modifier/"
    detail = page_text(director.get(f"{BASE}/conventions/{agreement.pk}/"))
    assert "Modifier la convention" in detail
    assert "Convention AMLI" in page_text(director.get(url))

    # A wrong period: the form again, in French, nothing changed.
    answer = director.post(url, _agreement_post(agreement, ends_on="2025-01-01", ceiling="1"))
    assert answer.status_code == 200 and "La fin précède le début." in page_text(answer)
    agreement.refresh_from_db()
    assert agreement.ceiling == Decimal("62000")

    answer = director.post(url, _agreement_post(agreement, ceiling="64000"), follow=True)
    assert "Convention modifiée." in page_text(answer)
    agreement.refresh_from_db()
    assert agreement.ceiling == Decimal("64000")
    assert agreement.status == AgreementStatus.RUNNING  # an edit changes no state
    edit = agreement.transitions.get(name="edit")
    assert edit.from_status == edit.to_status == AgreementStatus.RUNNING
    assert edit.comment == "Modifié : montant maximal"
    assert edit.by == world["director"].user
    assert "Modifié : montant maximal" in page_text(answer)


def test_only_those_who_create_agreements_edit_them():
    world = metz_experiment()
    agreement = world["agreement"]
    url = f"{BASE}/conventions/{agreement.pk}/modifier/"
    amli_admin = MembershipFactory(organisation=world["operators"][0], role=Role.PARTNER_ADMIN)
    assert signed_in(amli_admin).get(url).status_code == 403
    assert signed_in(world["dreets"]).get(url).status_code == 403
    other_dt = membership_for(Role.DT_DIRECTOR, directorate_code="amiens")
    assert signed_in(other_dt).get(url).status_code == 404
    detail = page_text(signed_in(amli_admin).get(f"{BASE}/conventions/{agreement.pk}/"))
    assert "Modifier la convention" not in detail and "Renouveler" not in detail


def test_renewing_a_running_agreement_makes_the_next_one_a_draft_and_logs_both():
    world = metz_experiment()
    old = world["agreement"]
    director = signed_in(world["director"])
    assert "Renouveler" in page_text(director.get(f"{BASE}/conventions/{old.pk}/"))
    url = f"{BASE}/conventions/{old.pk}/renouveler/"
    form = director.get(url).content.decode()
    assert 'value="2026-12-01"' in form  # the day after the old one ends

    answer = director.post(url, {"starts_on": "2026-12-01", "ends_on": "2026-11-01"})
    assert "La fin précède le début." in page_text(answer)
    assert Agreement.objects.count() == 1

    answer = director.post(
        url, {"starts_on": "2026-12-01", "ends_on": "2027-11-30", "ceiling": "63000"}, follow=True
    )
    assert "Convention renouvelée" in page_text(answer)
    old.refresh_from_db()
    new = Agreement.objects.get(renews=old)
    assert old.status == AgreementStatus.RENEWED
    assert new.status == AgreementStatus.DRAFT and new.signed_on is None
    assert (new.starts_on, new.ends_on) == (datetime.date(2026, 12, 1), datetime.date(2027, 11, 30))
    assert new.ceiling == Decimal("63000")
    assert list(new.partners.all()) == [world["operators"][0]]
    assert new.reporting_duties.count() == 1
    assert old.transitions.filter(name="renew", to_status=AgreementStatus.RENEWED).exists()
    assert new.transitions.filter(name="create").exists()
    assert "Renouvelle :" in page_text(answer)

    # A renewed agreement, or a draft, cannot be renewed: French message, nothing created.
    assert "Renouveler" not in page_text(director.get(f"{BASE}/conventions/{old.pk}/"))
    answer = director.post(url, {"starts_on": "2027-12-01"}, follow=True)
    assert "Cette action n'est pas possible dans l'état actuel (Renouvelée)." in page_text(answer)
    assert Agreement.objects.count() == 2


def test_calls_groups_contacts_and_actions_have_edit_pages_for_those_who_create_them():
    world = metz_experiment()
    director = signed_in(world["director"])
    call = world["call"]
    answer = director.post(
        f"{BASE}/appels/{call.pk}/modifier/",
        {
            "title": "AMI – CIP à la PFA (modifié)",
            "issuer": call.issuer_id,
            "directorates": [d.pk for d in call.directorates.all()],
            "invited": [o.pk for o in call.invited.all()],
            "published_on": "2025-09-15",
            "closes_on": "2025-10-31",
            "budget": "",
            "criteria": call.criteria,
        },
        follow=True,
    )
    assert "Appel modifié." in page_text(answer)
    call.refresh_from_db()
    assert call.title == "AMI – CIP à la PFA (modifié)"

    dt = world["director"].organisation
    amli = world["operators"][0]
    group = fle_group(chair=dt, members=[amli], directorate_code="metz")
    assert "Modifier le groupe" in page_text(director.get(f"{BASE}/groupes/{group.pk}/"))
    answer = director.post(
        f"{BASE}/groupes/{group.pk}/modifier/",
        {
            "name": "Groupe FLE",
            "theme": group.theme,
            "body": group.body,
            "chair": dt.pk,
            "members": [dt.pk, amli.pk],
            "directorates": [d.pk for d in group.directorates.all()],
            "purpose": "",
        },
        follow=True,
    )
    assert "Groupe de travail modifié." in page_text(answer)
    group.refresh_from_db()
    assert group.name == "Groupe FLE"

    action = services.create_action(
        group,
        title="Recenser les places FLE",
        owner=dt,
        due_on=datetime.date(2026, 3, 1),
        by=world["director"].user,
    )
    url = f"{BASE}/actions/{action.pk}/modifier/"
    outsider = OrganisationFactory(name="Hors groupe", kind=OrganisationKind.OTHER)
    answer = director.post(url, {"title": "X", "owner": outsider.pk, "due_on": "2026-03-01"})
    assert "Sélectionnez un choix valide" in page_text(answer)
    answer = director.post(
        url, {"title": "Recenser les places FLE", "owner": amli.pk, "due_on": "2026-04-01"}
    )
    action.refresh_from_db()
    assert action.owner == amli and action.due_on == datetime.date(2026, 4, 1)
    edit = action.transitions.get(name="edit")
    assert edit.comment == "Modifié : structure responsable, échéance"

    person = contact(amli)
    answer = director.post(
        f"{BASE}/contacts/{person.pk}/modifier/",
        {
            "organisation": amli.pk,
            "full_name": "Camille Dupont",
            "job_title": "Directrice",
            "email": "",
            "phone": "",
        },
    )
    assert "Indiquez au moins une adresse électronique ou un téléphone." in page_text(answer)
    director.post(
        f"{BASE}/contacts/{person.pk}/modifier/",
        {
            "organisation": amli.pk,
            "full_name": "Camille Dupont",
            "job_title": "Directrice",
            "email": "c.dupont@amli.example.org",
            "phone": "",
        },
    )
    assert Contact.objects.get(pk=person.pk).job_title == "Directrice"
    amli_admin = MembershipFactory(organisation=amli, role=Role.PARTNER_ADMIN)
    assert signed_in(amli_admin).get(f"{BASE}/contacts/{person.pk}/modifier/").status_code == 403
    assert signed_in(amli_admin).get(url).status_code == 403


def test_the_chair_partner_records_and_edits_the_meetings_of_its_own_group_only():
    chair = OrganisationFactory(
        name="Collectivité européenne d'Alsace", kind=OrganisationKind.OTHER
    )
    member = OrganisationFactory(name="CAF du Bas-Rhin", kind=OrganisationKind.CAF)
    group = fle_group(chair=chair, members=[member])
    chair_person = contact(chair)
    chair_admin = signed_in(MembershipFactory(organisation=chair, role=Role.PARTNER_ADMIN))
    page = page_text(chair_admin.get(f"{BASE}/groupes/{group.pk}/"))
    assert "Enregistrer la réunion" in page and "Modifier le groupe" not in page

    answer = chair_admin.post(
        f"{BASE}/groupes/{group.pk}/reunions/",
        {
            "held_on": "2026-02-10",
            "place": "Strasbourg",
            "agenda": "Places FLE",
            "attendees": [chair_person.pk],
        },
        follow=True,
    )
    assert "Réunion enregistrée." in page_text(answer)
    meeting = Meeting.objects.get(group=group)
    assert list(meeting.attendees.all()) == [chair_person]
    chair_admin.post(f"{BASE}/reunions/{meeting.pk}/decisions/", {"text": "Ouvrir 12 places."})
    assert Decision.objects.get(meeting=meeting).text == "Ouvrir 12 places."
    answer = chair_admin.post(
        f"{BASE}/reunions/{meeting.pk}/modifier/",
        {"held_on": "2026-02-11", "place": "Colmar", "agenda": "Places FLE"},
        follow=True,
    )
    assert "Réunion modifiée." in page_text(answer)
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.place) == (datetime.date(2026, 2, 11), "Colmar")

    # A member that does not chair sees the group but records nothing; outsiders get a 404.
    member_admin = signed_in(MembershipFactory(organisation=member, role=Role.PARTNER_ADMIN))
    assert "Enregistrer la réunion" not in page_text(
        member_admin.get(f"{BASE}/groupes/{group.pk}/")
    )
    refused = member_admin.post(
        f"{BASE}/groupes/{group.pk}/reunions/", {"held_on": "2026-03-01", "agenda": "x"}
    )
    assert refused.status_code == 403
    assert member_admin.get(f"{BASE}/reunions/{meeting.pk}/modifier/").status_code == 403
    outsider = OrganisationFactory(name="Autre", kind=OrganisationKind.OTHER)
    outsider_admin = signed_in(MembershipFactory(organisation=outsider, role=Role.PARTNER_ADMIN))
    assert outsider_admin.get(f"{BASE}/reunions/{meeting.pk}/modifier/").status_code == 404
    assert Meeting.objects.count() == 1
    # The chair never edits the group itself: that stays with the DT.
    assert chair_admin.get(f"{BASE}/groupes/{group.pk}/modifier/").status_code == 403
