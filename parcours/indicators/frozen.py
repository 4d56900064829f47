"""Approved months, told to the person services, and the copy check before approving or sending.

Issue 13: a correction of a person's sex or birth date leaves the events of approved months
as they were approved (people.services.register_frozen_months); and no month is approved or
sent while a fact copied on its events disagrees with its source (reception.facts).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.indicators.models import MonthlyApproval
from parcours.indicators.periods import Month
from parcours.people.services import register_frozen_months


@register_frozen_months
def approved_months(directorate_ids):
    """(directorate id, first day) of every month approved at least once, any report."""
    return set(
        MonthlyApproval.objects.filter(directorate_id__in=list(directorate_ids))
        .values_list("directorate_id", "month")
        .distinct()
    )


def check_copies_before(directorate_id: int, month: Month) -> None:
    """Refuse (ValidationError in French) when an event of the month has a stale copy."""
    from parcours.reception.facts import stale_rows

    stale = stale_rows(directorate_id, month.first_day, month.next.first_day)
    if stale:
        raise ValidationError(
            ngettext(
                "%(count)s enregistrement du mois porte une copie périmée (DT, date, sexe ou "
                "âge différents de la session ou de la personne) : les chiffres seraient faux. "
                "Faites réparer les copies (commande « check_event_copies --repair », lancée "
                "aussi chaque matin) puis validez à nouveau.",
                "%(count)s enregistrements du mois portent une copie périmée (DT, date, sexe ou "
                "âge différents de la session ou de la personne) : les chiffres seraient faux. "
                "Faites réparer les copies (commande « check_event_copies --repair », lancée "
                "aussi chaque matin) puis validez à nouveau.",
                len(stale),
            )
            % {"count": len(stale)},
            code="stale_copies",
        )


def corrections_since(approval: MonthlyApproval) -> list[dict]:
    """Identity corrections of persons counted in the approved month, made after approval:
    the director reads « modifié depuis la validation » with each reason."""
    from parcours.privacy.models import FieldChange
    from parcours.reception.models import Convocation

    month = Month.of(approval.month)
    persons = Convocation.objects.filter(
        directorate_id=approval.directorate_id,
        session_date__gte=month.first_day,
        session_date__lt=month.next.first_day,
    ).values("person_id")
    changes = (
        FieldChange.objects.filter(
            person_id__in=persons, field__in=["sex", "birth_date"], at__gt=approval.approved_at
        )
        .select_related("user")
        .order_by("at", "pk")
    )
    return [
        {
            "label": _("modifié depuis la validation"),
            "at": change.at,
            "field": change.field,
            "reason": change.reason,
            "user": (change.user.get_full_name() or change.user.email) if change.user else "",
        }
        for change in changes
    ]
