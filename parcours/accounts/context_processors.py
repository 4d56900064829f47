"""Template context for the Content-Security-Policy: the nonce of the page's module script."""


def csp_nonce(request):
    """Draw the response's nonce before the DSFR base template tags its module script with it.

    django-csp 4 adds a nonce to the header only once it is read, and django-dsfr's script tag
    only tests it for truth, which does not read it: reading it here makes both agree.
    """
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(nonce)} if nonce is not None else {}
