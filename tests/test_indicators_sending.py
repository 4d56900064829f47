"""The monthly sending: first working day, exact for the DT, protected for the DREETS, once."""

import datetime
import io
import threading
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from parcours.indicators import sending
from parcours.indicators.models import Audience, ReportRecipient, ReportRun, RunStatus
from parcours.indicators.periods import Month, first_working_day, public_holidays
from parcours.indicators.tasks import monthly_report_sending
from tests.factories import PersonFactory, directorate
from tests.factories_indicators import born, check_on

JANUARY = Month(2026, 1)
DAY = datetime.date(2026, 1, 27)


@pytest.mark.parametrize(
    ("month", "day"),
    [
        (Month(2026, 1), datetime.date(2026, 1, 2)),  # 1 January is a holiday
        (Month(2026, 2), datetime.date(2026, 2, 2)),  # 1 February is a Sunday
        (Month(2026, 5), datetime.date(2026, 5, 4)),  # 1 May (Friday), then the weekend
        (Month(2026, 6), datetime.date(2026, 6, 1)),  # a Monday
        (Month(2026, 11), datetime.date(2026, 11, 2)),  # 1 November is a Sunday and a holiday
        (Month(2027, 3), datetime.date(2027, 3, 1)),
        (Month(2027, 4), datetime.date(2027, 4, 1)),
    ],
)
def test_first_working_day_skips_weekends_and_public_holidays(month, day):
    assert first_working_day(month) == day


def test_movable_holidays_follow_easter():
    holidays = public_holidays(2026)
    assert datetime.date(2026, 4, 6) in holidays  # Easter Monday
    assert datetime.date(2026, 5, 14) in holidays  # Ascension
    assert datetime.date(2026, 5, 25) in holidays  # Whit Monday
    assert datetime.date(2026, 4, 3) in public_holidays(2026, alsace_moselle=True)  # Good Friday


def test_the_previous_month_is_due_from_the_first_working_day():
    assert sending.month_to_send(datetime.date(2026, 2, 1)) is None  # Sunday
    assert sending.month_to_send(datetime.date(2026, 2, 2)) == JANUARY
    assert sending.month_to_send(datetime.date(2026, 2, 20)) == JANUARY


def recipients():
    metz = directorate("metz")
    ReportRecipient.objects.create(
        directorate=metz, email="direction@metz.example.org", audience=Audience.DIRECTORATE
    )
    ReportRecipient.objects.create(
        directorate=metz, email="stats@dreets.example.org", audience=Audience.DREETS
    )
    ReportRecipient.objects.create(
        directorate=metz, email="old@example.org", audience=Audience.DREETS, is_active=False
    )


def figures():
    for _ in range(2):
        check_on(DAY, person=PersonFactory(sex="H", birth_date=born(50, DAY)))
    for _ in range(6):
        check_on(DAY, person=PersonFactory(sex="F", birth_date=born(30, DAY)))


def sheet_rows(message):
    name, content, _type = next(a for a in message.attachments if a[0].endswith(".xlsx"))
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.django_db
def test_each_recipient_gets_the_report_exact_for_the_dt_protected_for_the_dreets():
    recipients()
    figures()
    summary = sending.send_monthly_reports(JANUARY)
    assert len(summary.sent) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"direction@metz.example.org", "stats@dreets.example.org"}
    dt, dreets = by_address["direction@metz.example.org"], by_address["stats@dreets.example.org"]
    assert "DT Metz – janvier 2026" in dt.subject
    assert {a[0].rsplit(".", 1)[1] for a in dt.attachments} == {"pdf", "xlsx"}
    assert ["Hommes", 0, 0, 2, 0, 0, 2] in sheet_rows(dt)
    assert ["Hommes", 0, "s", "s", 0, 0, "s"] in sheet_rows(dreets)
    assert "Personnes accompagnées" in dreets.body  # the definitions travel with the figures
    runs = ReportRun.objects.order_by("recipient_email")
    assert [r.status for r in runs] == [RunStatus.SENT, RunStatus.SENT]


@pytest.mark.django_db
def test_a_re_run_sends_nothing_twice():
    recipients()
    sending.send_monthly_reports(JANUARY)
    again = sending.send_monthly_reports(JANUARY)
    assert len(mail.outbox) == 2
    assert again.sent == [] and again.skipped == 2
    assert ReportRun.objects.count() == 2


@pytest.mark.django_db
def test_a_failed_sending_is_logged_and_tried_again_next_run():
    recipients()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
        first = sending.send_monthly_reports(JANUARY)
    assert len(first.failed) == 2
    run = ReportRun.objects.first()
    assert run.status == RunStatus.FAILED and "SMTP down" in run.error
    second = sending.send_monthly_reports(JANUARY)
    assert len(second.sent) == 2
    assert ReportRun.objects.filter(status=RunStatus.SENT, attempts=2).count() == 2


@pytest.mark.django_db
def test_the_daily_task_sends_only_once_the_month_is_due():
    recipients()
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 2, 1)):
        assert monthly_report_sending.call_local() is None
    assert mail.outbox == []
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 2, 2)):
        result = monthly_report_sending.call_local()
        monthly_report_sending.call_local()
    assert result == {"month": "2026-01", "sent": 2, "failed": 0}
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_command_is_a_dry_run_unless_applied():
    recipients()
    out = io.StringIO()
    call_command("send_monthly_reports", "--month", "2026-01", stdout=out)
    assert "stats@dreets.example.org" in out.getvalue()
    assert mail.outbox == [] and not ReportRun.objects.exists()
    call_command("send_monthly_reports", "--month", "2026-01", "--apply", stdout=out)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_sending_runs_a_constant_number_of_figure_queries():
    from django.test.utils import CaptureQueriesContext

    recipients()
    with CaptureQueriesContext(connection) as one_dt:
        sending.send_monthly_reports(JANUARY)
    ReportRun.objects.all().delete()
    for code in ("strasbourg", "reims", "amiens"):
        ReportRecipient.objects.create(
            directorate=directorate(code), email=f"dt@{code}.example.org", audience="directorate"
        )
    ReportRun.objects.all().delete()
    with CaptureQueriesContext(connection) as four_dts:
        sending.send_monthly_reports(JANUARY)

    # Per recipient: its run row is claimed and then marked sent; all else is constant.
    def figure_queries(context):
        return [
            q["sql"]
            for q in context.captured_queries
            if not q["sql"].startswith(
                ("SAVEPOINT", "RELEASE", 'INSERT INTO "indicators_reportrun"')
            )
            and not q["sql"].startswith('UPDATE "indicators_reportrun"')
        ]

    assert len(figure_queries(four_dts)) == len(figure_queries(one_dt))


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_report_once(threaded_db):
    recipients()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        barrier.wait()
        try:
            sending.send_monthly_reports(JANUARY)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == [
        "direction@metz.example.org",
        "stats@dreets.example.org",
    ]
    assert ReportRun.objects.filter(status=RunStatus.SENT).count() == 2
