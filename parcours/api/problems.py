"""API errors as problem documents (RFC 9457, `application/problem+json`), in French.

Every error the API answers (400, 401, 403, 404, 405, 429) has `type`, `title`, `status` and
`detail`; a 400 also lists the faulty parameters under `errors`. The OpenAPI document
describes this shape (`PROBLEM_RESPONSES`) so clients can rely on it.
"""

from http import HTTPStatus

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
    if status == 400 and isinstance(response.data, dict):
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
    400: problem("Paramètre invalide"),
    401: problem("Jeton absent, invalide, expiré ou révoqué"),
    403: problem("Rôle sans accès à cette ressource"),
    404: problem("Ressource inexistante ou hors du périmètre"),
}
