"""Admin of the people reference tables (languages). Person files are not edited here."""

from django.contrib import admin

from parcours.core.admin_site import NationalAdminModelAdmin
from parcours.people.models import Language


@admin.register(Language)
class LanguageAdmin(NationalAdminModelAdmin):
    list_display = ["code", "name", "is_rtl"]
    search_fields = ["code", "name"]
