"""The Django admin, open to national admins only (reference data, organisations, users)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parcours.organisations.roles import Role


def is_national_admin(user) -> bool:
    if not (user and user.is_active and user.is_authenticated):
        return False
    return user.memberships.active().filter(role=Role.NATIONAL_ADMIN).exists()


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
        # Not is_staff: rights come from memberships, and only the national admin role opens
        # the admin, whichever organisation the user currently acts for.
        return is_national_admin(request.user)


class ParcoursAdminConfig(AdminConfig):
    default_site = "parcours.core.admin_site.ParcoursAdminSite"


class NationalAdminModelAdmin(admin.ModelAdmin):
    """Model admin whose permissions all follow the national admin role."""

    def _allowed(self, request, obj=None):
        return is_national_admin(request.user)

    has_view_permission = _allowed
    has_add_permission = _allowed
    has_change_permission = _allowed
    has_delete_permission = _allowed

    def has_module_permission(self, request):
        return is_national_admin(request.user)
