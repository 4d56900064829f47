"""Admin of API tokens (national admins only): list and revoke; keys are never shown."""

from django.contrib import admin

from parcours.api.models import ApiToken
from parcours.core.admin_site import NationalAdminModelAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(NationalAdminModelAdmin):
    list_display = ["name", "prefix", "membership", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = [
        "membership",
        "name",
        "prefix",
        "expires_at",
        "revoked_at",
        "created_at",
        "last_used_at",
    ]

    def has_add_permission(self, request):
        return False  # keys are issued by create_api_token, which shows the key once
