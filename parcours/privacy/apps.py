"""Data protection: access log, change history, retention, anonymisation, subject access."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "parcours.privacy"
    label = "privacy"
    verbose_name = _("Protection des données")

    def ready(self):
        from parcours.people.models import Person
        from parcours.people.services import person_changed, persons_changed
        from parcours.privacy import (  # noqa: F401  (registration)
            checks,
            import_files,
            situations,
            tasks,
        )
        from parcours.privacy.history import record_person_changes, record_persons_changes

        # Issue 6, "Change history"; issue 13: persons are written by people.services only,
        # which states each change with its actor and reason; reception and referrals track
        # their own records with track_changes.
        person_changed.connect(
            record_person_changes, sender=Person, dispatch_uid="privacy_person_history"
        )
        persons_changed.connect(
            record_persons_changes, sender=Person, dispatch_uid="privacy_persons_history"
        )


# Bookkeeping of the record itself, not data about the person.
PERSON_UNTRACKED_FIELDS = {
    "created_at",
    "updated_at",
    "created_by",
    "anonymised_at",
    "anonymisation_reason",
    "retention_notice_at",
}
