"""Reminders fire exactly once (before an agreement ends, before a report is due, for an overdue
action), and the correction loop of an agreement report with the DREETS is logged end to end."""

import datetime
from unittest import mock

import pytest
from django.core import mail

from parcours.organisations.roles import OrganisationKind, Role
from parcours.partnerships import services
from parcours.partnerships.models import AgreementReport, Reminder, ReminderKind
from parcours.partnerships.states import ReportStatus
from parcours.partnerships.tasks import partnerships_daily
from parcours.territories.models import Region
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory
from tests.factories_indicators import check_on
from tests.factories_partnerships import fle_group, metz_experiment
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 10, 27)  # 34 days before the end, 4 before October's report


def test_each_reminder_fires_once_when_the_task_runs_twice(django_capture_on_commit_callbacks):
    world = metz_experiment()
    # Without recipients, September's report (owed too) is not sent: only reminders go.
    world["duty"].recipients.clear()
    amli = world["operators"][0]
    MembershipFactory(organisation=amli, role=Role.PARTNER_ADMIN, user__email="admin@amli.test")
    group = fle_group(members=[amli], directorate_code="metz")
    late = services.create_action(
        group,
        title="Diffuser le calendrier des ateliers FLE",
        owner=amli,
        due_on=datetime.date(2026, 10, 20),
        by=world["director"].user,
    )
    services.create_action(
        group,
        title="Action pas encore due",
        owner=amli,
        due_on=datetime.date(2026, 11, 20),
        by=world["director"].user,
    )
    with (
        mock.patch("django.utils.timezone.localdate", return_value=TODAY),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = partnerships_daily.call_local()
        second = partnerships_daily.call_local()
    assert first == {"agreement_end": 1, "report_deadline": 1, "overdue_action": 1, "reports": 0}
    assert second == {"agreement_end": 0, "report_deadline": 0, "overdue_action": 0, "reports": 0}
    reminders = {r.kind: r for r in Reminder.objects.all()}
    assert set(reminders) == set(ReminderKind)
    assert reminders[ReminderKind.AGREEMENT_END].due_on == datetime.date(2026, 11, 30)
    assert reminders[ReminderKind.REPORT_DEADLINE].due_on == datetime.date(2026, 10, 31)
    assert reminders[ReminderKind.OVERDUE_ACTION].subject_id == late.pk
    assert all(r.sent_at is not None for r in reminders.values())
    assert len(mail.outbox) == 3
    to = {message.subject: message.to for message in mail.outbox}
    end = next(s for s in to if "se termine" in s)
    assert world["director"].user.email in to[end] and "admin@amli.test" in to[end]
    overdue = next(s for s in to if "en retard" in s)
    assert "admin@amli.test" in to[overdue]
    assert not AgreementReport.objects.exists()


def test_the_daily_task_sends_the_months_report_once(django_capture_on_commit_callbacks):
    world = metz_experiment()
    duty = world["duty"]
    duty.recipients.set(duty.recipients.filter(audience="dreets"))
    first_working_day = datetime.date(2026, 10, 1)
    with (
        mock.patch("django.utils.timezone.localdate", return_value=first_working_day),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert partnerships_daily.call_local()["reports"] == 1
        assert partnerships_daily.call_local()["reports"] == 0
    report = AgreementReport.objects.get()
    assert report.period_start == datetime.date(2026, 9, 1)
    assert report.transitions.get().by.email == "systeme@parcours.invalid"
    sent_reports = [m for m in mail.outbox if m.attachments]  # reminders carry none
    assert [m.to for m in sent_reports] == [["dreets@grand-est.example.org"]]


def test_no_reminder_before_the_notice_nor_for_a_done_action(django_capture_on_commit_callbacks):
    world = metz_experiment()
    world["duty"].recipients.clear()
    amli = world["operators"][0]
    group = fle_group(members=[amli], directorate_code="metz")
    action = services.create_action(
        group,
        title="Fait à temps",
        owner=amli,
        due_on=datetime.date(2026, 3, 1),
        by=world["director"].user,
    )
    services.complete_action(action, by=world["director"].user, done_on=datetime.date(2026, 2, 27))
    with (
        mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 3, 10)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = partnerships_daily.call_local()
    assert result["agreement_end"] == 0  # ends in 265 days
    assert result["report_deadline"] == 0  # March's report is due in 21 days
    assert result["overdue_action"] == 0
    assert not Reminder.objects.exists()


def _report_in_correction(client_for):
    world = metz_experiment()
    duty = world["duty"]
    duty.recipients.set(duty.recipients.filter(audience="dreets"))
    check_on(datetime.date(2026, 1, 27), person=PersonFactory())
    from parcours.indicators.periods import Month
    from parcours.partnerships import reporting

    report = reporting.send_report(duty, Month(2026, 1), by=world["director"].user)
    return world, report


def test_the_correction_loop_is_logged_from_the_dreets_request_to_the_corrected_report(
    client_for,
):
    world, report = _report_in_correction(client_for)
    metz_id = str(world["agreement"].directorates.get().pk)
    assert sum(report.figures[metz_id]["2026-01"]["accompanied"]["cells"].values()) == 1
    assert len(mail.outbox) == 1

    dreets = client_for(Role.REGIONAL_VIEWER)
    response = dreets.post(
        f"/partenariats/rapports/{report.pk}/correction/",
        {"comment": "Une personne reçue le 27 janvier manque."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.REOPENED

    director = client_for(Role.DT_DIRECTOR)
    assert "Rapports à corriger" in page_text(director.get("/partenariats/"))
    # A corrected report must say what was corrected: refused, nothing changes.
    director.post(f"/partenariats/rapports/{report.pk}/corriger/", {"comment": ""})
    report.refresh_from_db()
    assert (report.status, report.version) == (ReportStatus.REOPENED, 1)

    check_on(datetime.date(2026, 1, 27), person=PersonFactory())  # the missing interview
    response = director.post(
        f"/partenariats/rapports/{report.pk}/corriger/",
        {"comment": "Entretien du 27 janvier ajouté."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.version) == (ReportStatus.CORRECTED, 2)
    accompanied = sum(report.figures[metz_id]["2026-01"]["accompanied"]["cells"].values())
    assert accompanied == 2
    assert len(mail.outbox) == 2  # the corrected version went to the DREETS too
    log = list(report.transitions.order_by("pk").values_list("name", "comment", "by__email"))
    assert [name for name, _comment, _by in log] == ["send", "request_correction", "resend"]
    assert log[1][1] == "Une personne reçue le 27 janvier manque."
    assert log[1][2] == dreets.membership.user.email
    assert log[2][1] == "Entretien du 27 janvier ajouté."
    assert report.sendings.filter(version=2, sent_at__isnull=False).count() == 1


def test_only_the_dreets_of_the_region_may_ask_for_a_correction(client_for):
    world, report = _report_in_correction(client_for)
    assert (
        client_for(Role.PARTNER_ADMIN)
        .post(f"/partenariats/rapports/{report.pk}/correction/", {"comment": "x"})
        .status_code
        == 403
    )
    assert (
        client_for(Role.DT_DIRECTOR)
        .post(f"/partenariats/rapports/{report.pk}/correction/", {"comment": "x"})
        .status_code
        == 403
    )
    other = OrganisationFactory(
        kind=OrganisationKind.DREETS,
        name="DREETS Hauts-de-France",
        region=Region.objects.get(code="32"),
    )
    stranger = MembershipFactory(organisation=other, role=Role.REGIONAL_VIEWER)
    from django.test import Client

    client = Client()
    client.force_login(stranger.user)
    assert (
        client.post(f"/partenariats/rapports/{report.pk}/correction/", {"comment": "x"}).status_code
        == 404
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    assert report.transitions.count() == 1
