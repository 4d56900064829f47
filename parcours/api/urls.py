"""URLs of API v1 and its OpenAPI document."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from parcours.api import (
    indicators_views,
    reception_views,
    referral_views,
    situation_views,
    views,
)

app_name = "api"

urlpatterns = [
    path("directorates/", views.DirectorateList.as_view(), name="directorate-list"),
    path("persons/", views.PersonList.as_view(), name="person-list"),
    path("persons/<int:pk>/", views.PersonDetail.as_view(), name="person-detail"),
    path(
        "persons/<int:pk>/situations/",
        situation_views.PersonSituations.as_view(),
        name="person-situations",
    ),
    path("situations/", situation_views.SituationList.as_view(), name="situation-list"),
    path(
        "referrals/received/",
        referral_views.ReceivedReferralList.as_view(),
        name="referral-received",
    ),
    path("referrals/sent/", referral_views.SentReferralList.as_view(), name="referral-sent"),
    path("referrals/<int:pk>/", referral_views.ReferralDetail.as_view(), name="referral-detail"),
    path(
        "referrals/<int:pk>/accept/",
        referral_views.AcceptReferral.as_view(),
        name="referral-accept",
    ),
    path(
        "referrals/<int:pk>/refuse/",
        referral_views.RefuseReferral.as_view(),
        name="referral-refuse",
    ),
    path("referrals/<int:pk>/entry/", referral_views.RecordEntry.as_view(), name="referral-entry"),
    path("referrals/<int:pk>/exit/", referral_views.RecordExit.as_view(), name="referral-exit"),
    path("schemes/", referral_views.SchemeList.as_view(), name="scheme-list"),
    path(
        "schemes/<int:pk>/waiting-list/",
        referral_views.SchemeWaitingList.as_view(),
        name="scheme-waiting-list",
    ),
    path("sessions/", reception_views.SessionList.as_view(), name="session-list"),
    path(
        "sessions/<int:pk>/convocations/",
        reception_views.SessionConvocations.as_view(),
        name="session-convocations",
    ),
    path("indicators/", indicators_views.IndicatorReportView.as_view(), name="indicators"),
    # The API's description is public, like any published interface; it holds no data.
    path("openapi.json", login_not_required(SpectacularJSONAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
