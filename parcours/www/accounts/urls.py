"""URLs of sign-in security (French paths)."""

from django.urls import path

from parcours.www.accounts import views

app_name = "accounts"

urlpatterns = [
    path("double-authentification/", views.totp_verify, name="totp_verify"),
    path("double-authentification/activation/", views.totp_enrol, name="totp_enrol"),
    path(
        "double-authentification/partenaires/",
        views.two_factor_policy,
        name="two_factor_policy",
    ),
    path("comptes-bloques/", views.lockouts, name="lockouts"),
    path("acces-api/", views.api_access, name="api_access"),
    path("proconnect/", views.oidc_start, name="oidc_start"),
    path("proconnect/retour/", views.oidc_callback, name="oidc_callback"),
]
