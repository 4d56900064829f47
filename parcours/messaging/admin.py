"""Admin of the messages' settings: the reminder delay of each DT (national admins only)."""

from django.contrib import admin

from parcours.core.admin_site import NationalAdminModelAdmin
from parcours.messaging.models import MessagingSettings


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(NationalAdminModelAdmin):
    list_display = ["directorate", "reminder_days"]
