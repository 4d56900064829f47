"""Each role lands on its own home page and sees only what the role allows."""

import re

import pytest

from parcours.organisations.roles import Role
from tests.factories import PersonFactory
from tests.helpers import page_text

HOME_MARKERS = {
    Role.RECEPTION_AGENT: "Rechercher une personne",
    Role.INTEGRATION_AUDITOR: "Rechercher une personne",
    Role.ASYLUM_AUDITOR: "Rechercher une personne",
    Role.DT_DIRECTOR: "Rechercher une personne",
    Role.DT_ADMIN: "Rechercher une personne",
    Role.PARTNER_COUNSELLOR: "Aucune orientation n'attend votre réponse",
    Role.PARTNER_ADMIN: "Aucune orientation n'attend votre réponse",
    Role.REGIONAL_VIEWER: "jamais de dossier individuel",
    Role.NATIONAL_ADMIN: "Administration nationale",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_home_page(client_for, role):
    client = client_for(role)
    response = client.get("/")
    assert response.status_code == 200
    assert HOME_MARKERS[role] in page_text(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.INTEGRATION_AUDITOR, 200),
        (Role.PARTNER_COUNSELLOR, 404),  # never referred to their organisation
        (Role.REGIONAL_VIEWER, 403),
        (Role.NATIONAL_ADMIN, 403),
    ],
)
def test_person_file_is_need_to_know(client_for, role, status):
    person = PersonFactory()
    response = client_for(role).get(f"/personnes/{person.pk}/", follow=True)
    assert response.status_code == status


@pytest.mark.parametrize("role", [r for r in Role if r != Role.NATIONAL_ADMIN])
def test_admin_is_refused_to_every_role_but_national_admin(client_for, role):
    response = client_for(role).get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert not response["Location"].startswith("/admin/territories")


def test_national_admin_manages_reference_data_in_the_admin(client_for):
    client = client_for(Role.NATIONAL_ADMIN)
    response = client.get("/admin/territories/directorate/")
    assert response.status_code == 200
    assert "DT Strasbourg" in page_text(response)


def test_other_roles_cannot_open_reference_data_admin(client_for):
    client = client_for(Role.DT_ADMIN)
    response = client.get("/admin/territories/directorate/", follow=True)
    assert "DT Strasbourg" not in page_text(response)


def _header_menu(client) -> tuple[str, list[str]]:
    """The header's menu HTML and its top-level entries (links and drop-down buttons)."""
    html = client.get("/").content.decode()
    start = html.index('id="fr-navigation"')
    menu = html[start : html.index("</nav>", start)]
    top_level = re.findall(r'<li class="fr-nav__item">\s*<(?:a|button)[^>]*>([^<]+)<', menu)
    return menu, top_level


def test_the_header_menu_stays_short_for_a_dt_director(client_for):
    """A dozen pages, grouped: the day's work first, settings last."""
    menu, top_level = _header_menu(client_for(Role.DT_DIRECTOR))
    assert top_level == [
        "Accueil",
        "Personnes",
        "Journées d&#x27;accueil",
        "Orientations",
        "Chiffres",
        "Partenariats",
        "Données et sécurité",
    ]
    for page in (
        "Sessions d&#x27;accueil",
        "Orientations envoyées",
        "Réseau des partenaires",
        "Journal des accès",
    ):
        assert f">{page}</a>" in menu


def test_a_group_with_one_page_for_the_role_is_a_plain_link(client_for):
    # The CIP of the experiment's operator: of the reception day, only the sessions it staffs.
    menu, top_level = _header_menu(client_for(Role.PARTNER_COUNSELLOR))
    assert top_level[:2] == ["Accueil", "Sessions d&#x27;accueil"]
    assert "À traiter" not in menu


def test_the_menu_holds_no_page_that_is_always_empty_for_the_role(client_for):
    """Issue 16: the DREETS reads figures, never the DT's day summaries nor its worklists."""
    menu, top_level = _header_menu(client_for(Role.REGIONAL_VIEWER))
    assert top_level == ["Accueil", "Chiffres", "Partenariats"]
    assert menu.count("fr-nav__btn") == 1  # the partnerships group only
    menu, _top = _header_menu(client_for(Role.NATIONAL_ADMIN))
    assert "Récapitulatif des journées" not in menu


def test_the_home_page_lists_the_day_s_work_before_the_settings(client_for):
    html = client_for(Role.DT_DIRECTOR).get("/").content.decode()
    text = html[html.index('id="content"') :].replace("&#x27;", "'")  # the page, not the menu
    assert text.index("Sessions d'accueil") < text.index("Chiffres")
    assert text.index("Chiffres") < text.index("Sécurité des partenaires")
