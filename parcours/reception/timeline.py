"""The reception day's events in the person file's timeline (one query per person)."""

from django.utils.translation import gettext as _

from parcours.people.timeline import TimelineEvent, register
from parcours.reception.models import AttendanceStatus, Convocation


@register
def reception_events(person):
    convocations = (
        Convocation.objects.filter(person=person)
        .select_related(
            "session__directorate",
            "rescheduled_to",
            "positioning",
            "interview",
            "contract",
            "prescription",
            "employment_check",
        )
        .order_by("session__date", "pk")
    )
    for convocation in convocations:
        session = convocation.session
        yield TimelineEvent(
            session.date,
            _("Journée d'accueil – %(status)s") % {"status": convocation.get_status_display()},
            _("%(dt)s, %(half_day)s, %(place)s")
            % {
                "dt": session.directorate,
                "half_day": session.get_half_day_display().lower(),
                "place": session.place,
            }
            + (
                _(" ; reportée au %(date)s")
                % {"date": convocation.rescheduled_to.date.strftime("%d/%m/%Y")}
                if convocation.status == AttendanceStatus.RESCHEDULED
                else ""
            ),
            kind="reception",
        )
        yield from _step_events(convocation)


def _step_events(convocation):
    day = convocation.session.date
    positioning = getattr(convocation, "positioning", None)
    if positioning is not None:
        yield TimelineEvent(
            day,
            _("Positionnement linguistique : %(level)s")
            % {"level": positioning.get_level_display()},
            _("Écrit %(written)s, oral %(oral)s")
            % {
                "written": positioning.get_written_level_display(),
                "oral": positioning.get_oral_level_display(),
            },
            kind="language",
        )
    interview = getattr(convocation, "interview", None)
    if interview is not None:
        yield TimelineEvent(
            day,
            _("Entretien de diagnostic"),
            interview.get_employment_status_display(),
            kind="interview",
        )
    contract = getattr(convocation, "contract", None)
    if contract is not None:
        detail = ""
        if contract.civic_training_date:
            detail = _("Formation civique à partir du %(date)s") % {
                "date": contract.civic_training_date.strftime("%d/%m/%Y")
            }
        yield TimelineEvent(contract.signed_on, _("Signature du CIR"), detail, kind="cir")
    prescription = getattr(convocation, "prescription", None)
    if prescription is not None:
        values = {
            "hours": prescription.hours,
            "target": prescription.get_target_level_display(),
            "rule": prescription.rule_version,
            "modality": prescription.get_modality_display().lower(),
        }
        if prescription.hours:
            detail = _("%(hours)s h vers %(target)s (règle %(rule)s)") % values
        else:
            detail = _("Vers %(target)s (règle %(rule)s)") % values
        if prescription.modality and prescription.modality != "not_recorded":
            detail += " – " + values["modality"]
        if prescription.pace:
            detail += " – " + prescription.get_pace_display()
        if prescription.answer:
            detail += " – " + prescription.get_answer_display()
        yield TimelineEvent(
            prescription.decided_on,
            _("Formation linguistique : %(kind)s") % {"kind": prescription.get_kind_display()},
            detail,
            kind="language",
        )
    check = getattr(convocation, "employment_check", None)
    if check is not None:
        yield TimelineEvent(
            day, _("Entretien CIP"), check.get_situation_display(), kind="employment"
        )
        if check.first_appointment_date:
            yield TimelineEvent(
                check.first_appointment_date,
                _("Premier rendez-vous France Travail"),
                _("Accompagnement : %(outcome)s")
                % {"outcome": check.get_accompaniment_display().lower()},
                kind="employment",
            )
