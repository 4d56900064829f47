"""The Django admin, open to national admins only (reference data, organisations, users)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parcours.accounts.two_factor import is_verified, second_factor_required
from parcours.organisations.roles import Role


def is_national_admin(user) -> bool:
    """Whether the user holds an active national admin membership (the menu shows the link)."""
    if not (user and user.is_active and user.is_authenticated):
        return False
    return user.memberships.active().filter(role=Role.NATIONAL_ADMIN).exists()


def opens_admin(request) -> bool:
    """Whether this request may reach the admin (issue 10, door 3).

    The membership in use must be the national admin one itself (not any membership the user
    holds), and the session must have passed the second factor whenever it is required: the
    admin writes users, passwords and memberships.
    """
    user = getattr(request, "user", None)
    if not (user and user.is_active and user.is_authenticated):
        return False
    membership = getattr(request, "membership", None)
    if membership is None or membership.role != Role.NATIONAL_ADMIN:
        return False
    return is_verified(user) or not second_factor_required(user, membership)


class ParcoursAdminSite(admin.AdminSite):
    site_header = _("Parcours – administration nationale")
    site_title = _("Parcours – administration")
    index_title = _("Référentiels et organisations")

    def login(self, request, extra_context=None):
        """One sign-in page for the whole application (with its throttling and 2FA).

        Anonymous visitors never get here (LoginRequiredMiddleware sends them to the
        application's login page); a signed-in user without the national admin role is refused.
        """
        if not self.has_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:index"))

    def has_permission(self, request):
        # Not is_staff: rights come from memberships; only the national admin membership in
        # use, with its second factor given, opens the admin.
        return opens_admin(request)


class ParcoursAdminConfig(AdminConfig):
    default_site = "parcours.core.admin_site.ParcoursAdminSite"


class NationalAdminModelAdmin(admin.ModelAdmin):
    """Model admin whose permissions all follow the national admin role."""

    def _allowed(self, request, obj=None):
        return opens_admin(request)

    has_view_permission = _allowed
    has_add_permission = _allowed
    has_change_permission = _allowed
    has_delete_permission = _allowed

    def has_module_permission(self, request):
        return opens_admin(request)
