"""No answer of the application is kept by a browser or a shared cache (issue 10, door 7).

Any answer may carry a person: a page, a PDF letter, a CSV/XLSX/ODS export, the API's JSON.
Rather than trusting every view to remember `never_cache`, every answer that reaches this
middleware gets `Cache-Control: no-store, private` (with Django's never-cache headers).
Static files are served before it (WhiteNoise) and stay cacheable: they carry no one.
"""

from django.utils.cache import add_never_cache_headers, patch_cache_control


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
