"""API errors as problem documents (RFC 9457, `application/problem+json`).

Every error the API answers (400, 401, 403, 404, 405, 409, 412, 428, 429) has `type`,
`title` (the HTTP reason phrase, as RFC 9457 suggests for `about:blank`), `status` and
`detail` (in French); a 400 also lists the faulty parameters under `errors`. The OpenAPI
document describes this shape (`PROBLEM_RESPONSES`) so clients can rely on it.
"""

from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"


def _first_message(data) -> str:
    if isinstance(data, dict):
        if "detail" in data:
            return str(data["detail"])
        for value in data.values():
            return _first_message(value)
    if isinstance(data, list) and data:
        return _first_message(data[0])
    return str(data)


def problem_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    problem = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": _first_message(response.data),
    }
    # `errors` lists faulty parameters; a body that is not even JSON (ParseError) has none.
    if status == 400 and isinstance(response.data, dict) and set(response.data) != {"detail"}:
        problem["errors"] = response.data
    response.data = problem
    response.content_type = PROBLEM_TYPE
    return response


Problem = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
    },
)


def problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=Problem, description=description)


PROBLEM_RESPONSES = {
    (400, PROBLEM_TYPE): problem("Paramètre invalide"),
    (401, PROBLEM_TYPE): problem("Jeton absent, invalide, expiré ou révoqué"),
    (403, PROBLEM_TYPE): problem("Rôle sans accès à cette ressource"),
    (404, PROBLEM_TYPE): problem("Ressource inexistante ou hors du périmètre"),
    (429, PROBLEM_TYPE): problem("Trop de requêtes pour ce jeton : réessayer plus tard"),
}

# A write (issue 17) may also meet a state that forbids it or a version that changed.
WRITE_PROBLEM_RESPONSES = {
    (409, PROBLEM_TYPE): problem("Transition impossible dans l'état actuel"),
    (412, PROBLEM_TYPE): problem("If-Match ne nomme plus la version actuelle (ETag)"),
    (428, PROBLEM_TYPE): problem("If-Match absent"),
}


def not_found(request, exception=None):
    """The 404 of the whole site: a problem document under /api/, the French page elsewhere
    (an address the API does not route, such as `/api/v1/persons/x/`, is still the API's)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "type": "about:blank",
                "title": HTTPStatus.NOT_FOUND.phrase,
                "status": 404,
                "detail": _("Cette adresse n'existe pas dans l'API."),
            },
            status=404,
            content_type=PROBLEM_TYPE,
        )
    return page_not_found(request, exception)
