"""Admin of the reception reference data: CIP experiment periods (national admins only)."""

from django.contrib import admin

from parcours.core.admin_site import NationalAdminModelAdmin
from parcours.reception.models import CipExperiment


@admin.register(CipExperiment)
class CipExperimentAdmin(NationalAdminModelAdmin):
    list_display = ["name", "directorate", "operator", "starts_on", "ends_on"]
    list_filter = ["directorate"]
