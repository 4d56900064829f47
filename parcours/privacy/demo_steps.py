"""Demo data of data protection: the default retention period, a little history and access log.

Idempotent: a second `load_demo` finds what the first one wrote and adds nothing.
"""

import datetime

from django.utils import timezone

from parcours.accounts.models import User
from parcours.demo.steps import DEMO_AGDREF_PREFIX, demo_step
from parcours.organisations.models import Membership
from parcours.people import services as people_services
from parcours.people.models import Person
from parcours.privacy.access_log import Operation, record_access
from parcours.privacy.models import AccessLog, FieldChange, RetentionPolicy
from parcours.privacy.retention import PERSON_FILES
from parcours.privacy.rules import RETENTION_DEFAULT_MONTHS, subtract_months

# Who does what in the demo of DT Metz.
_RECEPTION = "accueil@demo.parcours.test"
_AUDITOR = "auditeur@demo.parcours.test"
_IDLE_COUNT = 3


def _metz_demo_persons():
    return Person.objects.filter(
        directorate__code="metz", agdref_number__startswith=DEMO_AGDREF_PREFIX
    ).order_by("agdref_number")


@demo_step
def retention_policy():
    """The data controller's period for person files (24 months, the CNIL's reference)."""
    RetentionPolicy.objects.get_or_create(
        category=PERSON_FILES, defaults={"months": RETENTION_DEFAULT_MONTHS}
    )


@demo_step
def change_history_and_access_log():
    """A corrected phone number and a few file reads, so the DT's pages are not empty."""
    reception = User.objects.filter(email=_RECEPTION).first()
    auditor = User.objects.filter(email=_AUDITOR).first()
    persons = list(_metz_demo_persons()[_IDLE_COUNT : _IDLE_COUNT + 3])
    if reception is None or auditor is None or not persons:
        return
    if not FieldChange.objects.filter(person__in=persons).exists():
        for index, person in enumerate(persons):
            people_services.edit_person(
                person,
                {"phone": f"07{index:02d}000000"},
                actor=reception,
                reason="Numéro de téléphone corrigé à l'accueil",
            )
    if not AccessLog.objects.filter(user=auditor).exists():
        membership = Membership.objects.filter(
            user=auditor, organisation__directorate__code="metz"
        ).first()
        for person in persons:
            record_access(
                user=auditor,
                membership=membership,
                persons=[person],
                operation=Operation.PERSON_READ,
                path_name="person_detail",
            )


@demo_step
def files_about_to_expire():
    """A few files idle for nearly 24 months: the DT sees them in "anonymisations à venir"."""
    almost = subtract_months(timezone.now(), RETENTION_DEFAULT_MONTHS) + datetime.timedelta(days=12)
    # Idle means no step anywhere: people with a convocation or a referral are active.
    idle = _metz_demo_persons().filter(convocations__isnull=True, referrals__isnull=True)
    ids = list(idle.values_list("pk", flat=True)[:_IDLE_COUNT])
    # Bookkeeping only: an edit would make the file active again.
    people_services.set_bookkeeping(ids, updated_at=almost)
