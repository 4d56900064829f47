"""Unpair a user's authenticator (lost or changed phone): they pair a new one at next sign-in."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import User


class Command(BaseCommand):
    help = (
        "Supprime l'application d'authentification d'un compte (téléphone perdu ou changé) : "
        "la personne en associera une nouvelle à sa prochaine connexion."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Adresse électronique du compte.")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Aucun compte avec l'adresse {email}.")
        count, _details = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(
            f"{count} application(s) d'authentification retirée(s) pour {user.email}."
        )
