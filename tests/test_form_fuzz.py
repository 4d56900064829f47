"""Form fuzz (issue 14): every form of every page, as every role, fed invalid values.

The forms are found by walking the pages each role reaches (`tests/formwalk.py`); each form
is then posted with values drawn by Hypothesis (over-long, empty, NUL and control characters,
right-to-left and emoji text, extreme dates, negative and huge numbers, ids of objects of
another perimeter, files that are not spreadsheets). Every answer must be a page, never a
server error, and a form that answers with an error must have saved nothing.
"""

import datetime

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from parcours.organisations.middleware import SESSION_KEY
from parcours.organisations.roles import Role
from parcours.referrals.models import InformationSessionAttendee
from parcours.territories.models import Department
from tests.factories import PersonFactory, membership_for
from tests.factories_reception import ConvocationFactory, SessionFactory
from tests.factories_referrals import (
    InformationSessionFactory,
    SchemeFactory,
    make_referral,
    partner_membership,
)
from tests.formwalk import forms_of

pytestmark = pytest.mark.django_db

# Bounded: every form gets this many posts (the whole fuzz stays within about a minute).
EXAMPLES = 6
# Written on every page read or sign-in, whether or not a form saved anything.
UNTRACKED = {
    "privacy.AccessLog",
    "privacy.AccessLogPerson",
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "axes.AccessAttemptExpiration",
    "api.ApiToken",
    "accounts.User",  # last_login
}
ERROR_MARKERS = (
    b"fr-error-text",
    b"fr-alert--error",
    b"fr-message--error",
    b"Rien n'a \xc3\xa9t\xc3\xa9",
)

LONG = 100_000
texts = st.one_of(
    st.just(""),
    st.just(" "),
    st.text(min_size=1, max_size=20).map(lambda s: s * (LONG // max(len(s), 1))),
    st.sampled_from(["a\x00b", "\x00", "x\x1b[31m", "\x07\x08", "line\x0bfeed"]),
    st.sampled_from(["مرحبا بالعالم", "\u202eevil\u202c", "שלום", "\u200f\u200e"]),
    st.sampled_from(["😀" * 300, "👩‍👩‍👧‍👦", "🇫🇷" * 50, "\U0010ffff"]),
    st.text(max_size=50),
)
dates = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01", "2026-02-30"]),
    st.sampled_from(["31/12/9999", "99999-01-01", "-2026-01-01", "2026-13", "demain"]),
    st.dates().map(datetime.date.isoformat),
)
numbers = st.one_of(
    st.sampled_from(["-1", "0", "-99999999999", "99999999999999999999", "1e309", "NaN", "1.5"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
foreign_ids = st.one_of(
    st.sampled_from(["0", "-1", "99999999", "99999999999999999999", "abc", "1 OR 1=1"]),
    st.integers(min_value=1, max_value=300).map(str),
)
files = st.sampled_from(
    [
        ("liste.csv", b"\x00\x01\x02binary"),
        ("liste.xlsx", b"PK\x03\x04not really"),
        ("liste.ods", b""),
        ("liste.exe", b"MZ\x90\x00"),
        ("liste.csv", "AGDREF\n" + "1" * 100_000),
    ]
)


def _value_strategy(item):
    if item.kind == "file":
        return files
    if item.kind == "date" or "date" in item.name or item.name.endswith("_on"):
        return st.one_of(dates, texts)
    if item.kind == "number":
        return st.one_of(numbers, texts)
    if item.kind in ("select", "radio", "checkbox", "hidden"):
        return st.one_of(foreign_ids, texts, st.sampled_from(item.options or [""]))
    return texts


@pytest.fixture
def world():
    """One of each object a page offers a form for, in DT Metz and its partners."""
    other = Department.objects.get(code="67")
    foreign = PersonFactory(department=other)
    session = SessionFactory(capacity=20)
    present = ConvocationFactory(session=session, present=True)
    ConvocationFactory(session=session)
    scheme = SchemeFactory()
    make_referral(scheme, state="sent")
    make_referral(scheme, state="accepted")
    PersonFactory.create_batch(2)
    info = InformationSessionFactory(organisation=scheme.organisation)
    InformationSessionAttendee.objects.create(session=info, person=present.person)
    memberships = [
        membership_for(role)
        for role in Role
        if role not in {Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN}
    ]
    memberships += [partner_membership(scheme), partner_membership(scheme, Role.PARTNER_ADMIN)]
    return {"memberships": memberships, "foreign": foreign}


def _client(membership) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(membership.user)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()
    return client


def _fingerprint() -> tuple:
    """Every tracked row, to tell whether a refused post saved anything."""
    rows = []
    for model in apps.get_models():
        if model._meta.label in UNTRACKED or not model._meta.managed:
            continue
        rows.append((model._meta.label, tuple(model.objects.order_by("pk").values_list())))
    return tuple(rows)


def _post(client, form, data):
    payload = {}
    for name, value in data.items():
        if isinstance(value, tuple):
            payload[name] = SimpleUploadedFile(
                value[0], value[1] if isinstance(value[1], bytes) else value[1].encode()
            )
        else:
            payload[name] = value
    return client.post(form.action, payload)


def test_no_form_of_any_page_gives_a_server_error_or_saves_on_error(world):
    targets, seen = [], set()
    for membership in world["memberships"]:
        client = _client(membership)
        for form in forms_of(client):
            if form.signature in seen or not form.fields:
                continue
            seen.add(form.signature)
            targets.append((client, membership.role, form))
    # The walk must reach the forms of each area, or the fuzz tests nothing.
    names = {form.url_name for _, _, form in targets}
    assert {"reception:session_create", "reception:convoke", "referrals:scheme_edit"} <= names, (
        names
    )
    assert len(targets) >= 20, sorted(names)
    failures = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def fuzz(data):
        for client, role, form in targets:
            values = form.defaults()
            for item in form.fields.values():
                if data.draw(st.booleans()):
                    values[item.name] = data.draw(_value_strategy(item))
            before = _fingerprint()
            response = _post(client, form, values)
            body = response.content if not response.streaming else b""
            if response.status_code >= 500:
                failures.append(
                    f"{role} POST {form.action} {sorted(values)}: {response.status_code}"
                )
            elif (
                response.status_code in (200, 400)
                and any(m in body for m in ERROR_MARKERS)
                and _fingerprint() != before
            ):
                failures.append(f"{role} POST {form.action}: refused but something was saved")

    fuzz()
    assert not failures, "\n".join(sorted(set(failures))[:40])
