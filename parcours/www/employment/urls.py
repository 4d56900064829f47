"""URLs of the employment area (French paths: they show in the agents' address bar)."""

from django.urls import path

from parcours.www.employment import coverage, views

app_name = "employment"

urlpatterns = [
    path("personnes/<int:pk>/profil-pro/", views.profile_edit, name="profile_edit"),
    path("emploi/appellations/", views.job_title_autocomplete, name="job_title_autocomplete"),
    path("emploi/employeurs/", views.employer_list, name="employer_list"),
    path("emploi/employeurs/nouveau/", views.employer_create, name="employer_create"),
    path("emploi/employeurs/<int:pk>/modifier/", views.employer_edit, name="employer_edit"),
    path(
        "emploi/employeurs/<int:pk>/desactiver/",
        views.employer_deactivate,
        name="employer_deactivate",
    ),
    path("emploi/employeurs/<int:pk>/postes/", views.position_create, name="position_create"),
    path("emploi/postes/<int:pk>/fermer/", views.position_close, name="position_close"),
    path("impact/metiers-en-tension/", coverage.coverage, name="coverage"),
    path("impact/metiers-en-tension/export.xlsx", coverage.coverage_export, name="coverage_export"),
    path("emploi/metiers-en-tension/", views.shortage_lists, name="shortage_lists"),
]
