"""Who must give a TOTP code after the password, and the decorator for pages reachable before.

Issue 6 ("Login"): TOTP two-factor authentication is required for OFII and DREETS roles,
optional for partners (a DT setting); the demo's accounts may be exempted by a setting that
`check --deploy` refuses. Whoever has enrolled a device uses it, whatever their role. Issue 10:
the requirement follows the person, i.e. the most demanding of their memberships.
"""

from django.conf import settings

from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES, Role

# OFII (directorates and headquarters) and DREETS: the roles that see the most.
TOTP_REQUIRED_ROLES = frozenset(OFII_DT_ROLES | {Role.NATIONAL_ADMIN, Role.REGIONAL_VIEWER})


def role_requires_totp(role: str) -> bool:
    """Whether every member with `role` must use TOTP (issue 6: OFII and DREETS roles)."""
    return role in TOTP_REQUIRED_ROLES


def partners_required_by_a_directorate(organisation) -> bool:
    """Whether a DT the partner organisation works with requires TOTP of partners' staff."""
    from parcours.accounts.models import TwoFactorPolicy

    return TwoFactorPolicy.objects.filter(
        partners_required=True,
        directorate__departments__partner_organisations=organisation,
    ).exists()


def has_confirmed_device(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def membership_requires_totp(membership) -> bool:
    """Whether the role of `membership` (or, for a partner, a DT it works with) asks for TOTP."""
    if role_requires_totp(membership.role):
        return True
    return membership.role in PARTNER_ROLES and partners_required_by_a_directorate(
        membership.organisation
    )


def second_factor_required(user, membership=None) -> bool:
    """Whether this signed-in user must give a TOTP code, whatever membership is in use.

    Issue 10 (door 3): by person, not by membership. A user who holds any active membership
    that requires the second factor gives it before any page, so that switching to a
    membership without the requirement (a partner one) never skips it. `membership` is the
    one in use; it is among the user's active memberships and adds nothing to the check.
    """
    if not settings.PARCOURS_TOTP_ENFORCED:
        return False
    if settings.PARCOURS_DEMO_SKIP_2FA and getattr(user, "is_demo", False):
        return False
    memberships = user.memberships.active().select_related("organisation")
    if any(membership_requires_totp(m) for m in memberships):
        return True
    return has_confirmed_device(user)


def second_factor_exempt(view):
    """Mark a view reachable by a signed-in user before the TOTP step (enrol, verify, logout)."""
    view.second_factor_exempt = True
    return view


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())
