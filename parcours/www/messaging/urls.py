"""URLs of the messages: the person's short public link, the SMS callback, the consent switch."""

from django.urls import path

from parcours.www.messaging import views

app_name = "messaging"

urlpatterns = [
    path("c/<str:token>", views.convocation_page, name="page"),
    path("messages/sms/statut/", views.sms_status, name="sms_status"),
    path("personnes/<int:pk>/messages/", views.consent, name="consent"),
    path("pfa/a-traiter/rappels/", views.reminder_days, name="reminder_days"),
]
