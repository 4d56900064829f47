"""Admin of user accounts (national admins only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from parcours.accounts.models import User
from parcours.core.admin_site import NationalAdminModelAdmin


@admin.register(User)
class UserAdmin(NationalAdminModelAdmin, DjangoUserAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "is_demo"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]
