"""URLs of the figures (French paths, under /chiffres/)."""

from django.urls import path

from parcours.www.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:file_format>", views.export, name="export"),
    path("valider/", views.approve, name="approve"),
    path("envois/", views.runs, name="runs"),
    path("destinataires/", views.recipients, name="recipients"),
    path("destinataires/<int:pk>/activer/", views.recipient_toggle, name="recipient_toggle"),
]
