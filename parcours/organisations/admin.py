"""Admin of organisations and memberships (national admins only)."""

from django.contrib import admin

from parcours.core.admin_site import NationalAdminModelAdmin
from parcours.organisations.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(NationalAdminModelAdmin):
    list_display = ["name", "kind", "directorate", "region", "is_active"]
    list_filter = ["kind", "is_active", "region"]
    search_fields = ["name"]
    filter_horizontal = ["departments"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(NationalAdminModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
