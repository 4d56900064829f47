"""The floor of the page benchmarks: a bare Django view answering a 20 KB page, no database."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

# About the size of a Parcours page (20 KB of HTML), built once.
FLOOR_BODY = (
    "<!doctype html><html lang=fr><title>Plancher</title><body>"
    + "<p>Parcours – page de référence des mesures.</p>\n" * 400
    + "</body></html>"
).encode()


@login_not_required
@require_GET
def floor(request):
    return HttpResponse(FLOOR_BODY, content_type="text/html; charset=utf-8")
