"""Nationalities from the current INSEE country codes, by their French names (issue 16)."""

import pytest

from parcours.organisations.roles import Role
from parcours.territories.models import Country
from tests.factories import PersonFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def options(response) -> list[str]:
    return [label for _value, label in response.context["form"].fields["nationality"].choices]


def test_every_country_of_the_file_has_its_french_name():
    foreign = Country.objects.exclude(group=Country.Group.FRANCE)
    assert not foreign.filter(label="").exists()
    assert str(Country.objects.get(name="ALGERIE")) == "Algérie"
    assert str(Country.objects.get(name="EX-REPUBLIQUE YOUGOSLAVE DE MACEDOINE")) == (
        "Macédoine du Nord"
    )
    assert not Country.objects.get(name="VIET NAM DU NORD").is_current
    assert Country.objects.get(name="VIET NAM").is_current


def test_a_new_file_offers_current_countries_in_french_order(client_for):
    labels = options(client_for(Role.INTEGRATION_AUDITOR).get("/personnes/nouvelle/"))
    assert "Algérie" in labels and "Côte d'Ivoire" in labels
    assert not [label for label in labels if "Viet Nam Du Nord" in label or "Nord)" in label]
    assert not [label for label in labels if "Cameroun et Togo" in label]
    assert labels.index("Égypte") < labels.index("Érythrée") < labels.index("Espagne")
    assert labels.index("Zimbabwe") == len(labels) - 1


def test_a_historical_nationality_stays_on_the_old_record_only(client_for):
    north = Country.objects.get(name="VIET NAM DU NORD")
    old = PersonFactory(nationality=north)
    client = client_for(Role.INTEGRATION_AUDITOR)
    assert "Viêt Nam du Nord (ancienne dénomination)" in options(
        client.get(f"/personnes/{old.pk}/modifier/")
    )
    form = client.get("/personnes/nouvelle/").context["form"]
    assert not form.fields["nationality"].queryset.filter(pk=north.pk).exists()


def test_lists_print_nationalities_with_accents(client_for):
    PersonFactory(last_name="Haddad", nationality=Country.objects.get(name="ALGERIE"))
    text = page_text(client_for(Role.INTEGRATION_AUDITOR).get("/personnes/?q=haddad"))
    assert "Algérie" in text
    assert "Algerie" not in text
