"""Data protection: access log, change history, retention, anonymisation, subject access."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "parcours.privacy"
    label = "privacy"
    verbose_name = _("Protection des données")

    def ready(self):
        from parcours.organisations.permissions import Action
        from parcours.people.models import Person
        from parcours.privacy import checks, tasks  # noqa: F401  (registration)
        from parcours.privacy.history import track_changes
        from parcours.www.navigation import (
            DATA_AND_SECURITY,
            MenuEntry,
            add_entry,
        )

        # Issue 6, "Change history": persons now; reception and referrals register theirs.
        track_changes(
            Person,
            [
                field.name
                for field in Person._meta.get_fields()
                if (field.concrete or field.many_to_many)
                and not field.auto_created
                and field.name not in PERSON_UNTRACKED_FIELDS
            ],
            person_attr="",
        )
        add_entry(
            MenuEntry(
                label=_("Journal des accès"),
                url_name="privacy:access_log",
                action=Action.VIEW_ACCESS_LOG,
                url_prefix="/confidentialite/journal/",
                group=DATA_AND_SECURITY,
            )
        )
        add_entry(
            MenuEntry(
                label=_("Durées de conservation"),
                url_name="privacy:retention_policies",
                action=Action.MANAGE_REFERENCE_DATA,
                url_prefix="/confidentialite/conservation/",
                group=DATA_AND_SECURITY,
            )
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
