"""Planning a PFA on a public holiday asks for a confirmation (Alsace-Moselle included)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from parcours.organisations.roles import Role
from parcours.reception import services
from parcours.reception.holidays import public_holiday
from parcours.reception.models import ReceptionSession
from tests.factories import directorate
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

GOOD_FRIDAY_2027 = datetime.date(2027, 3, 26)
ST_STEPHEN_2027 = datetime.date(2027, 12, 26)
NATIONAL_DAY_2027 = datetime.date(2027, 7, 14)
ORDINARY_DAY = datetime.date(2027, 3, 23)


def test_the_library_gives_national_and_alsace_moselle_holidays():
    assert public_holiday(NATIONAL_DAY_2027, ["80"]).departments == ()
    assert public_holiday(GOOD_FRIDAY_2027, ["80", "02", "60"]) is None
    assert public_holiday(GOOD_FRIDAY_2027, ["67", "68"]).departments == ("67", "68")
    assert public_holiday(ST_STEPHEN_2027, ["54", "57"]).departments == ("57",)
    assert public_holiday(ORDINARY_DAY, ["57", "67", "68"]) is None


def plan(dt, day, **kwargs):
    return services.plan_session(
        directorate(dt),
        date=day,
        half_day="morning",
        place="Salle 1",
        address="1, rue de la Paix",
        **kwargs,
    )


@pytest.mark.parametrize(
    ("dt", "day", "where"),
    [
        ("metz", ST_STEPHEN_2027, "57"),
        ("strasbourg", GOOD_FRIDAY_2027, "67, 68"),
        ("amiens", NATIONAL_DAY_2027, ""),
    ],
)
def test_a_session_on_a_public_holiday_needs_a_confirmation(dt, day, where):
    with pytest.raises(ValidationError) as error:
        plan(dt, day)
    message = " ".join(error.value.message_dict["confirm_holiday"])
    assert f"Le {day:%d/%m/%Y} est un jour férié" in message
    assert (where in message) if where else "département" not in message
    assert not ReceptionSession.objects.exists()
    assert plan(dt, day, holiday_confirmed=True).date == day


def test_good_friday_is_an_ordinary_day_outside_alsace_moselle():
    assert plan("amiens", GOOD_FRIDAY_2027).date == GOOD_FRIDAY_2027


def test_moving_a_session_to_a_holiday_also_asks(client_for):
    session = plan("metz", ORDINARY_DAY)
    with pytest.raises(ValidationError):
        services.update_session(
            session,
            date=ST_STEPHEN_2027,
            half_day="morning",
            place="Salle 1",
            address=session.address,
            capacity=12,
            start_time=session.start_time,
        )


def test_the_planning_form_shows_the_warning_then_plans_when_confirmed(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    data = {"date": ST_STEPHEN_2027.isoformat(), "half_day": "morning", "place": "Salle A"}
    data["capacity"] = "12"
    response = client.post("/pfa/sessions/nouvelle/", data)
    assert response.status_code == 200
    assert "est un jour férié dans le(s) département(s) 57" in page_text(response)
    assert not ReceptionSession.objects.exists()
    response = client.post("/pfa/sessions/nouvelle/", {**data, "confirm_holiday": "on"})
    assert response.status_code == 302
    assert ReceptionSession.objects.get().date == ST_STEPHEN_2027
