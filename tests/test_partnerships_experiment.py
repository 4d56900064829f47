"""The Metz experiment of seed 001 as a partnership: the DREETS AMI, its four invited operators,
two applications, AMLI selected, the subsidy agreement (8 Dec 2025 – 30 Nov 2026, at most
62,000 €), and its monthly report, which is the experiment report figure for figure."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from parcours.indicators import exports
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.indicators.tables import TOTAL
from parcours.organisations.roles import Role
from parcours.partnerships import reporting, services
from parcours.partnerships.models import Application, PartnershipTransition
from parcours.partnerships.states import AgreementStatus, ApplicationStatus
from parcours.territories.models import Department
from tests.factories import PersonFactory, directorate
from tests.factories_indicators import accompanied, born, check_on
from tests.factories_partnerships import AGREEMENT_END, AGREEMENT_START, CEILING, metz_experiment
from tests.factories_referrals import SchemeFactory, make_referral

pytestmark = pytest.mark.django_db

JANUARY = Month(2026, 1)
DAY = datetime.date(2026, 1, 27)


def seed_day_records():
    """CIP interviews and referrals of DT Metz in January 2026, and one at DT Strasbourg that
    the agreement's perimeter must leave out."""
    for sex, age, fields in [
        ("F", 30, {"situation": "cdi"}),
        ("H", 24, {"situation": "job_seeker", "already_ft": True}),
        ("F", 38, {"situation": "job_seeker", "rsa_recipient": True}),
        ("H", 41, {"situation": "job_seeker", "registered": True}),
        ("F", 58, {"situation": "job_seeker", "registered": True}),
        ("H", 25, {"situation": "vocational_training"}),
    ]:
        person = PersonFactory(sex=sex, birth_date=born(age, DAY))
        check = check_on(DAY, person=person, **fields)
        if fields.get("registered"):
            accompanied(check, datetime.date(2026, 1, 29))
    bas_rhin = Department.objects.get(code="67")
    check_on(DAY, person=PersonFactory(department=bas_rhin), dt="strasbourg")
    scheme = SchemeFactory()
    make_referral(scheme, state="accepted")


def test_the_call_the_operators_the_applications_and_the_selection():
    world = metz_experiment()
    call = world["call"]
    assert call.invited.count() == 4
    assert sorted(d.code for d in call.directorates.all()) == ["metz", "reims", "strasbourg"]
    metz_applications = Application.objects.filter(call=call, directorate__code="metz")
    assert metz_applications.count() == 2
    selected = metz_applications.get(status=ApplicationStatus.SELECTED)
    assert selected.applicant.name == "AMLI – AGIR 57"
    assert selected.score == 86 and selected.reasons
    rejected = metz_applications.get(status=ApplicationStatus.NOT_SELECTED)
    assert rejected.score == 61 and rejected.reasons
    agreement = world["agreement"]
    assert agreement.application == selected
    assert list(agreement.partners.values_list("name", flat=True)) == ["AMLI – AGIR 57"]
    assert list(agreement.directorates.values_list("code", flat=True)) == ["metz"]
    assert (agreement.starts_on, agreement.ends_on) == (AGREEMENT_START, AGREEMENT_END)
    assert agreement.ceiling == CEILING
    assert agreement.status == AgreementStatus.RUNNING
    # Every step is a logged transition, with its actor.
    names = list(
        PartnershipTransition.objects.filter(application__call=call)
        .order_by("pk")
        .values_list("name", flat=True)
    )
    assert names == ["submit", "submit", "select", "reject"]
    assert list(agreement.transitions.values_list("name", flat=True)) == [
        "create",
        "sign",
        "start",
    ]


def test_a_second_selection_for_the_same_dt_is_refused():
    world = metz_experiment()
    rejected = world["applications"][1]
    # The rejected one cannot be selected again (not from its state)…
    with pytest.raises(ValidationError):
        services.decide_application(
            rejected,
            selected=True,
            score=90,
            reasons="Revu",
            decided_on=DAY,
            by=world["director"].user,
        )
    # …and a late application of an operator that was not invited is refused.
    from tests.factories import OrganisationFactory

    stranger = OrganisationFactory(name="Association non invitée")
    with pytest.raises(ValidationError):
        services.submit_application(
            world["call"],
            applicant=stranger,
            directorate=directorate("metz"),
            submitted_on=datetime.date(2025, 10, 1),
            by=world["director"].user,
        )


def test_payments_never_exceed_the_ceiling_and_the_balance_follows():
    world = metz_experiment()
    agreement, user = world["agreement"], world["director"].user
    services.add_payment(agreement, amount=Decimal("31000"), paid_on=DAY, by=user)
    assert services.remaining_balance(agreement) == Decimal("31000")
    with pytest.raises(ValidationError, match="il reste 31000.00"):
        services.add_payment(agreement, amount=Decimal("31000.01"), paid_on=DAY, by=user)
    assert agreement.payments.count() == 1


def test_the_agreement_report_is_the_experiment_report(client_for, django_assert_max_num_queries):
    world = metz_experiment()
    seed_day_records()
    duty, director = world["duty"], world["director"]
    metz = directorate("metz")
    with django_assert_max_num_queries(40):
        report = reporting.send_report(duty, JANUARY, by=director.user)
    experiment = compute_report(get_report(MONTHLY_REPORT), [metz], Period.single(JANUARY))
    assert report.figures == {str(metz.pk): {"2026-01": experiment.figures(metz.pk, JANUARY)}}
    assert experiment.monthly_table("accompanied", metz.pk, JANUARY).value(TOTAL, TOTAL) == 6

    # The same document as the figures page's export for the DT director, row for row (but
    # the "produced at" line, which carries the minute).
    client = client_for(Role.DT_DIRECTOR)
    response = client.get("/chiffres/export.csv?start=2026-01&end=2026-01")
    assert response.status_code == 200
    ours = reporting.document(duty, Period.single(JANUARY), exact=True)
    theirs = response.content.decode("utf-8-sig").splitlines()
    mine = exports.to_csv(ours).decode("utf-8-sig").splitlines()
    assert len(mine) == len(theirs) > 20
    assert [line for i, line in enumerate(mine) if i != 3] == [
        line for i, line in enumerate(theirs) if i != 3
    ]

    # Sent as the monthly sending sends: exact to the DT, protected to the DREETS.
    attachments = {
        message.to[0]: [name for name, _content, _type in message.attachments]
        for message in mail.outbox
    }
    assert set(attachments) == {"direction@metz.example.org", "dreets@grand-est.example.org"}
    assert all("exact" in name for name in attachments["direction@metz.example.org"])
    assert all("protege" in name for name in attachments["dreets@grand-est.example.org"])


def test_a_period_is_sent_once_and_not_before_it_ends():
    world = metz_experiment()
    duty, user = world["duty"], world["director"].user
    reporting.send_report(duty, JANUARY, by=user)
    sent = len(mail.outbox)
    with pytest.raises(ValidationError, match="déjà été envoyé"):
        reporting.send_report(duty, JANUARY, by=user)
    assert len(mail.outbox) == sent
    with pytest.raises(ValidationError, match="ne couvre pas"):
        reporting.send_report(duty, Month(2027, 1), by=user)
    duty.recipients.clear()
    with pytest.raises(ValidationError, match="aucun destinataire"):
        reporting.send_report(duty, Month(2026, 2), by=user)
