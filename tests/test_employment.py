"""Issue 20: ROME referential, shortage lists across regions and dates, SIRET, job-title search,
professional profiles with history, and referrals to employers' positions with seats."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.employment import services, shortage
from parcours.employment.models import (
    Employer,
    JobTitle,
    Occupation,
    OccupationKind,
    ShortageList,
)
from parcours.employment.search import reset_index, search_job_titles
from parcours.employment.validators import siret_is_valid, validate_siret
from parcours.privacy.models import FieldChange
from parcours.referrals import services as referral_services
from parcours.referrals.models import Referral
from parcours.referrals.services import ReferralError
from parcours.referrals.states import ReferralStatus
from parcours.territories.models import Department, Region
from tests.factories import OrganisationFactory, PersonFactory
from tests.factories_referrals import auditor, partner_membership
from tests.spreadsheet_files import xlsx_file

pytestmark = pytest.mark.django_db

ORDER = "Arrêté du 21 mai 2025 (JO du 22 mai 2025)"
GRAND_EST = "44"
HAUTS_DE_FRANCE = "32"


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_index()
    yield
    reset_index()


def _import(rows, source=ORDER, name="liste.csv"):
    text = "\n".join(";".join(row) for row in [["Région", "Code ROME", "Du", "Au"], *rows])
    uploaded = SimpleUploadedFile(name, text.encode("utf-8"))
    return shortage.import_list(uploaded, "csv", source_reference=source)


def _profile(person, held=(), sought=()):
    lines = [services.OccupationLine(OccupationKind.HELD, code, None, 3) for code in held]
    lines += [services.OccupationLine(OccupationKind.SOUGHT, code) for code in sought]
    return services.save_profile(
        person, {}, occupations=lines, qualifications=[], actor=None, reason="test"
    )


# ROME -----------------------------------------------------------------------------------------


def test_the_rome_referential_is_loaded_with_families():
    assert Occupation.objects.count() == 532
    assert JobTitle.objects.count() == 11_061
    masonry = Occupation.objects.get(code="F1703")
    assert masonry.family == "F17"
    assert JobTitle.objects.filter(occupation=masonry, label__startswith="Maçon").exists()


# Shortage lists ------------------------------------------------------------------------------


def test_shortage_codes_follow_region_dates_and_expand_families():
    _import(
        [
            [GRAND_EST, "F1703", "22/05/2025", "31/12/2026"],
            [GRAND_EST, "J15", "2025-05-22", ""],
            [HAUTS_DE_FRANCE, "D1102", "22/05/2025", "31/12/2026"],
        ]
    )
    day = datetime.date(2025, 6, 1)
    codes = shortage.shortage_codes(GRAND_EST, day)
    nursing_family = set(Occupation.objects.filter(family="J15").values_list("code", flat=True))
    assert nursing_family and nursing_family <= codes
    assert "F1703" in codes
    assert "D1102" not in codes  # bakers: another region's shortage
    assert "D1102" in shortage.shortage_codes(HAUTS_DE_FRANCE, day)
    # Before the order and after the end of its line.
    assert shortage.shortage_codes(GRAND_EST, datetime.date(2025, 5, 21)) == frozenset()
    after = shortage.shortage_codes(GRAND_EST, datetime.date(2027, 1, 1))
    assert "F1703" not in after and nursing_family <= after


def test_a_new_version_replaces_the_old_one_which_is_kept():
    _import([[GRAND_EST, "F1703", "22/05/2025", ""]])
    second = _import([[GRAND_EST, "D1102", "22/05/2025", ""]])
    assert second.version == 2
    assert ShortageList.objects.filter(source_reference=ORDER).count() == 2
    codes = shortage.shortage_codes(GRAND_EST, datetime.date(2025, 7, 1))
    assert "D1102" in codes and "F1703" not in codes
    # Another text adds to it rather than replacing it.
    _import([[GRAND_EST, "F1703", "01/01/2026", ""]], source="Arrêté de 2026")
    assert "F1703" in shortage.shortage_codes(GRAND_EST, datetime.date(2026, 2, 1))
    assert "F1703" not in shortage.shortage_codes(GRAND_EST, datetime.date(2025, 7, 1))


def test_person_in_shortage_by_region_date_code_and_family():
    _import(
        [[GRAND_EST, "F1703", "22/05/2025", "31/12/2026"], [GRAND_EST, "J15", "22/05/2025", ""]]
    )
    in_metz = PersonFactory(department=Department.objects.get(code="57"))
    in_amiens = PersonFactory(department=Department.objects.get(code="80"))
    nurse = PersonFactory(department=Department.objects.get(code="57"))
    baker = PersonFactory(department=Department.objects.get(code="57"))
    _profile(in_metz, held=["F1703"])
    _profile(in_amiens, held=["F1703"])
    _profile(nurse, sought=[Occupation.objects.filter(family="J15").first().code])
    _profile(baker, sought=["D1102"])
    day = datetime.date(2025, 9, 1)
    assert shortage.person_in_shortage(in_metz, day)
    assert not shortage.person_in_shortage(in_metz, datetime.date(2025, 5, 1))
    assert not shortage.person_in_shortage(in_metz, datetime.date(2027, 1, 1))
    assert not shortage.person_in_shortage(in_amiens, day)
    assert shortage.person_in_shortage(nurse, day)  # through the family
    assert not shortage.person_in_shortage(baker, day)
    assert not shortage.person_in_shortage(PersonFactory(), day)  # no profile
    from parcours.people.models import Person

    found = shortage.persons_in_shortage(Person.objects.all(), day)
    assert set(found) == {in_metz, nurse}


def test_a_bad_shortage_list_saves_nothing_and_says_which_rows():
    with pytest.raises(ValidationError) as error:
        _import([[GRAND_EST, "F1703", "22/05/2025", ""], ["99", "Z9999", "demain", ""]])
    assert "Ligne 3" in " ".join(error.value.messages)
    assert ShortageList.objects.count() == 0


def test_a_shortage_list_is_read_from_xlsx():
    data = xlsx_file(
        [
            ["Liste des métiers en tension"],
            ["Région", "Code ROME", "Du", "Au"],
            ["Grand Est", "F17", "2025-05-22", ""],
        ]
    )
    uploaded = SimpleUploadedFile("liste.xlsx", data)
    imported = shortage.import_list(uploaded, "xlsx", source_reference=ORDER)
    assert imported.entries.get().family == "F17"
    assert "F1703" in shortage.shortage_codes(GRAND_EST, datetime.date(2025, 6, 1))


# SIRET --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "siret, valid",
    [
        ("73282932000074", True),  # a real establishment (Luhn)
        ("732 829 320 00074", True),  # spaces as printed on a Kbis
        ("73282932000075", False),  # one digit off
        ("7328293200007", False),  # 13 digits
        ("7328293200007A", False),
        ("35600000049837", True),  # La Poste: digit sum 45, a multiple of 5, fails Luhn
        ("35600000000002", False),  # La Poste: digit sum 16
    ],
)
def test_siret_checksum_with_the_la_poste_exception(siret, valid):
    assert siret_is_valid(siret) is valid


def test_the_la_poste_number_fails_luhn_but_is_valid():
    from parcours.employment.validators import luhn_valid

    assert not luhn_valid("35600000049837")
    validate_siret("35600000049837")
    with pytest.raises(ValidationError):
        validate_siret("35600000000002")


# Job-title search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("macon", "Maçon / Maçonne"),
        ("MAÇON", "Maçon / Maçonne"),
        ("infirmiere", "Infirmier / Infirmière"),
        ("boulenger", "Boulanger / Boulangère"),
        ("aide soign", "Aide-soignant / Aide-soignante"),
    ],
)
def test_job_title_search_tolerates_accents_case_and_typos(query, expected):
    labels = [hit.label for hit in search_job_titles(query, limit=5)]
    assert any(label.startswith(expected) for label in labels), labels
    assert labels[0].startswith(expected.split(" /")[0].split("-")[0]), labels


def test_job_title_search_finds_nothing_for_nonsense():
    assert search_job_titles("zzqxw") == []
    assert search_job_titles("   ") == []


# Profiles -----------------------------------------------------------------------------------


def test_profile_changes_are_history_rows_with_reason():
    person = PersonFactory()
    auditor_membership = auditor()
    services.save_profile(
        person,
        {"driving_licence": True, "french_level_for_work": "A2"},
        occupations=[services.OccupationLine(OccupationKind.HELD, "F1703", None, 5)],
        qualifications=[services.QualificationLine("CAP maçon", None, "no")],
        actor=auditor_membership.user,
        reason="Entretien CIP",
    )
    changes = FieldChange.objects.filter(person=person)
    assert set(changes.values_list("field", flat=True)) == {
        "driving_licence",
        "french_level_for_work",
        "occupations_held",
        "qualifications",
    }
    assert changes.get(field="occupations_held").after == "F1703 (5)"
    assert set(changes.values_list("reason", flat=True)) == {"Entretien CIP"}
    # Saving the same profile again writes nothing.
    _before = changes.count()
    services.save_profile(
        person,
        {"driving_licence": True, "french_level_for_work": "A2"},
        occupations=[services.OccupationLine(OccupationKind.HELD, "F1703", None, 5)],
        qualifications=[services.QualificationLine("CAP maçon", None, "no")],
        actor=auditor_membership.user,
    )
    assert FieldChange.objects.filter(person=person).count() == _before


def test_a_profile_with_an_unknown_rome_code_is_refused_whole():
    person = PersonFactory()
    with pytest.raises(ValidationError):
        services.save_profile(
            person,
            {"driving_licence": True},
            occupations=[services.OccupationLine(OccupationKind.SOUGHT, "Z9999")],
            qualifications=[],
            actor=None,
        )
    assert not hasattr(person, "professional_profile") or person.professional_profile is None


# Employers and positions --------------------------------------------------------------------


def _employer(**kwargs):
    intermediary = OrganisationFactory(name="France Travail Metz", kind="france_travail")
    intermediary.departments.add(Department.objects.get(code="57"))
    values = {
        "name": "Bâtiment Lorrain",
        "siret": "73282932000074",
        "department": Department.objects.get(code="57"),
        "intermediary": intermediary,
        "trains_on_working_time": True,
    }
    values.update(kwargs)
    return services.save_employer(Employer(**values))


def test_an_employer_with_a_bad_siret_is_not_saved():
    with pytest.raises(ValidationError):
        _employer(siret="73282932000075")
    assert Employer.objects.count() == 0


def test_referral_to_a_position_goes_through_the_workflow_and_seats_never_overflow():
    employer = _employer()
    position = services.open_position(
        employer, Occupation.objects.get(code="F1703"), title="Maçon VRD", seats=1
    )
    assert position.scheme.kind == "job_position"
    referrer = auditor()
    first, second = PersonFactory(), PersonFactory()
    with pytest.raises(ReferralError):  # no consent, no sending
        services.refer_to_position(
            first, position, by=referrer.user, organisation=referrer.organisation, consent=False
        )
    one = services.refer_to_position(
        first, position, by=referrer.user, organisation=referrer.organisation, consent=True
    )
    two = services.refer_to_position(
        second, position, by=referrer.user, organisation=referrer.organisation, consent=True
    )
    partner = partner_membership(position.scheme)
    answer = {"by": partner.user, "organisation": partner.organisation}
    assert referral_services.accept_referral(one, **answer).status == ReferralStatus.ACCEPTED
    # The only seat is taken: the second acceptance waits, the seat count stays at 1.
    assert referral_services.accept_referral(two, **answer).status == ReferralStatus.WAITLISTED
    position.scheme.refresh_from_db()
    assert position.scheme.seats_taken == 1 and position.scheme.seats_left == 0
    assert list(Referral.objects.filter(scheme=position.scheme).values_list("status", flat=True))
    # Positions appear among the person's schemes, so the usual orientation page offers them.
    from parcours.referrals.models import Scheme

    assert position.scheme in Scheme.objects.for_person(first)


def test_region_codes_used_by_the_tests_exist():
    assert Region.objects.filter(code__in=[GRAND_EST, HAUTS_DE_FRANCE]).count() == 2


# Pages --------------------------------------------------------------------------------------


def _client(role):
    from tests.permissions_walk import signed_in_client

    return signed_in_client(role)


def test_the_shortage_filter_of_the_person_list_for_auditors():
    _import([[GRAND_EST, "F1703", "01/01/2025", ""]])
    mason, other = PersonFactory(last_name="MASON"), PersonFactory(last_name="AUTRE")
    _profile(mason, sought=["F1703"])
    _profile(other, sought=["D1102"])
    client = _client("integration_auditor")
    page = client.get("/personnes/?tension=on").content.decode()
    assert "MASON" in page and "AUTRE" not in page
    assert "AUTRE" in client.get("/personnes/").content.decode()
    # Reception agents do not get the filter.
    assert 'name="tension"' not in _client("reception_agent").get("/personnes/").content.decode()


def test_the_profile_form_saves_typed_titles_and_shows_the_vae_orientation():
    _import([[GRAND_EST, "F17", "01/01/2025", ""]])
    client = _client("integration_auditor")
    person = PersonFactory()
    response = client.post(
        f"/personnes/{person.pk}/profil-pro/",
        {
            "driving_licence": "yes",
            "french_level_for_work": "A2",
            "held_0": "macon",
            "held_0_years": "4",
            "sought_0": "boulenger",
            "qualification_0": "Diplôme de maçon",
            "qualification_0_recognition": "no",
            "qualification_1_recognition": "unknown",
            "qualification_2_recognition": "unknown",
        },
    )
    assert response.status_code == 302
    profile = person.professional_profile
    assert set(profile.occupations.values_list("kind", "occupation_id")) == {
        ("held", "F1703"),
        ("sought", "D1102"),
    }
    page = client.get(f"/personnes/{person.pk}/").content.decode()
    if "profile-title" not in page:  # the file asks why it is opened first
        page = client.get(f"/personnes/{person.pk}/", follow=True).content.decode()
    assert "ENIC-NARIC" in page
    assert "Métier en tension dans la région" in page


def test_a_bad_profile_form_saves_nothing():
    client = _client("integration_auditor")
    person = PersonFactory()
    response = client.post(
        f"/personnes/{person.pk}/profil-pro/",
        {"french_level_for_work": "Z9", "held_0": "zzqxw"},
    )
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in response.content.decode()
    assert not FieldChange.objects.filter(person=person).exists()


def test_the_autocomplete_answers_json():
    client = _client("integration_auditor")
    results = client.get("/emploi/appellations/?q=infirmiere").json()["results"]
    assert results and results[0]["rome_code"].startswith("J")
    assert client.get("/emploi/appellations/?q=a").json() == {"results": []}


def test_the_coverage_report_counts_positions_and_shortage_positions():
    from django.utils import timezone

    from parcours.indicators.definitions import get_report
    from parcours.indicators.periods import Month, Period
    from parcours.indicators.reports import compute_report

    _import([[GRAND_EST, "F17", "01/01/2025", ""]])
    employer = _employer()
    masonry = services.open_position(
        employer, Occupation.objects.get(code="F1703"), title="Maçon", seats=None
    )
    bakery = services.open_position(
        employer, Occupation.objects.get(code="D1102"), title="Boulanger", seats=None
    )
    assert masonry.in_shortage and not bakery.in_shortage
    referrer = auditor()
    for position in (masonry, bakery, bakery):
        services.refer_to_position(
            PersonFactory(),
            position,
            by=referrer.user,
            organisation=referrer.organisation,
            consent=True,
        )
    month = Month.of(timezone.localdate())
    report = compute_report(get_report("employment"), [employer.directorate], Period.single(month))
    from parcours.indicators.tables import TOTAL

    def total(code):
        return report.monthly_table(code, employer.directorate_id, month).value(TOTAL, TOTAL)

    assert (total("oriented_to_positions"), total("oriented_to_shortage")) == (3, 1)


def test_an_employer_is_created_from_its_page_with_a_spaced_siret():
    intermediary = OrganisationFactory(name="France Travail Metz", kind="france_travail")
    intermediary.departments.add(Department.objects.get(code="57"))
    client = _client("dt_director")
    form = {
        "name": "Garage du Pont",
        "siret": "732 829 320 00074",
        "department": Department.objects.get(code="57").pk,
        "intermediary": intermediary.pk,
    }
    assert client.post("/emploi/employeurs/nouveau/", form).status_code == 302
    assert Employer.objects.get().siret == "73282932000074"
    form["siret"] = "732 829 320 00075"
    form["name"] = "Autre"
    response = client.post("/emploi/employeurs/nouveau/", form)
    assert response.status_code == 200 and Employer.objects.count() == 1
    assert "clé de contrôle" in response.content.decode()


def test_employer_contacts_are_cleared_after_the_retention_period():
    from django.utils import timezone

    from parcours.employment.privacy import apply_employer_contact_retention

    old = _employer(contact_name="Jeanne RH", contact_email="rh@example.org")
    Employer.objects.filter(pk=old.pk).update(contact_confirmed_on=datetime.date(2020, 1, 1))
    fresh = _employer(siret="35600000049837", name="Bureau de poste", contact_name="Paul")
    now = timezone.now()
    dry = apply_employer_contact_retention(now, 24, dry_run=True)
    assert dry.count == 1 and Employer.objects.get(pk=old.pk).contact_name == "Jeanne RH"
    apply_employer_contact_retention(now, 24, dry_run=False)
    old.refresh_from_db()
    assert (old.contact_name, old.contact_email, old.name) == ("", "", "Bâtiment Lorrain")
    assert Employer.objects.get(pk=fresh.pk).contact_name == "Paul"


def test_the_national_admin_imports_a_list_from_its_page_and_a_bad_file_saves_nothing():
    client = _client("national_admin")
    good = SimpleUploadedFile(
        "liste.csv", "Région;Code ROME;Du;Au\n44;F1703;22/05/2025;\n".encode()
    )
    response = client.post(
        "/emploi/metiers-en-tension/", {"source_reference": ORDER, "list_file": good}
    )
    assert response.status_code == 302
    assert ShortageList.objects.get().version == 1
    bad = SimpleUploadedFile("liste.csv", "Région;Code ROME;Du;Au\n44;ZZ;hier;\n".encode())
    response = client.post(
        "/emploi/metiers-en-tension/", {"source_reference": ORDER, "list_file": bad}
    )
    assert response.status_code == 200 and "Ligne 2" in response.content.decode()
    assert ShortageList.objects.count() == 1
