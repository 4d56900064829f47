"""Query parameters of the API, validated before they reach the database (issue 14)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

# As the person search of the pages (www.forms.PersonSearchForm): names and a number fit,
# and 50 words at most keep the SQL expression far below SQLite's depth limit of 1,000 (a
# 1,000-word `q` was a server error).
MAX_SEARCH_LENGTH = 100
# The largest id an integer column holds: beyond it SQLite raises OverflowError.
MAX_ID = 2**31 - 1
SEARCH_SCHEMA = {
    "type": "string",
    "maxLength": MAX_SEARCH_LENGTH,
    # No control characters (core.bounds), refused by the middleware.
    "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$",
}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def search_text(request) -> str:
    """The `q` parameter, or a 400 when it is longer than a search."""
    text = request.query_params.get("q", "")
    if len(text) > MAX_SEARCH_LENGTH:
        raise ValidationError(
            {
                "q": [
                    _("La recherche tient en %(length)s caractères au plus.")
                    % {"length": MAX_SEARCH_LENGTH}
                ]
            }
        )
    return text.strip()
