"""The DSFR site configuration for templates, in one query instead of django-dsfr's two."""

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import get_language
from dsfr.models import DsfrConfig


def site_config(request):
    """As dsfr.context_processors.site_config: the configuration in the current language,
    else the first one; one query ordered by that preference, where django-dsfr runs two on
    every page when no configuration has the current language (issue 12: each page's CPU)."""
    preferred = Case(
        When(language=get_language(), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    # django-dsfr's fallback is .first(): by the model's ordering, else by primary key.
    ordering = [*(DsfrConfig._meta.ordering or []), "pk"]
    return {"SITE_CONFIG": DsfrConfig.objects.order_by(preferred, *ordering).first()}
