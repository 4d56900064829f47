"""Convocation letters: the text in each language and the choice of the person's language.

The letter language is the person's, not the signed-in user's: texts live in one small module
per language (not gettext), French always printed first, then the same text in the person's
language when a module exists for it.
"""

from collections.abc import Iterable

from parcours.reception.letters import ar, en, fr

FRENCH = fr
# Languages printed beside French, in order of preference when a person speaks several.
TRANSLATIONS = {module.CODE: module for module in (ar, en)}


def letter_language_for(spoken_codes: Iterable[str], interpreter_code: str = "") -> str:
    """The language printed beside French for a person, or "" for French only.

    The interpreter language comes first (the agent chose it for this person), then the
    languages the person speaks, in the order of TRANSLATIONS.
    """
    if interpreter_code in TRANSLATIONS:
        return interpreter_code
    spoken = set(spoken_codes)
    return next((code for code in TRANSLATIONS if code in spoken), "")
