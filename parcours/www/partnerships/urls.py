"""URLs of the partnerships area (French paths: they show in the agents' address bar)."""

from django.urls import path

from parcours.www.partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", views.index, name="index"),
    # Agreements, their money, documents and reports
    path("conventions/nouvelle/", views.agreement_create, name="agreement_create"),
    path("conventions/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("conventions/<int:pk>/modifier/", views.agreement_edit, name="agreement_edit"),
    path("conventions/<int:pk>/renouveler/", views.agreement_renew, name="agreement_renew"),
    path("conventions/<int:pk>/etat/", views.agreement_transition, name="agreement_transition"),
    path("conventions/<int:pk>/versements/", views.payment_add, name="payment_add"),
    path("conventions/<int:pk>/avenants/", views.amendment_add, name="amendment_add"),
    path("conventions/<int:pk>/documents/", views.document_add, name="document_add"),
    path("conventions/<int:pk>/comptes-rendus/", views.duty_add, name="duty_add"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("comptes-rendus/<int:pk>/rapport/", views.report_preview, name="report_preview"),
    path("comptes-rendus/<int:pk>/envoyer/", views.report_send, name="report_send"),
    path("rapports/<int:pk>/correction/", views.report_correction, name="report_correction"),
    path("rapports/<int:pk>/corriger/", views.report_resend, name="report_resend"),
    # Calls for expressions of interest
    path("appels/nouveau/", views.call_create, name="call_create"),
    path("appels/<int:pk>/", views.call_detail, name="call_detail"),
    path("appels/<int:pk>/modifier/", views.call_edit, name="call_edit"),
    path("appels/<int:pk>/candidatures/", views.application_add, name="application_add"),
    path("candidatures/<int:pk>/decision/", views.application_decide, name="application_decide"),
    path(
        "candidatures/<int:pk>/convention/",
        views.agreement_from_application,
        name="agreement_from_application",
    ),
    # Working groups, meetings, decisions, actions
    path("groupes/nouveau/", views.group_create, name="group_create"),
    path("groupes/<int:pk>/", views.group_detail, name="group_detail"),
    path("groupes/<int:pk>/modifier/", views.group_edit, name="group_edit"),
    path("groupes/<int:pk>/reunions/", views.meeting_add, name="meeting_add"),
    path("groupes/<int:pk>/objectifs/", views.goal_add, name="goal_add"),
    path("groupes/<int:pk>/actions/", views.action_add, name="action_add"),
    path("reunions/<int:pk>/modifier/", views.meeting_edit, name="meeting_edit"),
    path("reunions/<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("reunions/<int:pk>/compte-rendu/", views.minutes_add, name="minutes_add"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/modifier/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/etat/", views.action_transition, name="action_transition"),
    # Contacts at partners
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/nouveau/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/modifier/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/confirmer/", views.contact_confirm, name="contact_confirm"),
    path("contacts/<int:pk>/supprimer/", views.contact_delete, name="contact_delete"),
    # The partner network
    path("reseau/", views.network, name="network"),
    path("reseau/export.<str:file_format>", views.network_export, name="network_export"),
]
