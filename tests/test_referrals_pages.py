"""The referrals pages: directory, schemes, eligibility panel, referrals, partner inbox."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.organisations.roles import OrganisationKind, Role
from parcours.people.models import LanguageLevel, ResidenceStatus
from parcours.referrals.models import Referral, Scheme, SchemeEntryDate
from parcours.referrals.states import ReferralStatus as S
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, membership_for
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def client_of(membership):
    client = Client()
    client.force_login(membership.user)
    client.membership = membership
    return client


def auditor_client(directorate_code="metz"):
    return client_of(membership_for(Role.INTEGRATION_AUDITOR, directorate_code=directorate_code))


def partner_client(scheme, role=Role.PARTNER_COUNSELLOR):
    return client_of(partner_membership(scheme, role=role))


# Directory -----------------------------------------------------------------------------------


def test_the_directory_lists_the_schemes_serving_the_dt_with_their_rules():
    SchemeFactory(epide=True, served=["57"], name="Epide Metz")
    SchemeFactory(name="Hors périmètre", served=["67"])
    text = page_text(auditor_client().get("/dispositifs/"))
    assert "Epide Metz" in text
    assert "Âge à l'entrée : 17 à 25 ans." in text
    assert "Niveau de français A2 minimum, dérogation possible." in text
    assert "120 place(s) libre(s) sur 120" in text
    assert "Hors périmètre" not in text


def test_the_directory_searches_by_word_and_type():
    SchemeFactory(name="Boutique Solidaire", description="Créer son entreprise", kind="microcredit")
    SchemeFactory(name="Atelier Convivial", description="Socialisation", kind="social_integration")
    client = auditor_client()
    text = page_text(client.get("/dispositifs/", {"q": "entreprise"}))
    assert "Boutique Solidaire" in text and "Atelier Convivial" not in text
    text = page_text(client.get("/dispositifs/", {"kind": "social_integration"}))
    assert "Atelier Convivial" in text and "Boutique Solidaire" not in text
    assert "Aucun dispositif ne correspond" in page_text(client.get("/dispositifs/", {"q": "zzz"}))


def test_the_directory_runs_a_fixed_number_of_queries():
    client = auditor_client()
    SchemeFactory()
    with CaptureQueriesContext(connection) as few:
        client.get("/dispositifs/")
    for _ in range(12):
        scheme = SchemeFactory(continuous_entry=False)
        SchemeEntryDate.objects.create(scheme=scheme, starts_on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        client.get("/dispositifs/")
    assert len(many) == len(few)


def test_a_scheme_outside_the_perimeter_is_not_found():
    scheme = SchemeFactory(served=["67"])
    assert auditor_client().get(f"/dispositifs/{scheme.pk}/").status_code == 404
    assert auditor_client("strasbourg").get(f"/dispositifs/{scheme.pk}/").status_code == 200


# Scheme maintenance --------------------------------------------------------------------------


def scheme_payload(organisation, **overrides):
    from parcours.territories.models import Department

    data = {
        "organisation": organisation.pk,
        "name": "Parcours Epide",
        "kind": "epide",
        "description": "Internat d'insertion.",
        "departments": [Department.objects.get(code="57").pk],
        "capacity": "120",
        "continuous_entry": "on",
        "expiry_days": "30",
        "reminder_days": "7",
        "min_age": "17",
        "max_age": "25",
        "min_level": "a2",
        "level_waiver_allowed": "on",
        "rsa_rule": "any",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def epide_metz():
    from parcours.territories.models import Department

    organisation = OrganisationFactory(name="Epide Metz", kind=OrganisationKind.EPIDE)
    organisation.departments.set(Department.objects.filter(code="57"))
    return organisation


def test_a_dt_director_creates_a_scheme_for_a_partner():
    organisation = epide_metz()
    client = client_of(membership_for(Role.DT_DIRECTOR))
    response = client.post(
        "/gestion-dispositifs/nouveau/", scheme_payload(organisation), follow=True
    )
    scheme = Scheme.objects.get()
    assert "Dispositif « Parcours Epide » créé." in page_text(response)
    assert (scheme.capacity, scheme.min_age, scheme.max_age, scheme.seats_taken) == (120, 17, 25, 0)
    assert list(scheme.departments.values_list("code", flat=True)) == ["57"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"min_age": "26"}, "L'âge maximum doit être supérieur ou égal à l'âge minimum."),
        ({"reminder_days": "30"}, "La relance doit partir avant l'expiration"),
        ({"min_level": "", "level_waiver_allowed": "on"}, "dérogation n'a de sens"),
        ({"min_level": "b1", "max_level": "a1"}, "Le niveau maximum doit être au moins"),
        ({"capacity": "-3"}, "supérieure ou égale à 0"),
        ({"name": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_scheme_input_gets_a_french_message_and_saves_nothing(overrides, message):
    organisation = epide_metz()
    client = client_of(membership_for(Role.DT_ADMIN))
    response = client.post(
        "/gestion-dispositifs/nouveau/", scheme_payload(organisation, **overrides)
    )
    assert response.status_code == 200
    text = page_text(response)
    assert message in text
    assert "Le dispositif n'a pas été enregistré" in text
    assert not Scheme.objects.exists()


def test_a_dt_manager_must_serve_its_own_perimeter():
    from parcours.territories.models import Department

    organisation = epide_metz()
    client = client_of(membership_for(Role.DT_DIRECTOR))
    payload = scheme_payload(organisation, departments=[Department.objects.get(code="67").pk])
    assert "Sélectionnez un choix valide" in page_text(
        client.post("/gestion-dispositifs/nouveau/", payload)
    )
    assert not Scheme.objects.exists()


def test_a_partner_admin_edits_only_its_own_schemes():
    mine = SchemeFactory(name="Mon dispositif")
    other = SchemeFactory(
        organisation=OrganisationFactory(name="ADIE", kind=OrganisationKind.ADIE), name="Autre"
    )
    client = partner_client(mine, role=Role.PARTNER_ADMIN)
    assert client.get(f"/gestion-dispositifs/{mine.pk}/").status_code == 200
    assert client.get(f"/gestion-dispositifs/{other.pk}/").status_code == 404
    manage = page_text(client.get("/gestion-dispositifs/"))
    assert "Mon dispositif" in manage and "Autre" not in manage
    response = client.post(
        "/gestion-dispositifs/nouveau/", scheme_payload(other.organisation, name="Intrus")
    )
    assert "Sélectionnez un choix valide" in page_text(response)
    assert not Scheme.objects.filter(name="Intrus").exists()


def test_auditors_and_counsellors_cannot_maintain_schemes():
    scheme = SchemeFactory()
    assert auditor_client().get("/gestion-dispositifs/").status_code == 403
    assert partner_client(scheme).get(f"/gestion-dispositifs/{scheme.pk}/").status_code == 403


def test_lowering_the_capacity_below_the_seats_taken_is_refused_in_the_form():
    scheme = SchemeFactory(capacity=3)
    make_referral(scheme, state="accepted")
    make_referral(scheme, state="accepted")
    client = client_of(membership_for(Role.DT_DIRECTOR))
    payload = scheme_payload(scheme.organisation, name=scheme.name, capacity="1", kind="other")
    response = client.post(f"/gestion-dispositifs/{scheme.pk}/", payload)
    assert "2 places sont occupées" in page_text(response)
    assert Scheme.objects.get(pk=scheme.pk).capacity == 3


def test_entry_dates_are_added_and_removed():
    scheme = SchemeFactory()
    client = client_of(membership_for(Role.DT_ADMIN))
    day = timezone.localdate() + datetime.timedelta(days=10)
    client.post(f"/gestion-dispositifs/{scheme.pk}/dates/", {"starts_on": day, "label": "Promo"})
    entry = SchemeEntryDate.objects.get(scheme=scheme)
    assert entry.starts_on == day
    past = client.post(
        f"/gestion-dispositifs/{scheme.pk}/dates/", {"starts_on": "2020-01-01", "label": ""}
    )
    assert past.status_code == 400
    assert "aujourd'hui ou plus tard" in page_text(past)
    client.post(f"/gestion-dispositifs/{scheme.pk}/dates/", {"delete": entry.pk})
    assert not SchemeEntryDate.objects.exists()


# Eligibility panel and new referral ----------------------------------------------------------


def test_the_panel_sorts_schemes_by_eligibility_with_reasons():
    SchemeFactory(name="Mission locale", min_age=16, max_age=25)
    SchemeFactory(agir=True, served=["57"])
    SchemeFactory(epide=True, served=["57"], name="Epide")
    person = PersonFactory(
        birth_date=datetime.date(1990, 1, 1), residence_status=ResidenceStatus.REFUGEE
    )
    text = page_text(auditor_client().get(f"/personnes/{person.pk}/orientations/"))
    assert "Éligible (1)" in text  # AGIR
    assert "Catégorie de séjour « Réfugié » admise." in text
    assert "Non éligible (2)" in text
    assert "le dispositif accueille jusqu'à 25 ans" in text


def test_the_panel_can_judge_at_another_entry_date():
    SchemeFactory(name="Mission locale", min_age=16, max_age=25)
    person = PersonFactory(birth_date=datetime.date(2001, 6, 15))
    client = auditor_client()
    before = page_text(client.get(f"/personnes/{person.pk}/orientations/", {"date": "2026-06-14"}))
    after = page_text(client.get(f"/personnes/{person.pk}/orientations/", {"date": "2027-06-15"}))
    assert "Éligible (1)" in before
    assert "Non éligible (1)" in after


def test_the_panel_runs_a_fixed_number_of_queries():
    person = PersonFactory()
    client = auditor_client()
    SchemeFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(f"/personnes/{person.pk}/orientations/")
    for index in range(10):
        make_referral(SchemeFactory(min_age=16 + index), person, state="sent")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/personnes/{person.pk}/orientations/")
    assert len(many) == len(few)


def test_the_panel_of_a_person_outside_the_perimeter_is_not_found():
    person = PersonFactory()
    assert (
        auditor_client("strasbourg").get(f"/personnes/{person.pk}/orientations/").status_code == 404
    )


def test_sending_without_consent_is_refused_clearly_and_creates_nothing():
    scheme, person = SchemeFactory(), PersonFactory()
    response = auditor_client().post(
        f"/personnes/{person.pk}/orientations/nouvelle/{scheme.pk}/", {"send": "1"}
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Recueillez l'accord de la personne" in text
    assert "L'orientation n'a pas été enregistrée" in text
    assert not Referral.objects.exists()


def test_an_auditor_sends_a_referral_and_lands_on_it():
    scheme, person = SchemeFactory(), PersonFactory()
    response = auditor_client().post(
        f"/personnes/{person.pk}/orientations/nouvelle/{scheme.pk}/",
        {"send": "1", "consent": "on", "note": "Disponible le matin."},
        follow=True,
    )
    referral = Referral.objects.get()
    assert response.request["PATH_INFO"] == f"/orientations/{referral.pk}/"
    text = page_text(response)
    assert f"Orientation envoyée à {scheme.organisation.name}." in text
    assert "Envoi au partenaire" in text  # the history
    assert (referral.status, referral.note) == (S.SENT, "Disponible le matin.")


def test_a_draft_is_kept_then_sent_from_its_page():
    scheme, person = SchemeFactory(), PersonFactory()
    client = auditor_client()
    client.post(f"/personnes/{person.pk}/orientations/nouvelle/{scheme.pk}/", {"draft": "1"})
    referral = Referral.objects.get()
    assert referral.status == S.DRAFT
    refused = client.post(f"/orientations/{referral.pk}/envoyer/", {})
    assert refused.status_code == 400
    assert "Recueillez l'accord" in page_text(refused)
    client.post(f"/orientations/{referral.pk}/envoyer/", {"send-consent": "on"})
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_a_waiver_needs_a_justification_in_the_form():
    scheme = SchemeFactory(epide=True, served=["57"])
    person = PersonFactory(birth_date=datetime.date(2006, 1, 1), language_level=LanguageLevel.A1)
    client = auditor_client()
    url = f"/personnes/{person.pk}/orientations/nouvelle/{scheme.pk}/"
    page = page_text(client.get(url))
    assert "dérogation possible, à justifier" in page
    response = client.post(url, {"send": "1", "consent": "on"})
    assert "Justifiez la dérogation" in page_text(response)
    client.post(url, {"send": "1", "consent": "on", "waiver_justification": "Volontaire."})
    assert Referral.objects.get().eligibility_status == "eligible_with_waiver"


def test_a_not_eligible_scheme_cannot_be_forced_by_url():
    scheme = SchemeFactory(agir=True, served=["57"])
    person = PersonFactory(residence_status=ResidenceStatus.WORKER)
    response = auditor_client().post(
        f"/personnes/{person.pk}/orientations/nouvelle/{scheme.pk}/", {"send": "1", "consent": "on"}
    )
    assert "ne remplit pas les conditions" in page_text(response)
    assert not Referral.objects.exists()


def test_the_referrer_withdraws_and_transfers_from_the_referral_page():
    referral = make_referral(state="sent")
    client = client_of(
        MembershipFactory(
            organisation=referral.referrer_organisation, role=Role.INTEGRATION_AUDITOR
        )
    )
    other = SchemeFactory(organisation=referral.scheme.organisation, name="Autre dispositif")
    page = page_text(client.get(f"/orientations/{referral.pk}/transferer/"))
    assert "Autre dispositif" in page
    response = client.post(
        f"/orientations/{referral.pk}/transferer/", {"scheme": other.pk}, follow=True
    )
    assert "Orientation transférée vers « Autre dispositif »." in page_text(response)
    new = Referral.objects.get(transferred_from=referral)
    client.post(f"/orientations/{new.pk}/retirer/", {"withdraw-comment": "Erreur"})
    new.refresh_from_db()
    assert new.status == S.WITHDRAWN


def test_the_sent_list_shows_the_partners_answer_and_keeps_its_query_count():
    client = auditor_client()
    make_referral(state="refused")
    with CaptureQueriesContext(connection) as few:
        text = page_text(client.get("/orientations/", {"onglet": "closes"}))
    assert "Refusée" in text
    for _ in range(8):
        make_referral(state="refused")
    with CaptureQueriesContext(connection) as many:
        client.get("/orientations/", {"onglet": "closes"})
    assert len(many) == len(few)


# Partner inbox -------------------------------------------------------------------------------


def test_the_inbox_shows_only_this_partners_referrals_and_only_needed_fields():
    referral = make_referral(
        state="sent", person=PersonFactory(last_name="HADDAD", phone="0612345678")
    )
    other = SchemeFactory(organisation=OrganisationFactory(name="ADIE", kind=OrganisationKind.ADIE))
    make_referral(other, state="sent", person=PersonFactory(last_name="AUTREPARTENAIRE"))
    client = partner_client(referral.scheme)
    inbox = page_text(client.get("/orientations-recues/"))
    assert "HADDAD" in inbox and "AUTREPARTENAIRE" not in inbox
    detail = page_text(client.get(f"/orientations/{referral.pk}/"))
    assert "0612345678" in detail
    assert "Catégorie de séjour" not in detail  # the scheme's rules do not use it
    assert "AGDREF" not in detail and "Nationalité" not in detail


def test_residence_status_is_shown_to_a_partner_whose_rules_use_it():
    referral = make_referral(SchemeFactory(agir=True, served=["57"]), state="sent")
    detail = page_text(partner_client(referral.scheme).get(f"/orientations/{referral.pk}/"))
    assert "Catégorie de séjour" in detail
    assert "Réfugié" in detail


def test_the_inbox_runs_a_fixed_number_of_queries():
    scheme = SchemeFactory()
    client = partner_client(scheme)
    make_referral(scheme, state="sent")
    with CaptureQueriesContext(connection) as few:
        client.get("/orientations-recues/")
    for _ in range(10):
        make_referral(scheme, state="sent")
    with CaptureQueriesContext(connection) as many:
        client.get("/orientations-recues/")
    assert len(many) == len(few)


def test_a_partner_accepts_records_entry_and_exit_and_the_referrer_sees_it():
    referral = make_referral(state="sent")
    client = partner_client(referral.scheme)
    client.post(f"/orientations-recues/{referral.pk}/accepter/", {"accept-comment": "Bienvenue"})
    today = timezone.localdate().isoformat()
    client.post(f"/orientations-recues/{referral.pk}/entree/", {"entry-entered_on": today})
    response = client.post(
        f"/orientations-recues/{referral.pk}/sortie/",
        {"exit-outcome": "dropped_out", "exit-exited_on": today, "exit-reason": "employment"},
        follow=True,
    )
    assert "Sortie du dispositif enregistrée." in page_text(response)
    referral.refresh_from_db()
    assert (referral.status, referral.drop_out_reason) == (S.DROPPED_OUT, "employment")
    referrer = auditor_client()
    text = page_text(referrer.get(f"/orientations/{referral.pk}/"))
    assert "Sortie anticipée" in text and "Accès à un emploi" in text and "Bienvenue" in text


def test_a_refusal_without_reason_changes_nothing():
    referral = make_referral(state="sent")
    response = partner_client(referral.scheme).post(
        f"/orientations-recues/{referral.pk}/refuser/", {"refuse-comment": "Non"}
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in page_text(response)
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_a_drop_out_without_reason_is_refused_in_the_form():
    referral = make_referral(state="entered")
    today = timezone.localdate().isoformat()
    response = partner_client(referral.scheme).post(
        f"/orientations-recues/{referral.pk}/sortie/",
        {"exit-outcome": "dropped_out", "exit-exited_on": today},
    )
    assert "Choisissez le motif de la sortie anticipée." in page_text(response)
    referral.refresh_from_db()
    assert referral.status == S.ENTERED


def test_accepting_twice_is_refused_with_a_clear_message():
    referral = make_referral(state="sent")
    client = partner_client(referral.scheme)
    client.post(f"/orientations-recues/{referral.pk}/accepter/", {})
    response = client.post(f"/orientations-recues/{referral.pk}/accepter/", {}, follow=True)
    assert "l'action « Acceptation » n'est plus possible" in page_text(response)
    assert referral.transitions.filter(name="accept").count() == 1


def test_a_full_scheme_puts_the_acceptance_on_the_waiting_list():
    scheme = SchemeFactory(capacity=1)
    make_referral(scheme, state="accepted")
    referral = make_referral(scheme, state="sent")
    response = partner_client(scheme).post(
        f"/orientations-recues/{referral.pk}/accepter/", {}, follow=True
    )
    text = page_text(response)
    assert "la personne est inscrite en liste d'attente" in text
    assert "rang 1 sur la liste d'attente" in text


def test_the_person_file_shows_the_referral_steps():
    referral = make_referral(state="accepted")
    text = page_text(auditor_client().get(f"/personnes/{referral.person.pk}/"))
    assert f"Orientation vers « {referral.scheme.name} » : acceptation" in text


def test_a_partner_reads_the_file_of_a_referred_person_but_not_of_a_drafted_one():
    sent = make_referral(state="sent")
    draft = make_referral(sent.scheme, state="draft")
    client = partner_client(sent.scheme)
    # The OFII file address sends a partner to its own projection of the person.
    assert client.get(f"/personnes/{sent.person.pk}/", follow=True).status_code == 200
    assert client.get(f"/personnes/{draft.person.pk}/", follow=True).status_code == 404
    assert client.get(f"/orientations/{draft.pk}/").status_code == 404


def test_the_menu_offers_each_role_its_referral_pages():
    scheme = SchemeFactory()
    auditor = page_text(auditor_client().get("/"))
    assert "Dispositifs" in auditor and "Orientations envoyées" in auditor
    assert "Orientations reçues" not in auditor
    partner = page_text(partner_client(scheme, role=Role.PARTNER_ADMIN).get("/"))
    assert "Orientations reçues" in partner and "Gérer les dispositifs" in partner


def test_the_partner_view_of_a_person_shows_only_what_the_partner_needs():
    referral = make_referral(
        state="sent", person=PersonFactory(last_name="HADDAD", agdref_number="7501234567")
    )
    client = partner_client(referral.scheme)
    response = client.get(f"/orientations-recues/personnes/{referral.person.pk}/")
    text = page_text(response)
    assert "HADDAD" in text and referral.reference in text
    assert "7501234567" not in text and "Catégorie de séjour" not in text
    never = PersonFactory()
    assert client.get(f"/orientations-recues/personnes/{never.pk}/").status_code == 404
