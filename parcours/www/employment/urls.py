"""URLs of the employment area (French paths: they show in the agents' address bar)."""

from django.urls import path

from parcours.www.employment import views

app_name = "employment"

urlpatterns = [
    path("personnes/<int:pk>/profil-pro/", views.profile_edit, name="profile_edit"),
    path("emploi/appellations/", views.job_title_autocomplete, name="job_title_autocomplete"),
    path("emploi/employeurs/", views.employer_list, name="employer_list"),
    path("emploi/employeurs/nouveau/", views.employer_create, name="employer_create"),
    path("emploi/employeurs/<int:pk>/postes/", views.position_create, name="position_create"),
    path("emploi/metiers-en-tension/", views.shortage_lists, name="shortage_lists"),
]
