"""Journeys in a real browser, each as the person does it with their demo login.

Against the application served as in production (gunicorn, DEBUG off, collected static
files) on a database of its own filled by `load_demo` (tests/e2e/production.py). Every page
visited goes through axe-core in French and in English (tests/e2e/accessibility.py). With
PARCOURS_GUIDE_SCREENSHOTS set (`make guide`), the journeys also take the pictures of the user
guide (docs/guide/).

Each journey starts from the demo data and brings its own session or people, so the tests
may run in any order on the one production server of the session.
"""

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.demo.steps import DEMO_PASSWORD
from tests.e2e.accessibility import audit
from tests.e2e.conftest import sign_in_on
from tests.e2e.guide import VIEWPORT, picture
from tests.pdf_text import pdf_page_count, pdf_pages, pdf_text
from tests.spreadsheet_files import xlsx_file

pytestmark = pytest.mark.e2e

DEMO = "@demo.parcours.test"
EPIDE_SCHEME = "Parcours d'insertion Epide"
ROOM = "Salle Verlaine"


@pytest.fixture
def browser_context(chromium, production_server):
    """A French browser at the guide's picture size; fails the test on any script error."""
    context = chromium.new_context(
        locale="fr-FR", base_url=production_server.url, viewport=VIEWPORT, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    errors = []

    def new_page():
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    context.script_errors = errors
    context.open = new_page
    yield context
    context.close()
    assert errors == []


@pytest.fixture
def page(browser_context):
    return browser_context.open()


def sign_in(page, who: str) -> None:
    """Sign out whoever was signed in, then sign in with the demo account `who@…`."""
    page.context.clear_cookies()
    sign_in_on(page, f"{who}{DEMO}", DEMO_PASSWORD)
    page.get_by_role("button", name="Se déconnecter").wait_for()


def visit(page, path: str) -> None:
    page.goto(path)
    audit(page)


def django_shell(server, code: str):
    """Read the served database (to choose the people a journey works with); JSON back."""
    return json.loads(server.manage("shell", "-c", code).strip().splitlines()[-1])


def download(page, link_name: str) -> bytes:
    """The file behind the first link of that exact name, as the signed-in browser gets it."""
    href = page.get_by_role("link", name=link_name, exact=True).first.get_attribute("href")
    return fetch(page, href)


def fetch(page, url: str, timeout: float | None = None) -> bytes:
    """A file as the signed-in browser gets it (PDFs open inline in Chromium's viewer)."""
    response = page.request.get(url, timeout=timeout)
    assert response.ok, f"{url}: {response.status}"
    return response.body()


# The twelve people a reception journey convokes, new in DT Metz (the reception agent's DT
# and the CIP experiment's); the first, 22, may be oriented to Epide (17-25).
NEW_PEOPLE = [
    ("AMARI", "Yasmine", "F", 22),
    ("BAKARI", "Issa", "H", 31),
    ("CHERIF", "Nour", "F", 28),
    ("DIALLO", "Mariam", "F", 35),
    ("EL HADJ", "Fatima", "F", 41),
    ("FOFANA", "Moussa", "H", 27),
    ("GUEYE", "Awa", "F", 33),
    ("HAKIMI", "Rayan", "H", 29),
    ("IBRAHIMI", "Lina", "F", 38),
    ("JALLOH", "Sekou", "H", 45),
    ("KONATE", "Aminata", "F", 26),
    ("LUTAKA", "Grace", "F", 30),
]
# Their files, created as an AGDREF import would (people/models.py); AGDREF numbers from 97
# (the demo uses 98 and 99), fresh on every run. Prints [[agdref, display name], ...].
CREATE_PEOPLE = """
import datetime, json
from parcours.people.models import Person, ResidenceStatus
from parcours.territories.models import Department
department = Department.objects.select_related("directorate").get(code="57")
base = 9700000000 + Person.objects.filter(agdref_number__startswith="97").count()
today = datetime.date.today()
created = []
for index, (last, first, sex, age) in enumerate(%r):
    person = Person.objects.create(
        last_name=last, first_names=first, sex=sex,
        birth_date=today.replace(year=today.year - age, day=1) - datetime.timedelta(days=1),
        residence_status=ResidenceStatus.REFUGEE, agdref_number=str(base + index),
        department=department, directorate=department.directorate, city="Metz",
        postcode="57000",
    )
    created.append([person.agdref_number, person.display_name])
print(json.dumps(created))
"""


def extend_the_cip_experiment(page) -> None:
    """The national admin keeps the CIP experiment of DT Metz open (Django's admin)."""
    sign_in(page, "national")
    picture(page, "national-accueil")
    visit(page, "/admin/")
    page.get_by_role("link", name="Expérimentations CIP").click()
    audit(page)
    picture(page, "admin-national-experimentations")
    page.get_by_role("link", name="Expérimentation CIP – AGIR 57 (AMLI), DT Metz").click()
    audit(page)
    next_year = timezone.localdate() + datetime.timedelta(days=365)
    page.get_by_label("Fin").fill(next_year.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("a été modifié avec succès").wait_for()
    audit(page)


def test_a_reception_day_from_planning_to_the_cip(page, production_server, tmp_path):
    today = timezone.localdate()
    extend_the_cip_experiment(page)
    people = django_shell(production_server, CREATE_PEOPLE % (NEW_PEOPLE,))
    assert len(people) == 12

    # The reception agent plans a session today, in a room of her own.
    sign_in(page, "accueil")
    picture(page, "accueil-accueil")
    visit(page, "/pfa/sessions/")
    picture(page, "accueil-planning")
    page.get_by_role("link", name="Planifier une session").click()
    audit(page)
    # A form with errors first: the room is missing.
    page.get_by_role("textbox", name="Date", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Ce champ est obligatoire").first.wait_for()
    audit(page, both_languages=False)
    page.get_by_role("textbox", name="Salle").fill(ROOM)
    page.get_by_role("group", name="Accueil").get_by_text("Claire Martin").click()
    page.get_by_role("group", name="Auditeur intégration").get_by_text("Julien Bernard").click()
    page.get_by_role("group", name="Conseiller en insertion professionnelle (CIP)").get_by_text(
        "Nadia Moreau"
    ).click()
    picture(page, "accueil-planifier")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("heading", name="Journée d'accueil du").wait_for()
    assert ROOM in page.locator("main").inner_text()
    page.get_by_text("Personne n'est encore convoqué à cette session.").wait_for()
    audit(page)  # the empty day sheet
    session_url = page.url

    # She convokes 12 people from a spreadsheet.
    workbook = tmp_path / "convocations.xlsx"
    workbook.write_bytes(xlsx_file([["AGDREF", "Nom"], *people]))
    page.get_by_role("link", name="Convoquer").first.click()
    audit(page)
    page.get_by_label("Fichier de numéros AGDREF").set_input_files(str(workbook))
    picture(page, "accueil-convoquer")
    page.get_by_role("button", name="Lire le fichier").click()
    # Issue 17 point 4: the list is previewed row by row, convoked once she confirms.
    page.get_by_role("heading", name="Aperçu de l'import").wait_for()
    page.get_by_text("12 à convoquer").wait_for()
    audit(page)
    page.get_by_role("button", name="Confirmer et convoquer 12 personnes").click()
    page.get_by_text("12 personne(s) convoquée(s)").wait_for()
    audit(page)
    page.goto(session_url)
    sheet = page.get_by_role("table", name="Feuille de la journée")
    for _agdref, name in people:
        sheet.get_by_role("link", name=name, exact=True).wait_for()
    audit(page)
    picture(page, "accueil-feuille-du-jour")

    # She prints the letters. The imported files have no street address: the page says so
    # first (issue 16), and she prints anyway, to hand them over at the desk.
    page.goto(session_url + "convocations.pdf")
    page.get_by_text("12 lettres n'ont pas d'adresse postale").wait_for()
    audit(page)
    print_anyway = page.get_by_role("link", name="Imprimer quand même les 12 lettres")
    # Twelve letters in one PDF: more than the default 15 s on a loaded CI machine.
    letters = fetch(page, print_anyway.get_attribute("href"), timeout=60_000)
    # One page per person, each with the person's name.
    assert pdf_page_count(letters) == 12
    pages = pdf_pages(letters)
    for _agdref, name in people:
        last_name = name.split(" ")[0]
        assert any(last_name in " ".join(text.split()) for text in pages), name
    assert all("57000 Metz" in text for text in pages)  # the DT's address, on every letter
    page.get_by_role("link", name="Retour à la session").click()
    sheet.wait_for()

    # On the day: attendance. Eleven came, one did not.
    first, *others = [name for _agdref, name in people]
    for name in people_names(people)[:11]:
        sheet.get_by_role("button", name=f"Présent – {name}").click()
        sheet.get_by_role("row", name=name).get_by_text("Présent", exact=True).wait_for()
    absent = people_names(people)[11]
    sheet.get_by_role("button", name=f"Absent – {absent}").click()
    sheet.get_by_role("row", name=absent).get_by_text("Absent", exact=True).wait_for()
    page.reload()
    page.get_by_text("présents : 11 · absents : 1").wait_for()
    audit(page)
    picture(page, "accueil-presence", show=sheet)

    # The language-test provider's examiner records the positioning.
    sign_in(page, "positionnement")
    page.goto(session_url)
    sheet = page.get_by_role("table", name="Feuille de la journée")
    sheet.get_by_role("link", name=f"Saisir Positionnement – {first}").click()
    page.get_by_label("Résultat à l'écrit").select_option(label="A2")
    page.get_by_label("Résultat à l'oral").select_option(label="B1")
    picture(
        page,
        "positionnement-saisie",
        show=page.get_by_role("heading", name="Positionnement linguistique"),
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    sheet.get_by_text("écrit A2, oral B1").wait_for()
    audit(page)

    # The integration auditor holds the interview and orients the person to Epide.
    sign_in(page, "auditeur")
    page.goto(session_url)
    sheet = page.get_by_role("table", name="Feuille de la journée")
    sheet.get_by_role("link", name=f"Saisir Entretien – {first}").click()
    page.get_by_label("Situation professionnelle").select_option(label="Demandeur d'emploi")
    page.get_by_role("group", name="Orientations décidées").get_by_text("Epide (17-25 ans)").click()
    picture(
        page, "auditeur-entretien", show=page.get_by_role("heading", name="Entretien de diagnostic")
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    sheet.get_by_text("→ Epide (17-25 ans)").wait_for()
    audit(page)

    # The CIP checks the France Travail registration, and registers the person.
    sign_in(page, "cip")
    page.goto(session_url)
    sheet = page.get_by_role("table", name="Feuille de la journée")
    sheet.get_by_role("link", name=f"Saisir Entretien CIP – {first}").click()
    page.get_by_role("group", name="Situation de la personne").get_by_text(
        "Demandeur d'emploi"
    ).click()
    page.get_by_text("Inscrite à France Travail pendant l'entretien").click()
    page.get_by_label("Identifiant France Travail").fill("1234567A")
    picture(
        page, "cip-entretien-france-travail", show=page.get_by_role("heading", name="Entretien CIP")
    )
    # A mistyped identifier first: the message says what is expected, nothing is saved.
    page.get_by_label("Identifiant France Travail").fill("12")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("7 chiffres puis une lettre").first.wait_for()
    audit(page, both_languages=False)
    page.get_by_label("Identifiant France Travail").fill("1234567A")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    sheet.get_by_text("Inscrit aujourd'hui · 1234567A").wait_for()
    audit(page)


def people_names(people) -> list[str]:
    return [name for _agdref, name in people]


# A young person of DT Strasbourg (Bas-Rhin, which Epide Strasbourg serves), 20, job seeker,
# A2 in French: what the Epide scheme asks. Prints [pk, display name].
CREATE_YOUNG_PERSON = """
import datetime, json
from parcours.people.models import EmploymentStatus, LanguageLevel, Person, ResidenceStatus
from parcours.territories.models import Department
department = Department.objects.select_related("directorate").get(code="67")
today = datetime.date.today()
person = Person.objects.create(
    last_name="NDIAYE", first_names="Ousmane", sex="H",
    birth_date=today.replace(year=today.year - 20, day=1) - datetime.timedelta(days=1),
    residence_status=ResidenceStatus.REFUGEE,
    agdref_number=str(9600000000 + Person.objects.filter(agdref_number__startswith="96").count()),
    department=department, directorate=department.directorate, city="Strasbourg",
    postcode="67000", employment_status=EmploymentStatus.JOB_SEEKER,
    language_level=LanguageLevel.A2,
)
print(json.dumps([person.pk, person.display_name]))
"""


def test_an_epide_referral_from_the_auditor_to_the_entry(page, production_server):
    person_pk, name = django_shell(production_server, CREATE_YOUNG_PERSON)

    # The integration auditor acts for DT Strasbourg and refers the person to Epide.
    sign_in(page, "auditeur")
    strasbourg = "OFII – DT Strasbourg – Auditeur intégration"
    page.get_by_label("Agir pour").select_option(label=strasbourg)
    page.get_by_role("button", name="Changer d'organisation").click()
    page.get_by_text("OFII – DT Strasbourg").first.wait_for()
    visit(page, f"/personnes/{person_pk}/")
    picture(page, "auditeur-dossier")
    visit(page, f"/personnes/{person_pk}/orientations/")
    picture(page, "auditeur-orienter")
    page.get_by_role("link", name=f"Orienter vers ce dispositif {EPIDE_SCHEME}").click()
    audit(page)
    page.get_by_text("La personne accepte que ses informations soient transmises").click()
    page.get_by_role("button", name="Envoyer au partenaire").click()
    page.get_by_text("Orientation envoyée à Epide Strasbourg.").wait_for()
    audit(page)
    reference = page.get_by_role("heading", level=1).inner_text().split(" ")[1]

    # The Epide counsellor finds it in the inbox, accepts it, then records the entry.
    sign_in(page, "epide")
    visit(page, "/orientations-recues/")
    picture(page, "epide-orientations-recues")
    page.get_by_role("link", name=reference).click()
    audit(page)
    picture(page, "epide-orientation")
    page.get_by_role("button", name="Accepter l'orientation").click()
    page.get_by_text("Réponse enregistrée ; l'orienteur est prévenu.").wait_for()
    audit(page)
    # A form with errors: the date of entry wiped out.
    page.get_by_label("Date d'entrée").fill("")
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    page.get_by_text("Ce champ est obligatoire").first.wait_for()
    audit(page, both_languages=False)
    page.get_by_label("Date d'entrée").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    page.get_by_text("Entrée dans le dispositif enregistrée.").wait_for()
    assert page.get_by_text(name.split(" ")[0], exact=True).is_visible()
    audit(page)
    picture(page, "epide-entree")


def test_a_partner_is_refused_another_partners_person(page, production_server):
    """The CIP of AMLI asks for a person that only Epide's inbox holds: a 404 page."""
    person_pk = django_shell(
        production_server,
        "import json;from parcours.referrals.models import Referral;"
        "print(json.dumps(Referral.objects.filter(scheme__organisation__name='Epide Strasbourg')"
        ".exclude(person__referrals__scheme__organisation__name='AMLI – AGIR 57')"
        ".values_list('person_id', flat=True).first()))",
    )
    sign_in(page, "cip")
    visit(page, "/orientations-recues/")
    picture(page, "cip-orientations-recues")
    response = page.goto(f"/orientations-recues/personnes/{person_pk}/")
    assert response.status == 404
    page.get_by_role("heading", name="Page introuvable").wait_for()
    audit(page)
    response = page.goto(f"/personnes/{person_pk}/")
    assert response.status in (403, 404)
    audit(page)


def test_the_director_approves_the_month_and_downloads_the_figures(page):
    sign_in(page, "directeur")
    picture(page, "directeur-accueil")
    last_day = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    last_month = last_day.strftime("%Y-%m")
    visit(page, f"/chiffres/?start={last_month}&end={last_month}")
    picture(page, "directeur-chiffres")
    page.get_by_role("link", name="Valider les chiffres de ce mois").click()
    audit(page)
    picture(page, "directeur-valider")
    # When the demo's last month holds this week's sessions (people present, nobody yet
    # accompanied by the CIP), approving first asks to confirm each alert (issue 16).
    confirmations = page.locator("label", has_text="Je confirme")
    if confirmations.count():
        page.get_by_role("button", name="Valider ces chiffres").click()
        page.get_by_text("Cochez chaque alerte").first.wait_for()
        for confirmation in confirmations.all():
            confirmation.click()
    page.get_by_role("button", name="Valider ces chiffres").click()
    page.get_by_text("sont validés (version 1)").wait_for()
    picture(page, "directeur-mois-valide")
    audit(page)

    # The exact figures (for the DT), as a workbook and as a PDF.
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(download(page, "Tableur XLSX")))
    cells = [
        str(cell)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert any("DT Metz" in cell for cell in cells), cells[:20]
    document = pdf_text(download(page, "PDF"))
    assert "DT Metz" in document
    assert "validé" in document


def test_a_dreets_viewer_sees_the_region_with_small_cells_hidden(page, production_server):
    sign_in(page, "dreets")
    picture(page, "dreets-accueil")
    # January 2026, the month of the seed's day at DT Metz (21 people seen by the CIP).
    visit(page, "/chiffres/?start=2026-01&end=2026-01")
    # Issue 16: the families of indicators are folded under the summary; a reader opens one.
    page.get_by_role("button", name="Expérimentation CIP – inscription à France Travail").click()
    hidden = page.get_by_title("secret statistique : effectif masqué")
    # The detail by sex and age band, where small cells are: folded, opened as a reader would.
    detail = page.locator("details").filter(has=hidden).first
    detail.get_by_text("Détail par sexe et tranche d'âge").click()
    detail.get_by_title("secret statistique : effectif masqué").first.wait_for()
    picture(page, "dreets-chiffres", show=detail)
    main = page.locator("main").inner_text()
    assert "Grand Est" in main
    # Small cells are hidden: shown as "s", the sign of statistical confidentiality.
    assert hidden.count() > 0
    assert "chiffres exacts" not in main
    person_pk = django_shell(
        production_server,
        "import json;from parcours.people.models import Person;"
        "print(json.dumps(Person.objects.filter(directorate__code='metz').first().pk))",
    )
    response = page.goto(f"/personnes/{person_pk}/")
    assert response.status in (403, 404)
    page.get_by_role("heading", level=1).wait_for()
    audit(page)
    picture(page, "dreets-dossier-refuse")


def test_the_dt_admin_reads_the_access_log_and_partner_security(page):
    sign_in(page, "admin-dt")
    picture(page, "admin-dt-accueil")
    visit(page, "/")
    visit(page, reverse("privacy:access_log"))
    page.get_by_role("heading", name="Journal des accès").wait_for()
    picture(page, "admin-dt-journal-des-acces")
    visit(page, reverse("accounts:two_factor_policy"))
    picture(page, "admin-dt-securite-partenaires")


def test_error_pages_for_a_visitor_and_a_signed_in_agent(page):
    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    page.get_by_role("heading", name="Page introuvable").wait_for()
    audit(page)
    visit(page, "/connexion/")
    # A sign-in with a wrong password: the form says so, in the page's language.
    page.get_by_role("textbox", name="Adresse électronique").fill(f"personne{DEMO}")
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Adresse électronique ou mot de passe incorrect").wait_for()
    audit(page, both_languages=False)
    sign_in(page, "accueil")
    response = page.goto("/chiffres/")  # the figures are not the reception agent's
    assert response.status == 403
    audit(page)
