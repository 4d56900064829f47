"""The main menu of Parcours, declared by the HTTP layer (domain apps do not know of menus).

Issue 13: apps below `www` import nothing from it; the menu names their pages here, in the
order of the header (see navigation.py for the groups).
"""

from django.utils.translation import gettext_lazy as _

from parcours.organisations.permissions import Action, can
from parcours.organisations.roles import OFII_DT_ROLES, OrganisationKind
from parcours.www.navigation import (
    DATA_AND_SECURITY,
    FIGURES_POSITION,
    PARTNERSHIPS,
    RECEPTION,
    REFERRALS,
    MenuEntry,
    add_entry,
)


def _dt_staff(membership) -> bool:
    """The worklists are a DT's: a partner's would always be empty."""
    return membership.role in OFII_DT_ROLES


def _dt_staff_or_cip_operator(membership) -> bool:
    """Sessions and day summaries are a DT's, and the CIP experiment operator's (seed 001:
    its CIP staffs the sessions and it reads their summaries); other partners have none."""
    return (
        membership.role in OFII_DT_ROLES
        or membership.organisation.kind == OrganisationKind.AGIR_OPERATOR
    )


def _without_figures(membership) -> bool:
    """The impact is reached from « Chiffres » by those who read it (the menu stays short);
    auditors, who have no « Chiffres », get their own entry."""
    return not can(membership, Action.VIEW_AGGREGATES)


# In the order of the header, group by group (navigation.py places the groups).
MENU = (
    # accounts
    MenuEntry(
        label=_("Sécurité des partenaires"),
        url_name="accounts:two_factor_policy",
        action=Action.MANAGE_PARTNERS,
        group=DATA_AND_SECURITY,
    ),
    MenuEntry(
        label=_("Comptes bloqués"),
        url_name="accounts:lockouts",
        action=Action.MANAGE_USERS,
        group=DATA_AND_SECURITY,
    ),
    # reception
    MenuEntry(
        label=_("Sessions d'accueil"),
        url_name="reception:planning",
        action=Action.VIEW_PERSON,
        url_prefix="/pfa/sessions",
        group=RECEPTION,
        audience=_dt_staff_or_cip_operator,
    ),
    MenuEntry(
        label=_("À traiter"),
        url_name="reception:worklists",
        action=Action.VIEW_PERSON,
        url_prefix="/pfa/a-traiter",
        group=RECEPTION,
        audience=_dt_staff,
    ),
    MenuEntry(
        label=_("Récapitulatif des journées"),
        url_name="reception:summary",
        action=Action.VIEW_AGGREGATES,
        url_prefix="/pfa/recapitulatif",
        group=RECEPTION,
        # Regional and national roles read figures in « Chiffres », never day by day.
        audience=_dt_staff_or_cip_operator,
    ),
    # referrals
    MenuEntry(
        _("Dispositifs"),
        "referrals:scheme_list",
        Action.REFER,
        "/dispositifs/",
        group=REFERRALS,
    ),
    MenuEntry(
        _("Gérer les dispositifs"),
        "referrals:scheme_manage",
        Action.MANAGE_SCHEMES,
        "/gestion-dispositifs/",
        group=REFERRALS,
    ),
    MenuEntry(
        _("Orientations envoyées"),
        "referrals:sent_list",
        Action.REFER,
        "/orientations/",
        group=REFERRALS,
    ),
    MenuEntry(
        _("Orientations reçues"),
        "referrals:inbox",
        Action.ANSWER_REFERRAL,
        "/orientations-recues/",
        group=REFERRALS,
    ),
    MenuEntry(
        _("Séances d'information"),
        "referrals:session_list",
        Action.ANSWER_REFERRAL,
        "/seances-information/",
        group=REFERRALS,
    ),
    # employment (issue 20): employers engaged with the DT and their open positions
    MenuEntry(
        label=_("Employeurs"),
        url_name="employment:employer_list",
        action=Action.REFER,
        url_prefix="/emploi/employeurs/",
        group=REFERRALS,
        audience=_dt_staff,
    ),
    # partnerships
    MenuEntry(
        label=_("Conventions et groupes"),
        url_name="partnerships:index",
        action=Action.VIEW_PARTNERSHIPS,
        url_prefix="/partenariats/",
        group=PARTNERSHIPS,
    ),
    MenuEntry(
        label=_("Actions à suivre"),
        url_name="partnerships:action_list",
        action=Action.VIEW_PARTNERSHIPS,
        url_prefix="/partenariats/actions/",
        group=PARTNERSHIPS,
    ),
    MenuEntry(
        label=_("Contacts des partenaires"),
        url_name="partnerships:contact_list",
        action=Action.VIEW_PARTNERSHIPS,
        url_prefix="/partenariats/contacts/",
        group=PARTNERSHIPS,
    ),
    MenuEntry(
        label=_("Réseau des partenaires"),
        url_name="partnerships:network",
        action=Action.VIEW_NETWORK,
        url_prefix="/partenariats/reseau/",
        group=PARTNERSHIPS,
    ),
    # privacy
    MenuEntry(
        label=_("Journal des accès"),
        url_name="privacy:access_log",
        action=Action.VIEW_ACCESS_LOG,
        url_prefix="/confidentialite/journal/",
        group=DATA_AND_SECURITY,
    ),
    MenuEntry(
        label=_("Durées de conservation"),
        url_name="privacy:retention_policies",
        action=Action.MANAGE_REFERENCE_DATA,
        url_prefix="/confidentialite/conservation/",
        group=DATA_AND_SECURITY,
    ),
    MenuEntry(
        label=_("Métiers en tension"),
        url_name="employment:shortage_lists",
        action=Action.MANAGE_REFERENCE_DATA,
        url_prefix="/emploi/metiers-en-tension/",
        group=DATA_AND_SECURITY,
    ),
    # indicators
    MenuEntry(
        label=_("Chiffres"),
        url_name="indicators:dashboard",
        action=Action.VIEW_AGGREGATES,
        url_prefix="/chiffres/",
        position=FIGURES_POSITION,
    ),
    MenuEntry(
        label=_("Impact de l'expérimentation"),
        url_name="impact",
        action=Action.VIEW_IMPACT,
        url_prefix="/impact/",
        position=FIGURES_POSITION + 1,
        audience=_without_figures,
    ),
)


def declare_menus() -> None:
    """Add every entry of the main menu (idempotent: add_entry ignores repeats)."""
    for entry in MENU:
        add_entry(entry)
