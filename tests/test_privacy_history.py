"""Change history: field-level before and after values, who and when, shown on the person file."""

import datetime

import pytest

from parcours.accounts.models import User
from parcours.organisations.roles import Role
from parcours.people import services as people_services
from parcours.people.models import Language, Person
from parcours.privacy.history import (
    acting_as,
    history_for,
    record_change,
    suspend_tracking,
    tracked_models,
)
from parcours.privacy.models import FieldChange
from parcours.territories.models import Country, Department
from tests.factories import PersonFactory, UserFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def edit_payload(person, **overrides):
    data = {
        "last_name": person.last_name,
        "first_names": person.first_names,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "residence_status": person.residence_status,
        "department": person.department_id,
        "accommodation": person.accommodation,
        "employment_status": person.employment_status,
    }
    data.update(overrides)
    return data


def test_persons_are_recorded_by_their_services_not_by_save_signals():
    # Issue 13: people.services states each change (actor, reason); a save() records nothing.
    assert Person not in tracked_models()
    person = PersonFactory(phone="")
    people_services.edit_person(person, {"phone": "0612345678"}, actor=None, reason="Appel")
    change = FieldChange.objects.get()
    assert (change.field, change.after, change.reason) == ("phone", "0612345678", "Appel")


def test_an_edit_records_each_changed_field_with_before_after_and_who(client_for):
    person = PersonFactory(phone="0612345678", employment_status="unknown")
    client = client_for(Role.INTEGRATION_AUDITOR)
    client.post(
        f"/personnes/{person.pk}/modifier/",
        edit_payload(person, phone="07 11 22 33 44", employment_status="cdi"),
    )
    changes = {c.field: c for c in FieldChange.objects.filter(person=person)}
    assert set(changes) == {"phone", "employment_status"}
    assert (changes["phone"].before, changes["phone"].after) == ("0612345678", "0711223344")
    assert changes["employment_status"].user == client.membership.user
    assert changes["phone"].object_id == person.pk


def test_saving_without_a_change_records_nothing():
    person = PersonFactory()
    person.save()
    assert FieldChange.objects.count() == 0


def test_creating_a_person_records_no_field_change(client_for):
    PersonFactory()
    assert FieldChange.objects.count() == 0


def test_relations_are_recorded_by_their_label():
    syria = Country.objects.get(name="SYRIE")
    person = PersonFactory(nationality=None)
    people_services.edit_person(person, {"nationality": syria}, actor=None)
    change = FieldChange.objects.get(field="nationality")
    assert (change.before, change.after) == ("", str(syria))


def test_spoken_languages_are_recorded_as_one_change():
    person = PersonFactory()
    arabic, dari = Language.objects.get(code="ar"), Language.objects.get(code="prs")
    people_services.edit_person(person, {}, actor=None, languages=[arabic])
    people_services.edit_person(person, {}, actor=None, languages=[dari])
    changes = list(FieldChange.objects.filter(field="languages").order_by("pk"))
    assert len(changes) == 2
    assert changes[0].before == "" and changes[0].after == str(arabic)
    assert changes[-1].after == str(dari)


def test_commands_and_tasks_act_as_a_named_user_or_the_system():
    person = PersonFactory()
    agent = UserFactory()
    with acting_as(agent):
        people_services.edit_person(person, {"city": "Metz"}, actor=None)
    people_services.edit_person(person, {"city": "Thionville"}, actor=None)
    first, second = FieldChange.objects.order_by("pk")
    assert first.user == agent
    assert second.user is None


def test_suspended_tracking_writes_no_history():
    person = PersonFactory()
    with suspend_tracking():
        person.city = "Metz"
        person.save()
    assert FieldChange.objects.count() == 0


def test_a_bulk_update_is_recorded_by_the_service_that_makes_it():
    person = PersonFactory(ft_registered=False)
    record_change(person, "ft_registered", False, True, person_attr="")
    change = FieldChange.objects.get()
    assert (change.before, change.after, change.person_id) == ("false", "true", person.pk)


def test_history_reads_labels_yes_no_and_french_dates():
    person = PersonFactory(residence_status="refugee", rsa_recipient=False)
    people_services.edit_person(
        person,
        {
            "residence_status": "worker",
            "rsa_recipient": True,
            "birth_date": datetime.date(1991, 2, 3),
        },
        actor=None,
        reason="Titre de séjour relu",
    )
    rows = {row.field_label: row for row in history_for(person)}
    assert rows["catégorie de séjour"].before == "Réfugié"
    assert rows["catégorie de séjour"].after == "Salarié ou travailleur"
    assert rows["allocataire du RSA"].after == "Oui"
    assert rows["date de naissance"].after == "03/02/1991"
    assert rows["date de naissance"].user == "Système"


def test_the_person_file_shows_its_history_to_the_dt_staff(client_for):
    person = PersonFactory(city="Metz")
    client = client_for(Role.INTEGRATION_AUDITOR)
    client.post(f"/personnes/{person.pk}/modifier/", edit_payload(person, city="Thionville"))
    text = page_text(client.get(f"/personnes/{person.pk}/"))
    assert "Historique des modifications" in text
    assert "Metz" in text and "Thionville" in text
    assert client.membership.user.get_full_name() in text


def test_a_file_without_changes_says_where_changes_will_appear(client_for):
    person = PersonFactory()
    text = page_text(client_for(Role.RECEPTION_AGENT).get(f"/personnes/{person.pk}/"))
    assert "Aucune modification depuis la création du dossier" in text


def test_partners_do_not_see_the_history_of_fields(client_for):
    from tests.factories_referrals import SchemeFactory, make_referral

    person = PersonFactory(city="Metz")
    people_services.edit_person(person, {"city": "Thionville"}, actor=None)
    make_referral(SchemeFactory(agir=True), person)
    response = client_for(Role.PARTNER_COUNSELLOR).get(f"/personnes/{person.pk}/", follow=True)
    assert response.status_code == 200
    assert "Historique des modifications" not in page_text(response)


def test_the_history_survives_the_deletion_of_the_agent():
    person = PersonFactory()
    agent = UserFactory()
    people_services.edit_person(person, {"city": "Metz"}, actor=agent)
    User.objects.filter(pk=agent.pk).delete()
    assert FieldChange.objects.get().user is None


def test_the_history_query_count_does_not_grow_with_changes(django_assert_max_num_queries):
    person = PersonFactory(department=Department.objects.get(code="57"))
    for index in range(30):
        people_services.edit_person(person, {"city": f"Ville {index}"}, actor=None)
    history_for(person)  # warms the content-type cache
    with django_assert_max_num_queries(1):
        assert len(history_for(person)) == 30
