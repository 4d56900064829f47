"""Middleware of every answer: no caching of personal data (issue 10, door 7), and no control
characters in query strings (issue 14).

Any answer may carry a person: a page, a PDF letter, a CSV/XLSX/ODS export, the API's JSON.
Rather than trusting every view to remember `never_cache`, every answer that reaches
`NoStoreMiddleware` gets `Cache-Control: no-store, private` (with Django's never-cache
headers). Static files are served before it (WhiteNoise) and stay cacheable: they carry no one.

NUL bytes made PostgreSQL fail (`?q=%00`, a server error) and escape characters hide text in
pages and exports: `RefuseControlCharactersMiddleware` answers 400 with a French page, or a
problem document under /api/. Forms also check their own fields (`www.forms.DsfrForm`).
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from parcours.core.bounds import CONTROL_MESSAGE, has_control_characters


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        # Never a public answer, whatever a view set before.
        response.headers["Cache-Control"] = ", ".join(
            part
            for part in (p.strip() for p in response.headers["Cache-Control"].split(","))
            if part and part.lower() != "public"
        )
        patch_cache_control(response, no_store=True, private=True)
        return response


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
