"""Issue an API token for one membership and print the key once."""

from django.core.management.base import BaseCommand, CommandError

from parcours.api.models import ApiToken, Scope
from parcours.organisations.models import Membership


class Command(BaseCommand):
    help = "Crée un jeton d'API pour un rattachement (la clé n'est affichée qu'une fois)."

    def add_arguments(self, parser):
        parser.add_argument("membership_id", type=int)
        parser.add_argument("--name", required=True, help="Le système qui utilisera le jeton.")
        parser.add_argument(
            "--write", action="store_true", help="Portée lecture et écriture (lecture seule sinon)."
        )

    def handle(self, *args, membership_id, name, write=False, **options):
        membership = Membership.objects.active().filter(pk=membership_id).first()
        if membership is None:
            raise CommandError(f"Aucun rattachement actif n°{membership_id}.")
        token, key = ApiToken.issue(membership, name, scope=Scope.WRITE if write else Scope.READ)
        self.stdout.write(f"Jeton « {token.name} » pour {membership} :")
        self.stdout.write(key)
