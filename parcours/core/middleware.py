"""Refuses query strings and form posts that carry control characters (issue 14).

NUL bytes made PostgreSQL fail (`?q=%00`, a server error) and escape characters hide text in
pages and exports. A page answers 400 with a French page; the API answers a problem document.
Forms also check their own fields (`www.forms.DsfrForm`), with the message on the field.
"""

from django.http import JsonResponse
from django.shortcuts import render

from parcours.core.bounds import CONTROL_MESSAGE, has_control_characters


def _tainted(query) -> bool:
    return any(
        has_control_characters(key) or any(has_control_characters(v) for v in values)
        for key, values in query.lists()
    )


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _tainted(request.GET) or has_control_characters(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "about:blank",
                        "title": "Bad Request",
                        "status": 400,
                        "detail": str(CONTROL_MESSAGE),
                    },
                    status=400,
                    content_type="application/problem+json",
                )
            return render(request, "400.html", {"message": CONTROL_MESSAGE}, status=400)
        return self.get_response(request)
