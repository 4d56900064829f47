"""Query parameters of the API, validated before they reach the database (issue 14)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

# As the person search of the pages (www.forms.PersonSearchForm): names and a number fit.
MAX_SEARCH_LENGTH = 100
MAX_SEARCH_WORDS = 10


def search_text(request) -> str:
    """The `q` parameter, or a 400 when it is longer than a search (a 1,000-word `q` built an
    SQL expression SQLite refuses)."""
    text = request.query_params.get("q", "").strip()
    if len(text) > MAX_SEARCH_LENGTH or len(text.split()) > MAX_SEARCH_WORDS:
        raise ValidationError(
            {
                "q": [
                    _("La recherche tient en %(words)s mots et %(length)s caractères au plus.")
                    % {"words": MAX_SEARCH_WORDS, "length": MAX_SEARCH_LENGTH}
                ]
            }
        )
    return text
