"""Small helpers for reading responses as a user would."""

import html


def page_text(response) -> str:
    """The response body with HTML entities decoded (apostrophes, guillemets)."""
    return html.unescape(response.content.decode())
