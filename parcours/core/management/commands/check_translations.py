"""Refresh the English catalog from the code and fail if any string lacks a translation.

Needs GNU gettext (xgettext), a developer and CI tool. French is the source language of the
user interface; English is the translation every string must have.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from parcours.core.i18n import LOCALE_DIR


class Command(BaseCommand):
    help = "Met à jour le catalogue anglais et échoue si une chaîne n'est pas traduite."

    def handle(self, *args, **options):
        import os

        import polib

        package_dir = settings.BASE_DIR / "parcours"
        previous = os.getcwd()
        os.chdir(package_dir)
        try:
            call_command(
                "makemessages",
                locale=["en"],
                no_obsolete=True,
                no_location=True,
                verbosity=0,
                ignore_patterns=["demo/names.py"],
            )
        finally:
            os.chdir(previous)
        catalog = polib.pofile(str(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"))
        missing = [entry.msgid for entry in catalog.untranslated_entries()]
        fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
        if missing or fuzzy:
            lines = [f"  untranslated: {m!r}" for m in missing] + [f"  fuzzy: {m!r}" for m in fuzzy]
            raise CommandError(
                f"{len(missing)} untranslated and {len(fuzzy)} fuzzy strings in the English "
                "catalog:\n" + "\n".join(lines)
            )
        self.stdout.write(f"English catalog complete: {len(catalog)} strings.")
