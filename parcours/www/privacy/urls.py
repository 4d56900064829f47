"""URLs of the data-protection pages (French paths)."""

from django.urls import path

from parcours.www.privacy import views

app_name = "privacy"

urlpatterns = [
    path("confidentialite/journal/", views.access_log, name="access_log"),
    path("confidentialite/journal/export/", views.access_log_export, name="access_log_export"),
    path("confidentialite/conservation/", views.retention_policies, name="retention_policies"),
    path("confidentialite/anonymisations-a-venir/", views.retention_due, name="retention_due"),
    path("personnes/<int:pk>/motif/", views.person_purpose, name="person_purpose"),
    path("personnes/<int:pk>/droit-d-acces/", views.subject_access, name="subject_access"),
    path("personnes/<int:pk>/effacement/", views.erasure, name="erasure"),
]
