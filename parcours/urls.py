"""Root URL configuration: the web interface, the admin and language switching."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("parcours.www.urls")),
    path("", include("parcours.www.referrals.urls")),
    path("", include("parcours.www.privacy.urls")),
    path("", include("parcours.www.messaging.urls")),
    path("", include("parcours.www.employment.urls")),
    path("pfa/", include("parcours.www.reception.urls")),
    path("chiffres/", include("parcours.www.indicators.urls")),
    # The language switch is on the login page too, so visitors may use it.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("parcours.api.urls")),
]

# Unrouted addresses under /api/ answer a problem document, as the API's own errors do.
handler404 = "parcours.api.problems.not_found"

if settings.PARCOURS_BENCH:
    # The floor of `make bench`: a bare Django view served by the same server (issue 12).
    from parcours.www.bench.views import floor

    urlpatterns.append(path("mesure/plancher/", floor, name="bench_floor"))
