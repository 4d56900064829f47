"""URLs of the web interface (French paths: they show in the agents' address bar)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from parcours.accounts.two_factor import second_factor_exempt
from parcours.www import duplicates, person_lists, situations, views
from parcours.www.indicators import impact
from parcours.www.people import imports as person_imports

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", second_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    # Second factor (TOTP), sign-in through the identity federation, DT security settings.
    path("compte/", include("parcours.www.accounts.urls")),
    path("organisation/", views.switch_membership, name="switch_membership"),
    path("personnes/", views.person_list, name="person_list"),
    path("personnes/nouvelle/", views.person_edit, name="person_create"),
    path("personnes/import/", person_imports.person_import, name="person_import"),
    path(
        "personnes/import/<int:pk>/",
        person_imports.person_import_detail,
        name="person_import_detail",
    ),
    path(
        "personnes/import/<int:pk>/importer/",
        person_imports.person_import_commit,
        name="person_import_commit",
    ),
    path("personnes/export.xlsx", person_lists.person_export, name="person_export"),
    path("personnes/doublons/", duplicates.duplicate_list, name="duplicate_list"),
    path("personnes/doublons/<int:pk>/", duplicates.duplicate_review, name="duplicate_review"),
    path("personnes/<int:pk>/", views.person_detail, name="person_detail"),
    path("personnes/<int:pk>/modifier/", views.person_edit, name="person_edit"),
    path("impact/", impact.impact, name="impact"),
    path("impact/export.xlsx", impact.impact_export, name="impact_export"),
    path(
        "personnes/<int:pk>/situations/",
        situations.person_situations,
        name="person_situations",
    ),
    path("sante/", views.health, name="health"),
    # Agreements, calls, working groups, contacts and the partner network (issue 19).
    path("partenariats/", include("parcours.www.partnerships.urls")),
]
