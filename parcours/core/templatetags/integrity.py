"""Subresource integrity computed from the static files actually served, not from a table.

django-dsfr prints the integrity hashes of its original files, but `collectstatic` with the
manifest storage rewrites the url() references inside dsfr.min.css and utility.min.css, so
the browser refused the stylesheets in production (ADR 0008). The hash is taken here from
the file the storage will serve (the hashed copy under STATIC_ROOT in production, the
source file when static files are served from the apps).
"""

import base64
import hashlib
from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

register = template.Library()


def _served_file(path: str) -> str:
    stored_name = getattr(staticfiles_storage, "stored_name", None)  # manifest storages only
    if stored_name is not None:
        try:
            name = stored_name(path)
            if staticfiles_storage.exists(name):
                return staticfiles_storage.path(name)
        except (ValueError, NotImplementedError):  # no manifest entry, or no local storage
            pass
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file not found: {path}")
    return found


@cache
def integrity_of(path: str) -> str:
    with open(_served_file(path), "rb") as handle:
        digest = hashlib.sha384(handle.read()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


@register.simple_tag
def static_integrity(path: str) -> str:
    """The `integrity` value for the static file `path`, as it is served."""
    return integrity_of(path)
