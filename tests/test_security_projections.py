"""The exact fields each audience receives, per role and channel (issue 10, deliverable 1).

One list per role and endpoint: the API's person list and detail and every other API resource,
the partner's pages of a person, the exports. A field added to any of them fails here until
someone decides it belongs to that audience (and writes it below). Aggregate-only roles
receive no person anywhere.
"""

import json
import re

import pytest
from django.test import Client

from parcours.api.models import ApiToken
from parcours.organisations.permissions import MATRIX, Action
from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES, Role
from parcours.referrals.projection import PARTNER_FIELDS, partner_field_names
from tests.factories import PersonFactory, membership_for
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership
from tests.permissions_walk import signed_in_client
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db

DT_PERSON_API = {
    "id",
    "last_name",
    "usual_name",
    "first_names",
    "sex",
    "birth_date",
    "nationality",
    "language_level",
    "department",
    "directorate",
    "employment_status",
    "ft_registered",
    "ft_identifier",
    "ft_registration_date",
    "rsa_recipient",
    "agir_followed",
}
PARTNER_PERSON_API = {
    "id",
    "last_name",
    "usual_name",
    "first_names",
    "birth_date",
    "phone",
    "email",
    "postcode",
    "city",
    "department",
    "language_level",
}
# What a partner must never receive, whatever the channel (issue 10, door 1 and DESIGN.md).
NEVER_TO_PARTNERS = {
    "nationality",
    "employment_status",
    "rsa_recipient",
    "ft_identifier",
    "ft_registered",
    "ft_registration_date",
    "agir_followed",
    "agdref_number",
    "accommodation",
    "notes",
}
DIRECTORATE_API = {"code", "name", "departments"}
# Issue 17: a referral as its sender and receiver read it; the person inside is flattened as
# "person.<field>" and follows the reader's projection.
REFERRAL_API = {
    "id",
    "reference",
    "status",
    "origin",
    "scheme",
    "scheme_name",
    "organisation",
    "referrer_organisation",
    "note",
    "planned_entry_date",
    "sent_at",
    "answered_at",
    "accepted_at",
    "refusal_reason",
    "answer_comment",
    "entered_on",
    "exited_on",
    "drop_out_reason",
    "closed_at",
    "eligibility_reasons",
    "person",
}
SCHEME_API = {
    "id",
    "name",
    "kind",
    "organisation",
    "departments",
    "capacity",
    "seats_taken",
    "seats_left",
    "waiting_count",
    "is_active",
}
WAITING_API = {"position", "referral", "waiting_since", "person"}
SESSION_API = {
    "id",
    "directorate",
    "date",
    "half_day",
    "start_time",
    "place",
    "capacity",
    "seats_taken",
    "present_count",
}
CONVOCATION_API = {"id", "session", "status", "rescheduled_to", "letter_language", "person"}
# Issue 17: the monthly report as the page builds it for the reader; figures only, no person.
INDICATORS_API = {
    "report",
    "title",
    "period",
    "period.start",
    "period.end",
    "period.label",
    "perimeter",
    "exact",
    "threshold",
    "indicators",
    "indicators.code",
    "indicators.label",
    "indicators.section",
    "indicators.tables",
    "indicators.tables.caption",
    "indicators.tables.directorate",
    "indicators.tables.month",
    "indicators.tables.columns",
    "indicators.tables.columns.code",
    "indicators.tables.columns.label",
    "indicators.tables.rows",
    "indicators.tables.rows.code",
    "indicators.tables.rows.label",
    "indicators.tables.rows.cells",
    "indicators.tables.rows.cells.value",
    "indicators.tables.rows.cells.flag",
    "indicators.tables.rows.total",
    "indicators.tables.rows.total.value",
    "indicators.tables.rows.total.flag",
    "indicators.tables.totals",
    "indicators.tables.totals.code",
    "indicators.tables.totals.label",
    "indicators.tables.totals.cells",
    "indicators.tables.totals.cells.value",
    "indicators.tables.totals.cells.flag",
    "indicators.tables.totals.total",
    "indicators.tables.totals.total.value",
    "indicators.tables.totals.total.flag",
}
# Outside the DT, each table is one directorate's month (indicators.documents), named.
INDICATORS_PROTECTED_API = INDICATORS_API | {
    "indicators.tables.directorate.id",
    "indicators.tables.directorate.name",
}
# Issue 20: a change of situation as its reader gets it back (a partner only those its
# organisation recorded, referrals.visibility.situations_visible_to); the person is an id.
SITUATION_API = {
    "id",
    "person",
    "kind",
    "occurred_on",
    "contract_type",
    "rome_code",
    "employer_name",
    "training_kind",
    "hours",
    "detail",
    "organisation",
    "source",
    "recorded_at",
}


def _nested(fields, person_fields):
    return fields | {f"person.{name}" for name in person_fields}


def _person_for(role):
    return DT_PERSON_API if role in OFII_DT_ROLES else PARTNER_PERSON_API


def _when(action, role, fields):
    return fields if role in MATRIX[action] else None


# Role -> API resource -> fields of one item (None: refused with 403).
API_FIELDS = {
    role: {
        "api:person-list": DT_PERSON_API
        if role in OFII_DT_ROLES
        else PARTNER_PERSON_API
        if role in PARTNER_ROLES
        else None,
        "api:person-detail": DT_PERSON_API
        if role in OFII_DT_ROLES
        else PARTNER_PERSON_API
        if role in PARTNER_ROLES
        else None,
        "api:directorate-list": DIRECTORATE_API if role in MATRIX[Action.VIEW_PERSON] else None,
        "api:referral-received": _when(
            Action.ANSWER_REFERRAL, role, _nested(REFERRAL_API, PARTNER_PERSON_API)
        ),
        "api:referral-sent": _when(Action.REFER, role, _nested(REFERRAL_API, _person_for(role))),
        "api:referral-detail": _when(
            Action.VIEW_PERSON, role, _nested(REFERRAL_API, _person_for(role))
        ),
        **{
            f"api:referral-{name}": _when(
                Action.ANSWER_REFERRAL, role, _nested(REFERRAL_API, PARTNER_PERSON_API)
            )
            for name in ("accept", "refuse", "entry", "exit")
        },
        "api:scheme-list": _when(Action.VIEW_PERSON, role, SCHEME_API),
        "api:scheme-waiting-list": _when(
            Action.VIEW_PERSON, role, _nested(WAITING_API, _person_for(role))
        ),
        "api:session-list": _when(Action.CONVOKE, role, SESSION_API),
        "api:person-situations": _when(Action.RECORD_SITUATION, role, SITUATION_API),
        "api:situation-list": _when(Action.RECORD_SITUATION, role, SITUATION_API),
        "api:session-convocations": _when(
            Action.CONVOKE, role, _nested(CONVOCATION_API, DT_PERSON_API)
        ),
        # Issue 17: the monthly report, no person in it; the DTs' report is not the partners'.
        "api:indicators": _when(
            Action.VIEW_REPORT,
            role,
            INDICATORS_API if role in OFII_DT_ROLES else INDICATORS_PROTECTED_API,
        ),
    }
    for role in Role
}
# Routes of the API that carry no data (the published description).
API_WITHOUT_DATA = {"api:schema", "api:docs"}

# The partner's page of a person (inbox) and of a referral: labels, in order.
PARTNER_PAGE_LABELS = [
    "Nom",
    "Prénoms",
    "Date de naissance",
    "Téléphone",
    "Adresse électronique",
    "Commune",
    "Département",
    "Niveau de français",
]
PARTNER_PAGE_LABELS_AGIR = [*PARTNER_PAGE_LABELS, "Catégorie de séjour"]

# Exports that name persons, by role allowed to run them: their columns.
ACCESS_LOG_COLUMNS = (
    "Date;Agent;Adresse électronique;Organisation;Rôle;Opération;Page ou opération;Motif;"
    "Nombre de personnes;Dossiers"
)


# The state a referral must be in for each transition the API offers (issue 17).
TRANSITION_STATES = {
    "api:referral-accept": ("sent", {}),
    "api:referral-refuse": ("sent", {"reason": "no_place"}),
    "api:referral-entry": ("accepted", {"entered_on": "TODAY"}),
    "api:referral-exit": ("entered", {"exited_on": "TODAY", "completed": True}),
}


def _api_item(role, name):
    from django.utils import timezone

    from tests.factories_reception import ConvocationFactory

    membership = membership_for(role)
    person = PersonFactory(phone="0612345678", email="amina@example.org", city="Metz")
    state, body = TRANSITION_STATES.get(name, ("sent", {}))
    # A scheme of the reader's organisation when it is a partner, else of a Metz partner;
    # for the waiting list, a full one where the person waits behind someone seated.
    waiting = name == "api:scheme-waiting-list"
    organisation = {"organisation": membership.organisation} if role in PARTNER_ROLES else {}
    scheme = SchemeFactory(capacity=1 if waiting else None, **organisation)
    by = membership if role in MATRIX[Action.REFER] and role in OFII_DT_ROLES else None
    if waiting:
        make_referral(scheme, PersonFactory(), state="accepted", by=by)
        state = "waitlisted"
    referral = make_referral(scheme, person, state=state, by=by)
    if name == "api:referral-sent" and role in PARTNER_ROLES:
        # The partner refers someone to another partner's scheme.
        other = SchemeFactory()
        referral = make_referral(other, person, by=membership)
    session = ConvocationFactory(person=person).session
    if role in MATRIX[Action.RECORD_SITUATION]:
        import datetime

        from parcours.people import services

        services.record_situation(
            person,
            {"kind": "ft_registration", "occurred_on": datetime.date(2026, 1, 5)},
            actor=membership.user,
            organisation=membership.organisation,
        )
    _token, key = ApiToken.issue(membership, "SI", scope="write")
    url = {
        "api:person-list": "/api/v1/persons/",
        "api:person-detail": f"/api/v1/persons/{person.pk}/",
        "api:directorate-list": "/api/v1/directorates/",
        "api:referral-received": "/api/v1/referrals/received/",
        "api:referral-sent": "/api/v1/referrals/sent/",
        "api:referral-detail": f"/api/v1/referrals/{referral.pk}/",
        "api:scheme-list": "/api/v1/schemes/",
        "api:scheme-waiting-list": f"/api/v1/schemes/{scheme.pk}/waiting-list/",
        "api:session-list": "/api/v1/sessions/",
        "api:session-convocations": f"/api/v1/sessions/{session.pk}/convocations/",
        "api:person-situations": f"/api/v1/persons/{person.pk}/situations/",
        "api:situation-list": "/api/v1/situations/",
        "api:indicators": "/api/v1/indicators/?start=2026-01",
        **{
            key_: f"/api/v1/referrals/{referral.pk}/{key_.split('-')[1]}/"
            for key_ in TRANSITION_STATES
        },
    }[name]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    if name in TRANSITION_STATES:
        today = timezone.localdate().isoformat()
        detail = client.get(f"/api/v1/referrals/{referral.pk}/")
        data = {k: today if v == "TODAY" else v for k, v in body.items()}
        response = client.post(
            url, data, content_type="application/json", HTTP_IF_MATCH=detail.get("ETag", "")
        )
    else:
        response = client.get(url)
    if response.status_code == 403:
        return None
    assert response.status_code == 200, (role, name, response.status_code, response.content)
    body = response.json()
    if name == "api:indicators":
        return _key_paths(body)
    items = body if isinstance(body, list) else body.get("results", [body])
    item = items[0]
    fields = set(item)
    if isinstance(item.get("person"), dict):
        fields |= {f"person.{field}" for field in item["person"]}
    return fields


def _key_paths(value, prefix="") -> set[str]:
    """Every key of a JSON document as a dotted path (lists: the keys of their items)."""
    if isinstance(value, list):
        return set().union(*(_key_paths(item, prefix) for item in value))
    if not isinstance(value, dict):
        return set()
    paths = set()
    for key, item in value.items():
        path = f"{prefix}{key}"
        paths |= {path} | _key_paths(item, f"{path}.")
    return paths


def test_every_api_resource_has_its_fields_decided_for_every_role():
    routed = {r.name for r in walk() if r.name and r.name.startswith("api:")}
    decided = set(API_FIELDS[Role.DT_DIRECTOR]) | API_WITHOUT_DATA
    assert routed == decided, "an API resource without a decision on its fields per role"


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(API_FIELDS[Role.DT_DIRECTOR]))
def test_each_role_receives_exactly_its_fields_from_each_api_resource(role, name):
    assert _api_item(role, name) == API_FIELDS[role][name]


def test_the_partner_api_fields_are_the_partner_projection():
    assert {"id", *PARTNER_FIELDS} == PARTNER_PERSON_API
    assert not NEVER_TO_PARTNERS & set(partner_field_names(residence_status=True))


@pytest.mark.parametrize("agir", [False, True], ids=["scheme", "agir-scheme"])
@pytest.mark.parametrize("role", sorted(PARTNER_ROLES))
def test_the_partner_pages_of_a_person_show_exactly_the_projection(role, agir):
    scheme = SchemeFactory(agir=True) if agir else SchemeFactory()
    person = PersonFactory(nationality=None, phone="0612345678")
    referral = make_referral(scheme, person)
    client = Client()
    client.force_login(partner_membership(scheme, role=role).user)
    expected = PARTNER_PAGE_LABELS_AGIR if agir else PARTNER_PAGE_LABELS
    for url in (f"/orientations-recues/personnes/{person.pk}/", f"/orientations/{referral.pk}/"):
        html = client.get(url).content.decode()
        section = re.search(r'<dl [^>]*data-projection="partner">(.*?)</dl>', html, re.S)
        assert section, url
        labels = [t.strip() for t in re.findall(r"<dt>(.*?)</dt>", section[1], re.S)]
        assert labels == expected, url


def test_the_access_log_export_has_exactly_its_columns():
    client = signed_in_client(Role.DT_DIRECTOR)
    response = client.get("/confidentialite/journal/export/")
    first_line = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert first_line == ACCESS_LOG_COLUMNS


def test_the_subject_access_export_goes_to_dt_managers_only_with_the_whole_file():
    person = PersonFactory()
    for role in Role:
        client = signed_in_client(role)
        client.post(f"/personnes/{person.pk}/motif/", {"reason": "request"})
        response = client.post(
            f"/personnes/{person.pk}/droit-d-acces/",
            {"reason": "rights", "export_format": "json"},
        )
        if role in (Role.DT_DIRECTOR, Role.DT_ADMIN):
            document = json.loads(response.content)
            assert {s["key"] for s in document["sections"]} >= {"person", "access_log"}
        else:
            assert response.status_code in (403, 404), role


def test_referral_e_mails_carry_no_field_of_the_person(
    mailoutbox, django_capture_on_commit_callbacks
):
    scheme = SchemeFactory(contact_email="partenaire@example.org")
    person = PersonFactory(last_name="HADDAD", first_names="Rania", phone="0612345678")
    with django_capture_on_commit_callbacks(execute=True):
        make_referral(scheme, person)
    assert mailoutbox
    for message in mailoutbox:
        text = message.subject + message.body
        assert "HADDAD" not in text and "Rania" not in text and "0612345678" not in text
