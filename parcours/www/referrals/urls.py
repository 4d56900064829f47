"""URLs of the referrals area (French paths: they show in the agents' address bar)."""

from django.urls import path

from parcours.www.referrals import views_inbox, views_referrals, views_schemes, views_sessions

app_name = "referrals"

urlpatterns = [
    # Partner directory and scheme maintenance
    path("dispositifs/", views_schemes.scheme_list, name="scheme_list"),
    path("dispositifs/<int:pk>/", views_schemes.scheme_detail, name="scheme_detail"),
    path("gestion-dispositifs/", views_schemes.scheme_manage, name="scheme_manage"),
    path("gestion-dispositifs/nouveau/", views_schemes.scheme_edit, name="scheme_create"),
    path("gestion-dispositifs/<int:pk>/", views_schemes.scheme_edit, name="scheme_edit"),
    path(
        "gestion-dispositifs/<int:pk>/dates/",
        views_schemes.scheme_entry_dates,
        name="scheme_entry_dates",
    ),
    # From a person file: eligibility panel and new referral
    path(
        "personnes/<int:person_pk>/orientations/",
        views_referrals.person_eligibility,
        name="person_eligibility",
    ),
    path(
        "personnes/<int:person_pk>/orientations/nouvelle/<int:scheme_pk>/",
        views_referrals.referral_create,
        name="referral_create",
    ),
    # Referrer side
    path("orientations/", views_referrals.sent_list, name="sent_list"),
    path("orientations/<int:pk>/", views_referrals.referral_detail, name="detail"),
    path("orientations/<int:pk>/envoyer/", views_referrals.referral_send, name="send"),
    path("orientations/<int:pk>/supprimer/", views_referrals.referral_delete, name="delete"),
    path("orientations/<int:pk>/retirer/", views_referrals.referral_withdraw, name="withdraw"),
    path("orientations/<int:pk>/transferer/", views_referrals.referral_transfer, name="transfer"),
    # Partner inbox
    path("orientations-recues/", views_inbox.inbox, name="inbox"),
    path(
        "orientations-recues/personnes/<int:person_pk>/",
        views_inbox.partner_person,
        name="partner_person",
    ),
    path("orientations-recues/<int:pk>/accepter/", views_inbox.accept, name="accept"),
    path("orientations-recues/<int:pk>/refuser/", views_inbox.refuse, name="refuse"),
    path("orientations-recues/<int:pk>/entree/", views_inbox.entry, name="entry"),
    path("orientations-recues/<int:pk>/sortie/", views_inbox.exit_scheme, name="exit"),
    # Information sessions (CFP02 pattern)
    path("seances-information/", views_sessions.session_list, name="session_list"),
    path("seances-information/nouvelle/", views_sessions.session_create, name="session_create"),
    path("seances-information/<int:pk>/", views_sessions.session_detail, name="session_detail"),
    path(
        "seances-information/<int:pk>/participants/",
        views_sessions.attendee_add,
        name="attendee_add",
    ),
    path(
        "seances-information/<int:pk>/participants/<int:attendee_pk>/",
        views_sessions.attendee_update,
        name="attendee_update",
    ),
    path(
        "seances-information/<int:pk>/participants/<int:attendee_pk>/orienter/",
        views_sessions.attendee_refer,
        name="attendee_refer",
    ),
]
