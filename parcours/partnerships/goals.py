"""The goals working groups follow, computed where Parcours holds the data (issue 19, item 3).

Seed 000: the SPIE aims at « a first appointment within 30 days » and « a quick orientation
toward an activity ». Parcours records the first France Travail appointment set at the CIP
interview and the referrals sent after the reception day, so both can be followed for the
group's DTs; a goal Parcours holds no data for stays a plain label.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _

WINDOW_DAYS = 30


@dataclass(frozen=True)
class GoalResult:
    reached: int
    counted: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.reached / self.counted) if self.counted else None


@dataclass(frozen=True)
class Goal:
    code: str
    label: object
    help_text: object
    compute: Callable[[list[int], datetime.date, datetime.date], GoalResult]


def _within(pairs, days=WINDOW_DAYS) -> GoalResult:
    counted = reached = 0
    for start, end in pairs:
        counted += 1
        if end is not None and (end - start).days <= days:
            reached += 1
    return GoalResult(reached, counted)


def first_appointment_within_30_days(directorate_ids, since, until) -> GoalResult:
    """CIP interviews of the period whose first France Travail appointment is set within 30
    days of the reception day (one query)."""
    checks = apps.get_model("reception", "EmploymentCheck").objects.filter(
        directorate_id__in=list(directorate_ids),
        session_date__gte=since,
        session_date__lte=until,
        in_scope=True,
    )
    return _within(checks.values_list("session_date", "first_appointment_date"))


def referral_within_30_days(directorate_ids, since, until) -> GoalResult:
    """CIR signed in the period followed by a referral sent within 30 days (two queries)."""
    contracts = apps.get_model("reception", "Contract").objects.filter(
        directorate_id__in=list(directorate_ids),
        signed_on__gte=since,
        signed_on__lte=until,
    )
    signed = dict(contracts.values_list("person_id", "signed_on"))
    first_sent: dict[int, datetime.date] = {}
    referrals = apps.get_model("referrals", "Referral").objects.filter(
        person_id__in=list(signed), sent_at__isnull=False
    )
    for person_id, sent_at in referrals.values_list("person_id", "sent_at"):
        day = sent_at.date()
        if day >= signed[person_id] and (
            person_id not in first_sent or day < first_sent[person_id]
        ):
            first_sent[person_id] = day
    return _within((day, first_sent.get(person_id)) for person_id, day in signed.items())


GOALS = {
    goal.code: goal
    for goal in [
        Goal(
            "first_appointment_30_days",
            _("Premier rendez-vous France Travail dans les 30 jours"),
            _(
                "Personnes concernées reçues par le CIP dont le premier rendez-vous France "
                "Travail est fixé au plus tard 30 jours après la journée d'accueil."
            ),
            first_appointment_within_30_days,
        ),
        Goal(
            "referral_30_days",
            _("Orientation vers une activité dans les 30 jours"),
            _(
                "Signataires du CIR de la période orientés vers un dispositif partenaire au "
                "plus tard 30 jours après la signature."
            ),
            referral_within_30_days,
        ),
    ]
}


def goal_choices():
    return [("", _("Aucun : Parcours ne détient pas ces données"))] + [
        (goal.code, goal.label) for goal in GOALS.values()
    ]
