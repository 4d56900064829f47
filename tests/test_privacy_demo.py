"""The demo shows data protection at work, and loading it twice adds nothing twice."""

import pytest
from django.core.management import call_command

from parcours.privacy.models import AccessLog, FieldChange, RetentionPolicy
from parcours.privacy.retention import persons_due_soon


@pytest.mark.django_db
def test_the_privacy_demo_loads_twice_without_duplicates():
    call_command("load_demo", verbosity=0)
    counts = (AccessLog.objects.count(), FieldChange.objects.count())
    call_command("load_demo", verbosity=0)
    assert (AccessLog.objects.count(), FieldChange.objects.count()) == counts
    assert counts[0] > 0 and counts[1] > 0
    assert RetentionPolicy.objects.get().months == 24
    assert persons_due_soon().filter(directorate__code="metz").count() == 3
