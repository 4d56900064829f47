"""Admin of the figures (national admins only): recipients, runs and approvals, read-mostly."""

from django.contrib import admin

from parcours.core.admin_site import NationalAdminModelAdmin
from parcours.indicators.models import MonthlyApproval, ReleaseRecord, ReportRecipient, ReportRun


@admin.register(ReportRecipient)
class ReportRecipientAdmin(NationalAdminModelAdmin):
    list_display = ["email", "name", "directorate", "audience", "is_active"]
    list_filter = ["directorate", "audience", "is_active"]
    search_fields = ["email", "name"]


class ReadOnlyAdmin(NationalAdminModelAdmin):
    """A log: never written by hand, so that it stays truthful."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["month", "directorate", "recipient_email", "audience", "status", "sent_at"]
    list_filter = ["status", "audience", "directorate"]
    date_hierarchy = "month"


@admin.register(MonthlyApproval)
class MonthlyApprovalAdmin(ReadOnlyAdmin):
    list_display = ["month", "directorate", "report_code", "version", "approved_by", "approved_at"]
    list_filter = ["directorate", "report_code"]
    date_hierarchy = "month"


@admin.register(ReleaseRecord)
class ReleaseRecordAdmin(ReadOnlyAdmin):
    list_display = ["audience", "directorate", "month", "report_code", "threshold", "released_at"]
    list_filter = ["report_code", "directorate"]
