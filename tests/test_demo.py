"""`make demo` loads its data twice without duplicates and gives one login per role."""

import pytest
from django.core.management import call_command
from django.test import Client

from parcours.accounts.models import User
from parcours.demo.steps import DEMO_PASSWORD, DEMO_PERSON_COUNT, DEMO_USERS
from parcours.organisations.models import Organisation
from parcours.organisations.roles import Role
from parcours.people.models import Person


@pytest.mark.django_db
def test_demo_loads_twice_without_duplicates(capsys):
    call_command("load_demo")
    counts = (Organisation.objects.count(), User.objects.count(), Person.objects.count())
    call_command("load_demo")
    assert (Organisation.objects.count(), User.objects.count(), Person.objects.count()) == counts
    # Other demo steps may add people of their own (e.g. a recorded reception day).
    assert Person.objects.filter(agdref_number__startswith="99").count() == DEMO_PERSON_COUNT
    output = capsys.readouterr().out
    for email, *_ in DEMO_USERS:
        assert email in output
    # Accounts added by other apps' demo steps are printed too, with their organisation.
    assert "france-travail@demo.parcours.test" in output
    assert "cfp02@demo.parcours.test" in output
    assert "France Travail Metz" in output


@pytest.mark.django_db
def test_demo_has_one_account_per_role_and_the_partners_of_the_seeds():
    call_command("load_demo")
    roles = {role for *_, memberships in DEMO_USERS for _, role in memberships}
    assert roles == set(Role)
    for name in [
        "Epide Strasbourg",
        "AMLI – AGIR 57",
        "DREETS Grand Est",
        "DREETS Hauts-de-France",
        "ADIE Grand Est",
    ]:
        assert Organisation.objects.filter(name=name).exists(), name
    assert (
        Organisation.objects.filter(name__startswith="Centre de formation linguistique").count()
        == 7
    )


@pytest.mark.django_db
@pytest.mark.parametrize("email", [user[0] for user in DEMO_USERS])
def test_each_demo_login_reaches_its_home(email):
    call_command("load_demo")
    client = Client()
    response = client.post(
        "/connexion/", {"username": email, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.request["PATH_INFO"] == "/"
    assert response.status_code == 200
    assert response.context["current_membership"] is not None


@pytest.mark.django_db
def test_a_wrong_password_gets_a_clear_message():
    call_command("load_demo")
    response = Client().post("/connexion/", {"username": DEMO_USERS[0][0], "password": "nope"})
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
