"""Load the demo data (idempotent) and print one login per role."""

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from parcours.accounts.models import User
from parcours.demo import steps


class Command(BaseCommand):
    help = "Charge les données de démonstration (sans doublon si relancé) et affiche les comptes."

    def handle(self, *args, **options):
        self.stdout.write("Chargement des données de démonstration…")
        # Each app may ship a demo_steps module registering its own @demo_step functions;
        # they run after the foundation's steps, in INSTALLED_APPS order.
        autodiscover_modules("demo_steps")
        steps.run_all(self.stdout)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Parcours est prêt : http://127.0.0.1:8000"))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {steps.DEMO_PASSWORD}) :")
        # Every demo account, the foundation's first (one per role), then those other apps'
        # demo steps added (partners answering referrals…), from the database in one query.
        first = {email: rank for rank, (email, *_rest) in enumerate(steps.DEMO_USERS)}
        users = User.objects.filter(is_demo=True).prefetch_related("memberships__organisation")
        for user in sorted(users, key=lambda u: (first.get(u.email, len(first)), u.email)):
            roles = " + ".join(
                f"{m.organisation.name} ({m.get_role_display()})" for m in user.memberships.all()
            )
            self.stdout.write(f"  {user.email:<38} {roles}")
