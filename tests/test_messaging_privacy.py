"""Issue 18: consent, retention and subject access for messages; the link on the letter."""

import json

import pytest
from django.utils import timezone

from parcours.messaging.models import ConvocationPage, Message
from parcours.organisations.roles import Role
from parcours.privacy import subject_access
from parcours.privacy.models import FieldChange
from parcours.privacy.retention import anonymise_persons
from parcours.reception.letters.pdf import render_convocations_pdf
from tests.factories_messaging import convoke_now, reachable_person
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def convocation(django_capture_on_commit_callbacks):
    return convoke_now(reachable_person("ar"), capture=django_capture_on_commit_callbacks)


def test_the_subject_access_export_lists_messages_and_answers(convocation):
    page = ConvocationPage.objects.get(convocation=convocation)
    page.answer, page.answered_at = "confirmed", timezone.now()
    page.save()
    document = json.loads(subject_access.export_json(convocation.person))
    section = next(s for s in document["sections"] if s["key"] == "messages")
    channels = [row["channel"] for row in section["rows"]]
    assert channels == ["Courriel", "SMS", "Page de convocation"]
    assert section["rows"][1]["recipient"] == "+33612345678"


def test_anonymisation_removes_recipients_and_texts_but_keeps_the_figures(convocation):
    anonymise_persons([convocation.person_id])
    rows = list(Message.objects.filter(convocation=convocation))
    assert len(rows) == 2
    assert all(m.recipient == "" and m.body == "" and m.provider_id == "" for m in rows)
    assert {m.channel for m in rows} == {"email", "sms"} and {m.status for m in rows} == {"sent"}
    assert all(m.sent_at.day == 1 for m in rows)


def test_the_agent_records_consent_through_the_person_services(convocation, client_for):
    agent = client_for(Role.INTEGRATION_AUDITOR)
    person = convocation.person
    response = agent.post(f"/personnes/{person.pk}/messages/", {"wanted": "0"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.messages_stopped_at is not None
    # The history of the file says who stopped them and why (people services, issue 13).
    assert FieldChange.objects.filter(person=person, field="messages_stopped_at").exists()
    agent.post(f"/personnes/{person.pk}/messages/", {"wanted": "1"})
    person.refresh_from_db()
    assert person.messages_stopped_at is None


def test_the_person_file_shows_who_was_reached_and_how(convocation, client_for):
    agent = client_for(Role.INTEGRATION_AUDITOR)
    response = agent.get(f"/personnes/{convocation.person_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Messages à la personne" in html
    assert html.count("<td>Convocation (") == 2 and "<td>AR</td>" in html


def test_the_letter_carries_the_link_and_a_qr_code(convocation):
    page = ConvocationPage.objects.get(convocation=convocation)
    text = pdf_text(render_convocations_pdf([convocation], today=timezone.localdate()))
    # pypdf reads a wide kerning gap inside the bold link (« Q » then « j » in Marianne) as a
    # space, though the letter prints the token unbroken (seen rendered with PDFium): compare
    # without spaces.
    assert f"/c/{page.token}" in "".join(text.split())
    assert "Répondez à cette convocation en ligne" in text
