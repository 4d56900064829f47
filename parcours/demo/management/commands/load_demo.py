"""Load the demo data (idempotent) and print one login per role."""

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

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
        for email, _first, _last, memberships in steps.DEMO_USERS:
            roles = " + ".join(f"{org} ({role.label})" for org, role in memberships)
            self.stdout.write(f"  {email:<38} {roles}")
