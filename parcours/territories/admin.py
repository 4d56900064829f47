"""Admin of territorial reference data (national admins only)."""

from django.contrib import admin

from parcours.core.admin_site import NationalAdminModelAdmin
from parcours.territories.models import Country, Department, Directorate, Region


@admin.register(Region)
class RegionAdmin(NationalAdminModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class DepartmentInline(admin.TabularInline):
    model = Department
    fields = ["code", "name", "region"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Directorate)
class DirectorateAdmin(NationalAdminModelAdmin):
    list_display = ["name", "code", "region"]
    search_fields = ["name", "code"]
    list_select_related = ["region"]
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(NationalAdminModelAdmin):
    list_display = ["code", "name", "region", "directorate"]
    list_filter = ["region", "directorate"]
    search_fields = ["code", "name"]
    list_select_related = ["region", "directorate"]


@admin.register(Country)
class CountryAdmin(NationalAdminModelAdmin):
    list_display = ["insee_code", "name", "group"]
    list_filter = ["group"]
    search_fields = ["insee_code", "name"]
