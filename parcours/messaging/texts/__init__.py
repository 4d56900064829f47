"""Texts of the messages and of the person's page, one small module per language.

Like the letters (ADR 0004), these texts are in the person's language, not the signed-in
user's: they are not gettext. French is the reference; a new language is one more module
listed in LANGUAGES, with the same keys (tests/test_messaging_sending.py checks them).
"""

from parcours.messaging.texts import ar, en, fr

LANGUAGES = {module.CODE: module for module in (fr, ar, en)}
FRENCH = fr


def for_language(code: str):
    """The module of the language, French when Parcours has no translation for it."""
    return LANGUAGES.get(code or "fr", FRENCH)
