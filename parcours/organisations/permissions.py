"""The permission matrix: which role may do which action (DESIGN.md, "Who uses it").

One declared table read by views (and later exports and the API); what a role may see of
people is narrowed further by PersonQuerySet.visible_to. Denied by default: an action not
listed for a role is refused.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.organisations.roles import Role


class Action(models.TextChoices):
    # Person files
    VIEW_PERSON = "view_person", _("Consulter un dossier")
    EDIT_PERSON = "edit_person", _("Créer ou modifier un dossier")
    # Reception day (PFA)
    PLAN_SESSIONS = "plan_sessions", _("Planifier les sessions d'accueil")
    CONVOKE = "convoke", _("Convoquer et pointer la présence")
    RECORD_POSITIONING = "record_positioning", _("Saisir le positionnement linguistique")
    INTERVIEW = "interview", _("Mener l'entretien de diagnostic, le CIR et la prescription")
    CIP_INTERVIEW = "cip_interview", _("Mener l'entretien CIP (France Travail)")
    # Issue 20: a change of situation (job, training, France Travail…), dated
    RECORD_SITUATION = "record_situation", _("Enregistrer un changement de situation")
    # Referrals to partner schemes
    REFER = "refer", _("Orienter vers un dispositif")
    ANSWER_REFERRAL = "answer_referral", _("Répondre à une orientation")
    MANAGE_SCHEMES = "manage_schemes", _("Gérer les dispositifs et leurs places")
    MANAGE_PARTNERS = "manage_partners", _("Gérer les partenaires et conventions")
    # Partnerships (issue 19): agreements, calls, working groups, network
    VIEW_PARTNERSHIPS = "view_partnerships", _("Consulter les conventions et groupes de travail")
    REVIEW_PARTNER_REPORTS = (
        "review_partner_reports",
        _("Demander la correction d'un rapport de convention"),
    )
    VIEW_NETWORK = "view_network", _("Consulter le réseau des partenaires")
    # Figures
    VIEW_AGGREGATES = "view_aggregates", _("Consulter les chiffres")
    VIEW_REPORT = "view_report", _("Lire le rapport mensuel des DT")
    EXPORT = "export", _("Exporter des données")
    APPROVE_MONTH = "approve_month", _("Valider les chiffres d'un mois")
    VIEW_IMPACT = "view_impact", _("Consulter l'impact de l'expérimentation")
    # Administration and data protection
    MANAGE_USERS = "manage_users", _("Gérer les comptes et rattachements")
    VIEW_ACCESS_LOG = "view_access_log", _("Consulter le journal des accès")
    MANAGE_REFERENCE_DATA = "manage_reference_data", _("Gérer les référentiels")


_DT_STAFF = frozenset(
    {
        Role.RECEPTION_AGENT,
        Role.INTEGRATION_AUDITOR,
        Role.ASYLUM_AUDITOR,
        Role.DT_DIRECTOR,
        Role.DT_ADMIN,
    }
)
_AUDITORS = frozenset({Role.INTEGRATION_AUDITOR, Role.ASYLUM_AUDITOR})
_DT_MANAGERS = frozenset({Role.DT_DIRECTOR, Role.DT_ADMIN})
_PARTNERS = frozenset({Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN})

MATRIX: dict[str, frozenset[str]] = {
    Action.VIEW_PERSON: _DT_STAFF | _PARTNERS,
    Action.EDIT_PERSON: _DT_STAFF,
    Action.PLAN_SESSIONS: frozenset({Role.RECEPTION_AGENT}) | _DT_MANAGERS,
    Action.CONVOKE: frozenset({Role.RECEPTION_AGENT}) | _AUDITORS | _DT_MANAGERS,
    # The positioning provider works under the DT's responsibility; its agents record through
    # DT accounts (reception agents) until providers get their own organisation kind.
    Action.RECORD_POSITIONING: frozenset({Role.RECEPTION_AGENT}) | _AUDITORS | _DT_MANAGERS,
    Action.INTERVIEW: _AUDITORS | _DT_MANAGERS,
    # The CIP of the Metz experiment is employed by the AGIR operator (seed 001).
    Action.CIP_INTERVIEW: frozenset({Role.PARTNER_COUNSELLOR}) | _DT_MANAGERS,
    # Issue 20: partners for the persons referred to them, DT auditors and managers for the
    # persons of their DT (referrals.visibility.persons_for_situations).
    Action.RECORD_SITUATION: _AUDITORS | _DT_MANAGERS | _PARTNERS,
    Action.REFER: _AUDITORS | _DT_MANAGERS | frozenset({Role.PARTNER_COUNSELLOR}),
    Action.ANSWER_REFERRAL: _PARTNERS,
    Action.MANAGE_SCHEMES: _DT_MANAGERS | frozenset({Role.PARTNER_ADMIN}),
    Action.MANAGE_PARTNERS: _DT_MANAGERS | frozenset({Role.NATIONAL_ADMIN}),
    # What each role reads of them is narrowed by partnerships.queries (partners: the
    # agreements and groups they belong to).
    Action.VIEW_PARTNERSHIPS: _DT_MANAGERS
    | _AUDITORS
    | _PARTNERS
    | frozenset({Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN}),
    # The DREETS receives the agreements' reports and may send one back (seed 001).
    Action.REVIEW_PARTNER_REPORTS: frozenset({Role.REGIONAL_VIEWER}),
    Action.VIEW_NETWORK: _DT_MANAGERS | frozenset({Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN}),
    Action.VIEW_AGGREGATES: _DT_MANAGERS
    | frozenset({Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN, Role.PARTNER_ADMIN}),
    # The DTs' monthly report itself (the indicators API): not partners, whose « Chiffres »
    # are their own referrals and seats (issue 16).
    Action.VIEW_REPORT: _DT_MANAGERS | frozenset({Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN}),
    Action.EXPORT: _DT_MANAGERS | frozenset({Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN}),
    Action.APPROVE_MONTH: frozenset({Role.DT_DIRECTOR}),
    # Issue 20 part 5: the DT director and auditors (exact), the DREETS (protected).
    Action.VIEW_IMPACT: _AUDITORS | frozenset({Role.DT_DIRECTOR, Role.REGIONAL_VIEWER}),
    Action.MANAGE_USERS: frozenset({Role.DT_ADMIN, Role.PARTNER_ADMIN, Role.NATIONAL_ADMIN}),
    Action.VIEW_ACCESS_LOG: frozenset({Role.DT_DIRECTOR, Role.DT_ADMIN}),
    Action.MANAGE_REFERENCE_DATA: frozenset({Role.NATIONAL_ADMIN}),
}


def can(membership, action: str) -> bool:
    """Whether the membership in use may perform `action`."""
    if membership is None:
        return False
    return membership.role in MATRIX.get(action, frozenset())
