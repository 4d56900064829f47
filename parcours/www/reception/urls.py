"""URLs of the reception day (French paths, under /pfa/)."""

from django.urls import path

from parcours.www.reception import session_lists, views

app_name = "reception"

urlpatterns = [
    path("sessions/", views.planning, name="planning"),
    path("sessions/liste/", session_lists.session_list, name="session_list"),
    path("sessions/liste/export.xlsx", session_lists.session_export, name="session_export"),
    path("sessions/nouvelle/", views.session_edit, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/annuler/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/convoquer/", views.convoke, name="convoke"),
    path("imports/<int:pk>/", views.convocation_import, name="convocation_import"),
    path(
        "imports/<int:pk>/confirmer/",
        views.convocation_import_commit,
        name="convocation_import_commit",
    ),
    path("sessions/<int:pk>/tous-presents/", views.roll_call, name="roll_call"),
    path("sessions/<int:pk>/convocations.pdf", views.session_letters, name="session_letters"),
    path("sessions/<int:pk>/presentation-cip/", views.cip_presentation, name="cip_presentation"),
    path("convocations/<int:pk>/", views.row, name="row"),
    path("convocations/<int:pk>/lettre.pdf", views.convocation_letter, name="letter"),
    path("convocations/<int:pk>/presence/", views.attendance, name="attendance"),
    path("convocations/<int:pk>/positionnement/", views.positioning, name="positioning"),
    path("convocations/<int:pk>/entretien/", views.interview, name="interview"),
    path("convocations/<int:pk>/cir/", views.contract, name="contract"),
    path("convocations/<int:pk>/formation/", views.prescription, name="prescription"),
    path("convocations/<int:pk>/entretien-cip/", views.employment_check, name="employment_check"),
    path("convocations/<int:pk>/suivi-france-travail/", views.follow_up, name="follow_up"),
    path("a-traiter/", views.worklists, name="worklists"),
    path("a-traiter/delai/", views.worklist_delay, name="worklist_delay"),
    path("a-traiter/reconvoquer/", views.worklist_reconvoke, name="worklist_reconvoke"),
    path("personnes/<int:person_pk>/convoquer/", views.convoke_person, name="convoke_person"),
    path("recapitulatif/", views.summary, name="summary"),
    path("recapitulatif.csv", views.summary_export_csv, name="summary_csv"),
    path("recapitulatif.xlsx", views.summary_export_xlsx, name="summary_xlsx"),
]
