"""URLs of API v1 and its OpenAPI document."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from parcours.api import views

app_name = "api"

urlpatterns = [
    path("directorates/", views.DirectorateList.as_view(), name="directorate-list"),
    path("persons/", views.PersonList.as_view(), name="person-list"),
    path("persons/<int:pk>/", views.PersonDetail.as_view(), name="person-detail"),
    # The API's description is public, like any published interface; it holds no data.
    path("openapi.json", login_not_required(SpectacularJSONAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
