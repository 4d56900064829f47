"""Roles and organisation kinds, and which role fits which kind (DESIGN.md, "Who uses it").

Plain values and functions, testable without a database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    OFII_DT = "ofii_dt", _("OFII – direction territoriale")
    OFII_HQ = "ofii_hq", _("OFII – direction générale")
    DREETS = "dreets", _("DREETS")
    FRANCE_TRAVAIL = "france_travail", _("Agence France Travail")
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    EPIDE = "epide", _("Centre Epide")
    ADIE = "adie", _("ADIE")
    AGIR_OPERATOR = "agir_operator", _("Opérateur AGIR")
    TRAINING = "training", _("Organisme de formation linguistique ou professionnelle")
    CAF = "caf", _("CAF")
    DEPARTMENT_COUNCIL = "department_council", _("Conseil départemental")
    OTHER = "other", _("Autre partenaire")


class Role(models.TextChoices):
    RECEPTION_AGENT = "reception_agent", _("Agent d'accueil")
    INTEGRATION_AUDITOR = "integration_auditor", _("Auditeur intégration")
    ASYLUM_AUDITOR = "asylum_auditor", _("Auditeur asile")
    DT_DIRECTOR = "dt_director", _("Directeur de DT")
    DT_ADMIN = "dt_admin", _("Administrateur de DT")
    PARTNER_COUNSELLOR = "partner_counsellor", _("Conseiller partenaire")
    PARTNER_ADMIN = "partner_admin", _("Administrateur partenaire")
    REGIONAL_VIEWER = "regional_viewer", _("Lecteur régional (DREETS)")
    NATIONAL_ADMIN = "national_admin", _("Administrateur national")


OFII_DT_ROLES = frozenset(
    {
        Role.RECEPTION_AGENT,
        Role.INTEGRATION_AUDITOR,
        Role.ASYLUM_AUDITOR,
        Role.DT_DIRECTOR,
        Role.DT_ADMIN,
    }
)
PARTNER_ROLES = frozenset({Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN})
PARTNER_KINDS = frozenset(
    set(OrganisationKind)
    - {OrganisationKind.OFII_DT, OrganisationKind.OFII_HQ, OrganisationKind.DREETS}
)

# Which roles a membership of each kind of organisation may carry.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.OFII_DT: OFII_DT_ROLES,
    OrganisationKind.OFII_HQ: frozenset({Role.NATIONAL_ADMIN}),
    OrganisationKind.DREETS: frozenset({Role.REGIONAL_VIEWER}),
    **dict.fromkeys(PARTNER_KINDS, PARTNER_ROLES),
}

# Roles that see person files (need-to-know); the others see aggregates only.
PERSON_READING_ROLES = OFII_DT_ROLES | PARTNER_ROLES


def role_allowed_for_kind(role: str, kind: str) -> bool:
    """Whether a membership with `role` may exist in an organisation of `kind`."""
    return role in ROLES_BY_KIND.get(kind, frozenset())
