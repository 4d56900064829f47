"""An agreement's life beyond the seed: amendments move its end and ceiling, documents are
checked uploads that only its readers download, a renewal follows it with its duties."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.organisations.roles import Role
from parcours.partnerships import services
from parcours.partnerships.models import Agreement, Document
from parcours.partnerships.states import AgreementStatus
from tests.factories_partnerships import metz_experiment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_amendment_moves_the_end_and_the_ceiling_and_the_balance_follows():
    world = metz_experiment()
    agreement, user = world["agreement"], world["director"].user
    services.add_payment(
        agreement, amount=Decimal("60000"), paid_on=datetime.date(2026, 1, 5), by=user
    )
    with pytest.raises(ValidationError):
        services.add_payment(
            agreement, amount=Decimal("5000"), paid_on=datetime.date(2026, 6, 1), by=user
        )
    services.add_amendment(
        agreement,
        signed_on=datetime.date(2026, 6, 1),
        summary="Revue intermédiaire : 8 PFA par semaine.",
        new_ends_on=datetime.date(2026, 12, 31),
        new_ceiling=Decimal("70000"),
    )
    agreement.refresh_from_db()
    assert agreement.ends_on == datetime.date(2026, 12, 31)
    assert services.remaining_balance(agreement) == Decimal("10000")
    services.add_payment(
        agreement, amount=Decimal("5000"), paid_on=datetime.date(2026, 6, 2), by=user
    )
    assert services.paid_total(agreement) == Decimal("65000")


def test_a_draft_takes_no_payment_and_a_wrong_state_change_is_refused():
    world = metz_experiment()
    user = world["director"].user
    draft = services.create_agreement(
        by=user,
        partners=[world["operators"][2]],
        directorates=list(world["agreement"].directorates.all()),
        title="Projet de convention",
        kind="partnership",
        theme="employment",
        purpose="À l'étude.",
        starts_on=datetime.date(2027, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.add_payment(
            draft, amount=Decimal("10"), paid_on=datetime.date(2027, 1, 2), by=user
        )
    with pytest.raises(ValidationError):
        services.change_agreement_status(draft, "start", by=user)  # not signed yet
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT
    assert list(draft.transitions.values_list("name", flat=True)) == ["create"]


def test_documents_are_checked_and_read_only_by_the_agreements_readers(client_for):
    world = metz_experiment()
    agreement = world["agreement"]
    director = client_for(Role.DT_DIRECTOR)
    fake = SimpleUploadedFile(
        "convention.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf"
    )
    director.post(
        f"/partenariats/conventions/{agreement.pk}/documents/",
        {"kind": "agreement", "title": "Convention signée", "file": fake},
    )
    assert not Document.objects.exists()
    real = SimpleUploadedFile("convention signée.pdf", PDF, content_type="application/pdf")
    director.post(
        f"/partenariats/conventions/{agreement.pk}/documents/",
        {"kind": "agreement", "title": "Convention signée", "file": real},
    )
    document = Document.objects.get()
    assert document.file_format == "pdf" and document.size == len(PDF)
    response = client_for(Role.PARTNER_ADMIN).get(f"/partenariats/documents/{document.pk}/")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    strasbourg = client_for(Role.DT_DIRECTOR, directorate_code="strasbourg")
    assert strasbourg.get(f"/partenariats/documents/{document.pk}/").status_code == 404


def test_a_renewal_follows_the_agreement_with_its_duties():
    world = metz_experiment()
    agreement, user = world["agreement"], world["director"].user
    new = services.renew_agreement(
        agreement,
        by=user,
        starts_on=datetime.date(2026, 12, 1),
        ends_on=datetime.date(2027, 11, 30),
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.RENEWED
    assert new.renews == agreement and new.status == AgreementStatus.DRAFT
    assert new.ceiling == agreement.ceiling
    assert list(new.partners.all()) == list(agreement.partners.all())
    duty = new.reporting_duties.get()
    assert set(duty.recipients.all()) == set(world["duty"].recipients.all())
    assert Agreement.objects.count() == 2
