"""The permission matrix: which role may do which action (DESIGN.md, "Who uses it").

One declared table read by views (and later exports and the API); what a role may see of
people is narrowed further by PersonQuerySet.visible_to. Denied by default: an action not
listed for a role is refused.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.organisations.roles import Role


class Action(models.TextChoices):
    VIEW_PERSON = "view_person", _("Consulter un dossier")
    EDIT_PERSON = "edit_person", _("Créer ou modifier un dossier")
    VIEW_AGGREGATES = "view_aggregates", _("Consulter les chiffres")
    MANAGE_REFERENCE_DATA = "manage_reference_data", _("Gérer les référentiels")


_DT_STAFF = {
    Role.RECEPTION_AGENT,
    Role.INTEGRATION_AUDITOR,
    Role.ASYLUM_AUDITOR,
    Role.DT_DIRECTOR,
    Role.DT_ADMIN,
}

MATRIX: dict[str, frozenset[str]] = {
    Action.VIEW_PERSON: frozenset(_DT_STAFF | {Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN}),
    Action.EDIT_PERSON: frozenset(_DT_STAFF),
    Action.VIEW_AGGREGATES: frozenset(
        {Role.DT_DIRECTOR, Role.DT_ADMIN, Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN}
    ),
    Action.MANAGE_REFERENCE_DATA: frozenset({Role.NATIONAL_ADMIN}),
}


def can(membership, action: str) -> bool:
    """Whether the membership in use may perform `action`."""
    if membership is None:
        return False
    return membership.role in MATRIX.get(action, frozenset())
