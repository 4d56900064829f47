"""Signal handlers: keep what events store about a person right when the person is corrected."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from parcours.people.models import Person


@receiver(post_save, sender=Person, dispatch_uid="reception_recompute_ages")
def recompute_ages_on_birth_date_change(sender, instance, created, raw, update_fields, **kwargs):
    """Recompute `age_at_event` of the person's events after a save that may touch the birth date.

    A new person has no event yet; a save limited to other fields cannot change an age.
    """
    if created or raw:
        return
    if update_fields is not None and "birth_date" not in update_fields:
        return
    from parcours.reception.services import recompute_ages

    recompute_ages(instance)


@receiver(post_save, sender=Person, dispatch_uid="reception_follow_sex")
def follow_sex_correction(sender, instance, created, raw, update_fields, **kwargs):
    """Copy a corrected sex onto the person's convocations and CIP interviews (ADR 0007)."""
    if created or raw:
        return
    if update_fields is not None and "sex" not in update_fields:
        return
    from parcours.reception.facts import follow_sex

    follow_sex(instance.pk, instance.sex)
